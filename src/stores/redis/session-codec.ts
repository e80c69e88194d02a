import type { SessionRecord } from '../port.js';
import { decodeUserAgent, encodeUserAgent } from './user-agent-codec.js';

/*
 * All of a user's sessions live in one string, each session packed into one short entry, because
 * memory per session is the budget (bench/session-memory.ts, at most 300 bytes): a key per session
 * costs ~150 bytes of key, expiry and dict overhead before any data, and a 100-character user agent
 * pushes any hash out of its compact listpack encoding (hash-max-listpack-value is 64 bytes), so a
 * hash per session measured ~1000 bytes and a hash per user 320-500. One session's entry:
 *
 *   c,l,e,i,t,r,p,<ipLength>.<uaLength>.<ip><userAgent><claims JSON>
 *
 * c is createdAt in base 36; l, e, i, t are lastSeenAt, expiresAt, idleExpiresAt and rotatedAt minus
 * createdAt, in base 36 (t empty before the first rotation); r and p are the live and the previous
 * refresh token ids (p empty). The seven comma-terminated fields are what the Lua scripts read and
 * rewrite (lua-prelude.ts mirrors this file); the tail is opaque to them but for `updateSession`,
 * which replaces the claims and data after the device fields. An empty length means absent.
 *
 * A session with application data, or without "remember me", ends in a longer tail instead of the
 * claims JSON alone: `\n<flags>\n<claims JSON>\n<data JSON>`, where flags is `b` for a browser
 * session. JSON text never holds a raw newline, and never starts with one, so both forms read
 * unambiguously, and the common session keeps the short form and its memory budget.
 */

const tokenId = /^[A-Za-z0-9_-]{1,128}$/;

/** Refresh token ids sit between commas, so they must be base64url, as `randomId()` makes them. */
export function checkTokenId(name: string, value: string): string {
  if (!tokenId.test(value)) throw new TypeError(`authjwt: ${name} must be 1 to 128 base64url characters`);
  return value;
}

/** Times and counts go into Lua as decimal strings; only safe integers survive that exactly. */
export function checkInteger(name: string, value: number): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`authjwt: ${name} must be a safe integer`);
  return String(value);
}

export function encodeSession(session: SessionRecord): string {
  const c = session.createdAt;
  checkInteger('createdAt', c);
  const relative = (name: string, time: number) => {
    checkInteger(name, time);
    return (time - c).toString(36);
  };
  const fixed = [
    c.toString(36),
    relative('lastSeenAt', session.lastSeenAt),
    relative('expiresAt', session.expiresAt),
    relative('idleExpiresAt', session.idleExpiresAt),
    session.rotatedAt === undefined ? '' : relative('rotatedAt', session.rotatedAt),
    checkTokenId('refreshJti', session.refreshJti),
    session.previousRefreshJti === undefined
      ? ''
      : checkTokenId('previousRefreshJti', session.previousRefreshJti),
  ];
  const ip = session.ip;
  const ua = session.userAgent === undefined ? undefined : encodeUserAgent(session.userAgent);
  const claims = session.claims === undefined ? '' : JSON.stringify(session.claims);
  const rest =
    session.data === undefined && session.remember !== false
      ? claims
      : `\n${session.remember === false ? 'b' : ''}\n${claims}\n${session.data === undefined ? '' : JSON.stringify(session.data)}`;
  return `${fixed.join(',')},${lengthOf(ip)}.${lengthOf(ua)}.${ip ?? ''}${ua ?? ''}${rest}`;
}

/** The claims, data and flags after the device fields, in either form (see the top of this file). */
function decodeRest(rest: string): Pick<SessionRecord, 'claims' | 'data' | 'remember'> {
  let flags = '';
  let claims = rest;
  let data = '';
  if (rest.startsWith('\n')) {
    const [, f = '', c = '', d = ''] = rest.split('\n');
    flags = f;
    claims = c;
    data = d;
  }
  return {
    ...(claims === '' ? {} : { claims: JSON.parse(claims) as Record<string, unknown> }),
    ...(data === '' ? {} : { data: JSON.parse(data) as Record<string, unknown> }),
    ...(flags.includes('b') && { remember: false as const }),
  };
}

export function decodeSession(userId: string, sessionId: string, packed: string): SessionRecord {
  const fields: string[] = [];
  let at = 0;
  for (let n = 0; n < 7; n += 1) {
    const comma = packed.indexOf(',', at);
    if (comma < 0) throw new Error('authjwt: unreadable session record in Redis');
    fields.push(packed.slice(at, comma));
    at = comma + 1;
  }
  const [c36 = '', l = '', e = '', i = '', t = '', r = '', p = ''] = fields;
  const createdAt = parseInt(c36, 36);
  const ipEnd = packed.indexOf('.', at);
  const uaEnd = packed.indexOf('.', ipEnd + 1);
  if (ipEnd < 0 || uaEnd < 0) throw new Error('authjwt: unreadable session record in Redis');
  let tail = uaEnd + 1;
  const take = (length: string): string | undefined => {
    if (length === '') return undefined;
    const value = packed.slice(tail, tail + parseInt(length, 36));
    tail += value.length;
    return value;
  };
  const ip = take(packed.slice(at, ipEnd));
  const encodedUserAgent = take(packed.slice(ipEnd + 1, uaEnd));
  const userAgent = encodedUserAgent === undefined ? undefined : decodeUserAgent(encodedUserAgent);
  const rest = decodeRest(packed.slice(tail));
  return {
    id: sessionId,
    userId,
    createdAt,
    lastSeenAt: createdAt + parseInt(l, 36),
    expiresAt: createdAt + parseInt(e, 36),
    idleExpiresAt: createdAt + parseInt(i, 36),
    ...(userAgent === undefined ? {} : { userAgent }),
    ...(ip === undefined ? {} : { ip }),
    refreshJti: r,
    ...(p === '' ? {} : { previousRefreshJti: p }),
    ...(t === '' ? {} : { rotatedAt: createdAt + parseInt(t, 36) }),
    ...rest,
  };
}

function lengthOf(value: string | undefined): string {
  return value === undefined ? '' : value.length.toString(36);
}
