import { type LuaScript, luaScript } from './lua-script.js';

/*
 * The session steps, each one atomic script on the string that holds all of the user's sessions
 * (KEYS[1]) and, where named, the user's state hash (KEYS[2]). Times come from the caller (ARGV),
 * except in revokeSession, whose port method carries none: it asks the server (TIME).
 */

/** ARGV: sessionId, packed, maxSessions, now, channel, userId. Returns the evicted session ids. */
export const createSessionScript: LuaScript = luaScript(
  'createSession',
  1,
  `
local key, id, now, max = KEYS[1], ARGV[1], tonumber(ARGV[4]), tonumber(ARGV[3])
local others = {}
for _, e in ipairs(entries(redis.call('GET', key))) do
  if e.id ~= id then
    local s = decode(e.v)
    if live(s, now) then
      e.c = s.c
      others[#others + 1] = e
    end
  end
end
local evicted = {}
if max > 0 and #others >= max then
  local newest = {}
  for n = 1, #others do newest[n] = others[n] end
  table.sort(newest, function(a, b)
    if a.c ~= b.c then return a.c > b.c end
    return a.id > b.id
  end)
  local ended = {}
  for n = max, #newest do
    ended[newest[n].id] = true
    evicted[#evicted + 1] = newest[n].id
    announce(ARGV[5], { k = 's', u = ARGV[6], s = newest[n].id })
  end
  local kept = {}
  for _, e in ipairs(others) do
    if not ended[e.id] then kept[#kept + 1] = e end
  end
  others = kept
end
others[#others + 1] = { id = id, v = ARGV[2] }
save(key, others)
extend(key, ends(decode(ARGV[2])))
return evicted
`,
);

/**
 * KEYS: sessions, user. ARGV: sessionId. Returns { packed or nil, active flag, epoch }. The per-request
 * read of strict mode, so it does the least Redis must: whether the session has ended is decided by
 * the caller, which decodes the record anyway (decoding it here too doubled the script's CPU in Redis).
 */
export const getSessionStateScript: LuaScript = luaScript(
  'getSessionState',
  2,
  `
local u = redis.call('HMGET', KEYS[2], 'a', 'e')
return { find(redis.call('GET', KEYS[1]), ARGV[1]) or false, u[1], u[2] }
`,
  true,
);

/** ARGV: sessionId, now, idleExpiresAt. Returns 1 when the session was live. */
export const touchSessionScript: LuaScript = luaScript(
  'touchSession',
  1,
  `
local key, now = KEYS[1], tonumber(ARGV[2])
local list = entries(redis.call('GET', key))
local n = indexOf(list, ARGV[1])
if not n then return 0 end
local s = decode(list[n].v)
if not live(s, now) then
  table.remove(list, n)
  save(key, list)
  return 0
end
s.l = now
s.i = math.min(tonumber(ARGV[3]), s.e)
list[n].v = encode(s)
save(key, list)
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
local key, presented, now = KEYS[1], ARGV[2], tonumber(ARGV[4])
local list = entries(redis.call('GET', key))
local n = indexOf(list, ARGV[1])
if not n then return { 'missing' } end
local s = decode(list[n].v)
if not live(s, now) then
  table.remove(list, n)
  save(key, list)
  return { 'missing' }
end
if s.r == presented then
  s.p = s.r
  s.r = ARGV[3]
  s.t = now
  s.l = now
  s.i = math.min(tonumber(ARGV[6]), s.e)
  list[n].v = encode(s)
  save(key, list)
  extend(key, ends(s))
  return { 'rotated', list[n].v }
end
if s.p ~= '' and s.p == presented and s.t and now - s.t < tonumber(ARGV[5]) then
  return { 'grace', list[n].v }
end
-- A spent token outside the grace window, or one this session never issued: theft (RFC 9700 4.14.2).
table.remove(list, n)
save(key, list)
announce(ARGV[7], { k = 's', u = ARGV[8], s = ARGV[1] })
return { 'reused' }
`,
);

/** ARGV: sessionId, channel, userId. Returns 1 when a live session ended. */
export const revokeSessionScript: LuaScript = luaScript(
  'revokeSession',
  1,
  `
local list = entries(redis.call('GET', KEYS[1]))
local n = indexOf(list, ARGV[1])
if not n then return 0 end
local s = decode(list[n].v)
table.remove(list, n)
save(KEYS[1], list)
if not live(s, servernow()) then return 0 end
announce(ARGV[2], { k = 's', u = ARGV[3], s = ARGV[1] })
return 1
`,
);

/** ARGV: now. Returns { id, packed, ... } for the live sessions, dropping the ended ones. */
export const listSessionsScript: LuaScript = luaScript(
  'listSessions',
  1,
  `
local list = entries(redis.call('GET', KEYS[1]))
local kept, out = {}, {}
for _, e in ipairs(list) do
  if live(decode(e.v), tonumber(ARGV[1])) then
    kept[#kept + 1] = e
    out[#out + 1] = e.id
    out[#out + 1] = e.v
  end
end
if #kept < #list then save(KEYS[1], kept) end
return out
`,
);
