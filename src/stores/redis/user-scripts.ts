import { type LuaScript, luaScript } from './lua-script.js';

/*
 * The user steps. KEYS[1] is the string of the user's sessions and KEYS[2] the user's state hash, whose
 * fields are `a` ('0' while inactive) and `e` (the revoke-all epoch, seconds). The state key expires
 * `userStateTtl` after its last change (ARGV), like everything else here.
 */

/** ARGV: epoch, userStateTtlMs, channel, userId. Returns how many live sessions ended. */
export const revokeAllSessionsScript: LuaScript = luaScript(
  'revokeAllSessions',
  2,
  `
local now = servernow()
local ended = 0
for _, e in ipairs(entries(redis.call('GET', KEYS[1]))) do
  if live(decode(e.v), now) then ended = ended + 1 end
end
redis.call('DEL', KEYS[1])
local epoch = tonumber(ARGV[1])
if epoch > tonumber(redis.call('HGET', KEYS[2], 'e') or '0') then
  redis.call('HSET', KEYS[2], 'e', int(epoch))
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
announce(ARGV[3], { k = 'u', u = ARGV[4] })
return ended
`,
);

/** ARGV: '1' or '0', userStateTtlMs, channel, userId. Deactivating ends every session too. */
export const setUserActiveScript: LuaScript = luaScript(
  'setUserActive',
  2,
  `
if ARGV[1] == '0' then
  redis.call('HSET', KEYS[2], 'a', '0')
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  redis.call('DEL', KEYS[1])
else
  redis.call('HDEL', KEYS[2], 'a')
end
announce(ARGV[3], { k = 'u', u = ARGV[4] })
return 1
`,
);

/** KEYS: profile. ARGV: channel, userId. Other instances drop their copy on the announcement. */
export const deleteCachedUserScript: LuaScript = luaScript(
  'deleteCachedUser',
  1,
  `
redis.call('DEL', KEYS[1])
announce(ARGV[1], { k = 'u', u = ARGV[2] })
return 1
`,
);

/** KEYS: deny marker, user. Returns { 1 if denied, active flag, epoch }. */
export const getTokenStateScript: LuaScript = luaScript(
  'getTokenState',
  2,
  `
local u = redis.call('HMGET', KEYS[2], 'a', 'e')
return { redis.call('EXISTS', KEYS[1]), u[1], u[2] }
`,
  true,
);
