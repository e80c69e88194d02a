/**
 * The Lua side of one user's sessions, in two forms, so that no step costs more for a user with many
 * sessions than for a user with one (a single user must never stall the Redis everyone shares):
 *
 * - the string form, while the user has at most `SMALL` sessions: one string of packed entries (see
 *   `lua-prelude.ts`), the cheapest layout in memory (a key costs about 130 bytes before any data, and
 *   a session's packed value is too long for Redis's compact hash encoding). Every step reads and
 *   rewrites at most `SMALL` entries: a bounded cost;
 * - the hash form, past `SMALL`: a hash of session id -> packed session, with two sorted sets beside
 *   it, the ids by creation time (which to evict) and by end time (which have ended). Reading,
 *   touching, rotating and ending one session cost O(1) or O(log n); creating one also prunes at most
 *   `PRUNE` ended sessions. A hash that shrinks to `SHRINK` sessions goes back to the string form when
 *   it is listed (the gap between the two bounds keeps a user from flapping between forms).
 *
 * A user has one form at a time: the string key exists, or the hash key does (or neither). The string
 * form is the layout of earlier versions, under the same key, so their data is read as it is; it is
 * also looked for first, so the per-request read of the common user is one GET, as it always was. A step opens the sessions once (`openSessions`), changes them through `put` and
 * `remove`, and ends with `commit`, which writes the string form back and pushes the keys' expiry.
 */
export const luaSessions = `
local SMALL = 16
local SHRINK = 8
local PRUNE = 100

local function openSessions(stringKey, hashKey, createdKey, endsKey)
  local set = { s = stringKey, h = hashKey, o = createdKey, x = endsKey, latest = 0 }
  local blob = redis.call('GET', stringKey)
  if not blob and redis.call('EXISTS', hashKey) == 1 then
    set.hashed = true
  else
    set.list = entries(blob)
  end
  return set
end

local function valueOf(set, id)
  if set.hashed then return redis.call('HGET', set.h, id) or nil end
  local n = indexOf(set.list, id)
  if n then return set.list[n].v end
  return nil
end

local function count(set)
  if set.hashed then return redis.call('HLEN', set.h) end
  return #set.list
end

-- Stores a new or changed session; s is its decoded value.
local function put(set, id, v, s, isNew)
  if set.hashed then
    redis.call('HSET', set.h, id, v)
    redis.call('ZADD', set.x, int(ends(s)), id)
    if isNew then redis.call('ZADD', set.o, int(s.c), id) end
  else
    local n = indexOf(set.list, id)
    if n then set.list[n].v = v else set.list[#set.list + 1] = { id = id, v = v } end
    set.changed = true
  end
  set.latest = math.max(set.latest, ends(s))
end

local function remove(set, id)
  if set.hashed then
    redis.call('HDEL', set.h, id)
    redis.call('ZREM', set.o, id)
    redis.call('ZREM', set.x, id)
  else
    local n = indexOf(set.list, id)
    if n then
      table.remove(set.list, n)
      set.changed = true
    end
  end
end

-- Drops ended sessions: all of them in the string form, at most 'most' (oldest ends first) in the hash form.
local function pruneEnded(set, now, most)
  if set.hashed then
    local ended = redis.call('ZRANGEBYSCORE', set.x, '-inf', int(now), 'LIMIT', 0, most)
    if #ended > 0 then
      redis.call('HDEL', set.h, unpack(ended))
      redis.call('ZREM', set.o, unpack(ended))
      redis.call('ZREM', set.x, unpack(ended))
    end
    return
  end
  local kept = {}
  for _, e in ipairs(set.list) do
    if live(decode(e.v), now) then kept[#kept + 1] = e end
  end
  if #kept < #set.list then
    set.list = kept
    set.changed = true
  end
end

-- The keys' expiry moves with them between forms; it is only ever pushed later.
local function carryExpiry(set, key)
  local at = redis.call('PEXPIRETIME', key)
  if at > set.latest then set.latest = at end
end

local function toHash(set)
  carryExpiry(set, set.s)
  redis.call('DEL', set.s)
  for _, e in ipairs(set.list) do
    local s = decode(e.v)
    redis.call('HSET', set.h, e.id, e.v)
    redis.call('ZADD', set.o, int(s.c), e.id)
    redis.call('ZADD', set.x, int(ends(s)), e.id)
  end
  set.hashed, set.list, set.changed = true, nil, false
end

local function toString(set)
  carryExpiry(set, set.h)
  local list = {}
  for _, id in ipairs(redis.call('ZRANGE', set.o, 0, -1)) do
    local v = redis.call('HGET', set.h, id)
    if v then list[#list + 1] = { id = id, v = v } end
  end
  redis.call('DEL', set.h, set.o, set.x)
  set.hashed, set.list, set.changed = false, list, true
end

-- Writes the string form back (the hash form is written as it goes) and pushes the keys' expiry.
local function commit(set)
  if not set.hashed and set.changed then save(set.s, set.list) end
  if set.latest > 0 then
    if set.hashed then
      extend(set.h, set.latest)
      extend(set.o, set.latest)
      extend(set.x, set.latest)
    else
      extend(set.s, set.latest)
    end
  end
end

local function endAll(set)
  redis.call('UNLINK', set.s, set.h, set.o, set.x)
end
`;
