import { type LuaScript, luaScript } from './lua-script.js';

/*
 * The session steps, each one atomic script on the user's sessions (KEYS[1] in the string form,
 * KEYS[2] in the hash form with KEYS[3] and KEYS[4] beside it, see lua-sessions.ts) and, where named,
 * the user's state hash. Times come from
 * the caller (ARGV), except in the steps whose port methods carry none: they ask the server (TIME).
 */

/**
 * KEYS: the four session keys, user. ARGV: sessionId, packed, maxSessions, now, channel, userId.
 * Returns { 'created', evicted ids } or { 'inactive' }.
 */
export const createSessionScript: LuaScript = luaScript(
  'createSession',
  5,
  `
local id, now, max = ARGV[1], tonumber(ARGV[4]), tonumber(ARGV[3])
-- Checked here, in the step that stores the session: a deactivation cannot slip in between.
if redis.call('HGET', KEYS[5], 'a') == '0' then return { 'inactive' } end
local set = openSessions(KEYS[1], KEYS[2], KEYS[3], KEYS[4])
local evicted = {}
local function evict(old)
  remove(set, old)
  evicted[#evicted + 1] = old
  announce(ARGV[5], { k = 's', u = ARGV[6], s = old, r = 'limit' })
end
pruneEnded(set, now, PRUNE)
if set.hashed then
  local n = count(set)
  if max > 0 and n >= max then
    for _, old in ipairs(redis.call('ZRANGE', set.o, 0, n - max)) do
      -- Past PRUNE ended sessions some may remain: they go without counting as evicted.
      local ending = redis.call('ZSCORE', set.x, old)
      if ending and tonumber(ending) > now then evict(old) else remove(set, old) end
    end
  end
else
  remove(set, id)
  if max > 0 and #set.list >= max then
    local newest = {}
    for n, e in ipairs(set.list) do
      newest[n] = { id = e.id, c = decode(e.v).c }
    end
    table.sort(newest, function(a, b)
      if a.c ~= b.c then return a.c > b.c end
      return a.id > b.id
    end)
    for n = max, #newest do evict(newest[n].id) end
  end
  if #set.list + 1 > SMALL then toHash(set) end
end
put(set, id, ARGV[2], decode(ARGV[2]), true)
commit(set)
return { 'created', evicted }
`,
  { helpers: 'sessions' },
);

/**
 * KEYS: the string and the hash form of the sessions, user. ARGV: sessionId. Returns { packed or nil,
 * active flag }. The per-request read of strict mode, so it does the least Redis must: one GET
 * for a user in the string form, and whether the session has ended is decided by the caller, which
 * decodes the record anyway (decoding it here too doubled the script's CPU in Redis).
 */
export const getSessionStateScript: LuaScript = luaScript(
  'getSessionState',
  3,
  `
local blob, packed = redis.call('GET', KEYS[1]), nil
if blob then
  packed = find(blob, ARGV[1])
else
  packed = redis.call('HGET', KEYS[2], ARGV[1])
end
return { packed or false, redis.call('HGET', KEYS[3], 'a') }
`,
  { helpers: 'codec', readOnly: true },
);

/** KEYS: the four session keys. ARGV: sessionId, now, idleExpiresAt. Returns 1 when the session was live. */
export const touchSessionScript: LuaScript = luaScript(
  'touchSession',
  4,
  `
local id, now = ARGV[1], tonumber(ARGV[2])
local set = openSessions(KEYS[1], KEYS[2], KEYS[3], KEYS[4])
local v = valueOf(set, id)
if not v then return 0 end
local s = decode(v)
if not live(s, now) then
  remove(set, id)
  commit(set)
  return 0
end
s.l = now
s.i = math.min(tonumber(ARGV[3]), s.e)
put(set, id, encode(s), s)
commit(set)
return 1
`,
  { helpers: 'sessions' },
);

/**
 * KEYS: the four session keys. ARGV: sessionId, presentedJti, nextJti, now, graceMs, idleExpiresAt,
 * channel, userId. Returns { outcome, packed session (rotated, grace) }.
 */
export const rotateRefreshScript: LuaScript = luaScript(
  'rotateRefresh',
  4,
  `
local id, presented, now = ARGV[1], ARGV[2], tonumber(ARGV[4])
local set = openSessions(KEYS[1], KEYS[2], KEYS[3], KEYS[4])
local v = valueOf(set, id)
if not v then return { 'missing' } end
local s = decode(v)
if not live(s, now) then
  remove(set, id)
  commit(set)
  return { 'missing' }
end
if s.r == presented then
  s.p = s.r
  s.r = ARGV[3]
  s.t = now
  s.l = now
  s.i = math.min(tonumber(ARGV[6]), s.e)
  local rotated = encode(s)
  put(set, id, rotated, s)
  commit(set)
  return { 'rotated', rotated }
end
if s.p ~= '' and s.p == presented and s.t and now - s.t < tonumber(ARGV[5]) then
  return { 'grace', v }
end
-- A spent token outside the grace window, or one this session never issued: theft (RFC 9700 4.14.2).
remove(set, id)
commit(set)
announce(ARGV[7], { k = 's', u = ARGV[8], s = id, r = 'reuse' })
return { 'reused' }
`,
  { helpers: 'sessions' },
);

/** KEYS: the four session keys. ARGV: sessionId, channel, userId. Returns 1 when a live session ended. */
export const revokeSessionScript: LuaScript = luaScript(
  'revokeSession',
  4,
  `
local set = openSessions(KEYS[1], KEYS[2], KEYS[3], KEYS[4])
local v = valueOf(set, ARGV[1])
if not v then return 0 end
remove(set, ARGV[1])
commit(set)
if not live(decode(v), servernow()) then return 0 end
announce(ARGV[2], { k = 's', u = ARGV[3], s = ARGV[1], r = 'logout' })
return 1
`,
  { helpers: 'sessions' },
);

/**
 * KEYS: the four session keys. ARGV: now, limit. Returns { id, packed, ... } for at most `limit` of
 * the newest sessions, after dropping ended ones (all of them in the string form, a bounded number in
 * the hash form, whose values go out undecoded: the caller decodes them and skips any that ended, so
 * a long listing costs Redis a few C-level reads rather than a Lua loop).
 */
export const listSessionsScript: LuaScript = luaScript(
  'listSessions',
  4,
  `
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local set = openSessions(KEYS[1], KEYS[2], KEYS[3], KEYS[4])
local out = {}
pruneEnded(set, now, limit)
if set.hashed then
  local ids = redis.call('ZREVRANGE', set.o, 0, limit - 1)
  for from = 1, #ids, 500 do
    local batch = { unpack(ids, from, math.min(from + 499, #ids)) }
    local values = redis.call('HMGET', set.h, unpack(batch))
    for n, id in ipairs(batch) do
      if values[n] then
        out[#out + 1] = id
        out[#out + 1] = values[n]
      end
    end
  end
  if count(set) <= SHRINK then toString(set) end
else
  for _, e in ipairs(set.list) do
    out[#out + 1] = e.id
    out[#out + 1] = e.v
  end
end
commit(set)
return out
`,
  { helpers: 'sessions' },
);
