import { type LuaScript, luaScript } from './lua-script.js';

/**
 * KEYS: the four session keys (see lua-sessions.ts). ARGV: sessionId, now, whether to replace the
 * claims ('1' or '0'), the claims JSON ('' for none), whether to replace the data, the data JSON.
 * Returns the updated packed session, or nil when the session is not live.
 *
 * The claims and data sit in the opaque tail after the device fields (session-codec.ts), whose
 * lengths are counted in UTF-16 code units, as JavaScript counts them; Redis holds UTF-8, so
 * `skipUnits` walks the bytes of those at most 320 characters to find where the device fields end.
 */
export const updateSessionScript: LuaScript = luaScript(
  'updateSession',
  4,
  `
local function skipUnits(s, at, units)
  while units > 0 and at <= #s do
    local b = string.byte(s, at)
    if b < 128 then at, units = at + 1, units - 1
    elseif b >= 240 then at, units = at + 4, units - 2
    elseif b >= 224 then at, units = at + 3, units - 1
    else at, units = at + 2, units - 1 end
  end
  return at
end

local id, now = ARGV[1], tonumber(ARGV[2])
local set = openSessions(KEYS[1], KEYS[2], KEYS[3], KEYS[4])
local v = valueOf(set, id)
if not v then return false end
local s = decode(v)
if not live(s, now) then
  remove(set, id)
  commit(set)
  return false
end
local tail = s.tail
local d1 = string.find(tail, '.', 1, true)
local d2 = string.find(tail, '.', d1 + 1, true)
local units = (from36(string.sub(tail, 1, d1 - 1)) or 0) + (from36(string.sub(tail, d1 + 1, d2 - 1)) or 0)
local at = skipUnits(tail, d2 + 1, units)
local device, rest = string.sub(tail, 1, at - 1), string.sub(tail, at)
local flags, claims, data = '', rest, ''
if string.sub(rest, 1, 1) == '\\n' then
  local p1 = string.find(rest, '\\n', 2, true)
  local p2 = string.find(rest, '\\n', p1 + 1, true)
  flags, claims, data = string.sub(rest, 2, p1 - 1), string.sub(rest, p1 + 1, p2 - 1), string.sub(rest, p2 + 1)
end
if ARGV[3] == '1' then claims = ARGV[4] end
if ARGV[5] == '1' then data = ARGV[6] end
if flags == '' and data == '' then
  s.tail = device .. claims
else
  s.tail = device .. '\\n' .. flags .. '\\n' .. claims .. '\\n' .. data
end
local updated = encode(s)
put(set, id, updated, s)
commit(set)
return updated
`,
  { helpers: 'sessions' },
);
