import { type LuaScript, luaScript } from './lua-script.js';

/*
 * The user steps. KEYS[1..4] are the user's sessions (see lua-sessions.ts) and KEYS[5], where named,
 * the user's state hash, whose field `a` is '0' while the user is inactive. The state key expires
 * `userStateTtl` after its last change (ARGV), like everything else here.
 */

/** KEYS: the four session keys. ARGV: channel, userId. Returns how many live sessions ended. */
export const revokeAllSessionsScript: LuaScript = luaScript(
  'revokeAllSessions',
  4,
  `
local now = servernow()
local set = openSessions(KEYS[1], KEYS[2], KEYS[3], KEYS[4])
local ended = 0
if set.hashed then
  ended = redis.call('ZCOUNT', set.x, '(' .. int(now), '+inf')
else
  for _, e in ipairs(set.list) do
    if live(decode(e.v), now) then ended = ended + 1 end
  end
end
endAll(set)
announce(ARGV[1], { k = 'u', u = ARGV[2], r = 'logout-all' })
return ended
`,
  { helpers: 'sessions' },
);

/**
 * KEYS: the four session keys. ARGV: the session to keep, channel, userId. Returns how many other
 * live sessions ended. The kept session (if live) stays as it is, in the string form.
 */
export const revokeOtherSessionsScript: LuaScript = luaScript(
  'revokeOtherSessions',
  4,
  `
local now, keep = servernow(), ARGV[1]
local set = openSessions(KEYS[1], KEYS[2], KEYS[3], KEYS[4])
local kept = valueOf(set, keep)
if kept and not live(decode(kept), now) then kept = nil end
local ended = 0
if set.hashed then
  ended = redis.call('ZCOUNT', set.x, '(' .. int(now), '+inf')
  if kept then ended = ended - 1 end
else
  for _, e in ipairs(set.list) do
    if e.id ~= keep and live(decode(e.v), now) then ended = ended + 1 end
  end
end
endAll(set)
if kept then
  local alone = openSessions(KEYS[1], KEYS[2], KEYS[3], KEYS[4])
  local s = decode(kept)
  put(alone, keep, kept, s, true)
  commit(alone)
end
announce(ARGV[2], { k = 'u', u = ARGV[3], r = 'logout-others' })
return ended
`,
  { helpers: 'sessions' },
);

/** KEYS: the four session keys, user. ARGV: '1' or '0', userStateTtlMs, channel, userId. Deactivating ends every session too. */
export const setUserActiveScript: LuaScript = luaScript(
  'setUserActive',
  5,
  `
if ARGV[1] == '0' then
  redis.call('HSET', KEYS[5], 'a', '0')
  redis.call('PEXPIRE', KEYS[5], ARGV[2])
  redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
  announce(ARGV[3], { k = 'u', u = ARGV[4], r = 'deactivated' })
else
  redis.call('HDEL', KEYS[5], 'a')
  announce(ARGV[3], { k = 'u', u = ARGV[4], r = 'activated' })
end
return 1
`,
  { helpers: 'codec' },
);

/** KEYS: profile. ARGV: channel, userId. Other instances drop their copy on the announcement. */
export const deleteCachedUserScript: LuaScript = luaScript(
  'deleteCachedUser',
  1,
  `
redis.call('DEL', KEYS[1])
announce(ARGV[1], { k = 'u', u = ARGV[2], r = 'profile' })
return 1
`,
  { helpers: 'codec' },
);
