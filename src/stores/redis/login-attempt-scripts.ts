import { type LuaScript, luaScript } from './lua-script.js';

/*
 * Login throttling: two fixed-window counters of one client (KEYS[1] the account at this client,
 * KEYS[2] the client), sharing the client's hash tag. Each counter's window starts with its first
 * count (PEXPIRE NX) and its key goes when the window ends.
 */

/**
 * KEYS: account counter, client counter. ARGV: windowMs, maxPerAccount, maxPerClient.
 * Returns { 1 } when counted, { 0, ms until the blocking counters' windows end } when refused.
 */
export const countLoginAttemptScript: LuaScript = luaScript(
  'countLoginAttempt',
  2,
  `
local limits = { tonumber(ARGV[2]), tonumber(ARGV[3]) }
local wait = 0
for n = 1, 2 do
  if tonumber(redis.call('GET', KEYS[n]) or '0') >= limits[n] then
    local ttl = redis.call('PTTL', KEYS[n])
    -- A counter at its limit without an end (never one of ours) would refuse forever: give it one.
    if ttl < 0 then
      redis.call('PEXPIRE', KEYS[n], ARGV[1])
      ttl = tonumber(ARGV[1])
    end
    wait = math.max(wait, ttl)
  end
end
if wait > 0 then return { 0, wait } end
for n = 1, 2 do
  redis.call('INCR', KEYS[n])
  redis.call('PEXPIRE', KEYS[n], ARGV[1], 'NX')
end
return { 1 }
`,
  { helpers: 'none' },
);

/** KEYS: account counter, client counter. A success: the account's count goes, the client's loses this attempt. */
export const forgetLoginAttemptScript: LuaScript = luaScript(
  'forgetLoginAttempt',
  2,
  `
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 1
`,
  { helpers: 'none' },
);
