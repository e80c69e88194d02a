/**
 * Helpers every script starts with. `decode`/`encode` mirror session-codec.ts: the seven
 * comma-terminated fields of a packed session, and its tail, which Lua copies without reading.
 * `entries`/`find`/`save` read and write the string that holds all of one user's sessions.
 * Numbers go back to Redis through `int`, because Lua would print 1e15 and above in exponent form.
 */
export const luaPrelude = `
local DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'

local function int(n)
  return string.format('%.0f', n)
end

local function from36(s)
  if s == '' then return nil end
  if string.sub(s, 1, 1) == '-' then return -tonumber(string.sub(s, 2), 36) end
  return tonumber(s, 36)
end

local function to36(n)
  local negative = n < 0
  if negative then n = -n end
  local out = ''
  repeat
    local d = n % 36
    out = string.sub(DIGITS, d + 1, d + 1) .. out
    n = (n - d) / 36
  until n == 0
  if negative then return '-' .. out end
  return out
end

local function decode(v)
  local f, at = {}, 1
  for n = 1, 7 do
    local comma = string.find(v, ',', at, true)
    f[n] = string.sub(v, at, comma - 1)
    at = comma + 1
  end
  local c = from36(f[1])
  local t = from36(f[5])
  if t then t = c + t end
  return { c = c, l = c + from36(f[2]), e = c + from36(f[3]), i = c + from36(f[4]), t = t,
    r = f[6], p = f[7], tail = string.sub(v, at) }
end

local function encode(s)
  local t = ''
  if s.t then t = to36(s.t - s.c) end
  return to36(s.c) .. ',' .. to36(s.l - s.c) .. ',' .. to36(s.e - s.c) .. ',' .. to36(s.i - s.c) .. ','
    .. t .. ',' .. s.r .. ',' .. s.p .. ',' .. s.tail
end

local function ends(s)
  return math.min(s.e, s.i)
end

local function live(s, now)
  return now < ends(s)
end

-- A user's sessions are one string of entries '<idLength>,<valueLength>,<id><value>' (lengths in
-- bytes, base 36), in creation order.
local function entries(blob)
  local list, at = {}, 1
  if not blob then return list end
  while at <= #blob do
    local c1 = string.find(blob, ',', at, true)
    local c2 = string.find(blob, ',', c1 + 1, true)
    local idEnd = c2 + tonumber(string.sub(blob, at, c1 - 1), 36)
    local valueEnd = idEnd + tonumber(string.sub(blob, c1 + 1, c2 - 1), 36)
    list[#list + 1] = { id = string.sub(blob, c2 + 1, idEnd), v = string.sub(blob, idEnd + 1, valueEnd) }
    at = valueEnd + 1
  end
  return list
end

-- The one session's value, without building the list (the per-request read).
local function find(blob, id)
  local at = 1
  if not blob then return nil end
  while at <= #blob do
    local c1 = string.find(blob, ',', at, true)
    local c2 = string.find(blob, ',', c1 + 1, true)
    local idEnd = c2 + tonumber(string.sub(blob, at, c1 - 1), 36)
    local valueEnd = idEnd + tonumber(string.sub(blob, c1 + 1, c2 - 1), 36)
    if string.sub(blob, c2 + 1, idEnd) == id then return string.sub(blob, idEnd + 1, valueEnd) end
    at = valueEnd + 1
  end
  return nil
end

local function indexOf(list, id)
  for n = 1, #list do
    if list[n].id == id then return n end
  end
  return nil
end

-- Writes the list back, keeping the key's expiry; an empty list deletes the key.
local function save(key, list)
  if #list == 0 then
    redis.call('DEL', key)
    return
  end
  local parts = {}
  for n = 1, #list do
    local e = list[n]
    parts[n] = to36(#e.id) .. ',' .. to36(#e.v) .. ',' .. e.id .. e.v
  end
  redis.call('SET', key, table.concat(parts), 'KEEPTTL')
end

-- The key lives as long as its longest-lived session: only ever pushed later, never earlier.
local function extend(key, at)
  if redis.call('PEXPIRETIME', key) < at then redis.call('PEXPIREAT', key, int(at)) end
end

local function servernow()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function announce(channel, event)
  redis.call('PUBLISH', channel, cjson.encode(event))
end
`;
