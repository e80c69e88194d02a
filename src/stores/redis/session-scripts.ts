import { type LuaScript, luaScript } from './lua-script.js';

/*
 * The session steps, each one atomic script on the user's sessions hash (KEYS[1]) and, where named,
 * the user's state hash (KEYS[2]). Times come from the caller (ARGV), except in the revocation steps,
 * whose port methods carry none: they ask the server (TIME).
 */

/** ARGV: sessionId, packed, maxSessions, now, channel, userId. Returns the evicted session ids. */
export const createSessionScript: LuaScript = luaScript(
  'createSession',
  1,
  `
local key, id, now, max = KEYS[1], ARGV[1], tonumber(ARGV[4]), tonumber(ARGV[3])
redis.call('HSET', key, id, ARGV[2])
local others = {}
local all = redis.call('HGETALL', key)
for n = 1, #all, 2 do
  if all[n] ~= id then
    local s = decode(all[n + 1])
    if live(s, now) then others[#others + 1] = { all[n], s.c } else redis.call('HDEL', key, all[n]) end
  end
end
local evicted = {}
if max > 0 and #others >= max then
  table.sort(others, function(a, b)
    if a[2] ~= b[2] then return a[2] > b[2] end
    return a[1] > b[1]
  end)
  for n = max, #others do
    local old = others[n][1]
    redis.call('HDEL', key, old)
    evicted[#evicted + 1] = old
    announce(ARGV[5], { k = 's', u = ARGV[6], s = old })
  end
end
extend(key, ends(decode(ARGV[2])))
return evicted
`,
);

/** KEYS: sessions, user. ARGV: sessionId, now. Returns { packed or nil, active flag, epoch }. */
export const getSessionStateScript: LuaScript = luaScript(
  'getSessionState',
  2,
  `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and not live(decode(v), tonumber(ARGV[2])) then v = false end
local u = redis.call('HMGET', KEYS[2], 'a', 'e')
return { v, u[1], u[2] }
`,
  true,
);

/** ARGV: sessionId, now, idleExpiresAt. Returns 1 when the session was live. */
export const touchSessionScript: LuaScript = luaScript(
  'touchSession',
  1,
  `
local key, id, now = KEYS[1], ARGV[1], tonumber(ARGV[2])
local v = redis.call('HGET', key, id)
if not v then return 0 end
local s = decode(v)
if not live(s, now) then
  redis.call('HDEL', key, id)
  return 0
end
s.l = now
s.i = math.min(tonumber(ARGV[3]), s.e)
redis.call('HSET', key, id, encode(s))
extend(key, ends(s))
return 1
`,
);

/**
 * ARGV: sessionId, presentedJti, nextJti, now, graceMs, idleExpiresAt, channel, userId.
 * Returns { outcome, packed session (rotated, grace) }.
 */
export const rotateRefreshScript: LuaScript = luaScript(
  'rotateRefresh',
  1,
  `
local key, id, presented, now = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[4])
local v = redis.call('HGET', key, id)
if not v then return { 'missing' } end
local s = decode(v)
if not live(s, now) then
  redis.call('HDEL', key, id)
  return { 'missing' }
end
if s.r == presented then
  s.p = s.r
  s.r = ARGV[3]
  s.t = now
  s.l = now
  s.i = math.min(tonumber(ARGV[6]), s.e)
  local rotated = encode(s)
  redis.call('HSET', key, id, rotated)
  extend(key, ends(s))
  return { 'rotated', rotated }
end
if s.p ~= '' and s.p == presented and s.t and now - s.t < tonumber(ARGV[5]) then
  return { 'grace', v }
end
-- A spent token outside the grace window, or one this session never issued: theft (RFC 9700 4.14.2).
redis.call('HDEL', key, id)
announce(ARGV[7], { k = 's', u = ARGV[8], s = id })
return { 'reused' }
`,
);

/** ARGV: sessionId, channel, userId. Returns 1 when a live session ended. */
export const revokeSessionScript: LuaScript = luaScript(
  'revokeSession',
  1,
  `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
if not live(decode(v), servernow()) then return 0 end
announce(ARGV[2], { k = 's', u = ARGV[3], s = ARGV[1] })
return 1
`,
);

/** ARGV: now. Returns { id, packed, ... } for the live sessions, dropping the ended ones. */
export const listSessionsScript: LuaScript = luaScript(
  'listSessions',
  1,
  `
local key, now = KEYS[1], tonumber(ARGV[1])
local out = {}
local all = redis.call('HGETALL', key)
for n = 1, #all, 2 do
  if live(decode(all[n + 1]), now) then
    out[#out + 1] = all[n]
    out[#out + 1] = all[n + 1]
  else
    redis.call('HDEL', key, all[n])
  end
end
return out
`,
);
