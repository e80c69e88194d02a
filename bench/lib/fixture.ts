import { randomFillSync } from 'node:crypto';
import type { Algorithm } from 'authjwt';

// 128-bit ids drawn from a pool, as authjwt makes its `jti` (one CSPRNG call per 256 ids).
const pool = Buffer.allocUnsafe(16 * 256);
let poolOffset = pool.length;

export function randomId(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const id = pool.toString('base64url', poolOffset, poolOffset + 16);
  poolOffset += 16;
  return id;
}

/** The claims of an authjwt access token, in the order authjwt writes them. */
export interface AccessClaims {
  sub: string;
  iat: number;
  exp: number;
  jti: string;
  type: 'access';
  sid: string;
}

export const accessTtlSeconds = 900;

/** A realistic population: 64 users, each with a session; sign and verify cycle through them. */
export const population = 64;
export const subjects: readonly string[] = Array.from({ length: population }, () => `usr_${randomId()}`);
export const sessionIds: readonly string[] = Array.from({ length: population }, () => randomId());

let next = 0;

/** The next user's subject and session, cycling through the population. */
export function nextUser(): { subject: string; sessionId: string } {
  const index = next++ & (population - 1);
  return { subject: subjects[index] as string, sessionId: sessionIds[index] as string };
}

/** What a peer library signs: exactly the claims authjwt puts into an access token. */
export function nextAccessClaims(): AccessClaims {
  const { subject, sessionId } = nextUser();
  const iat = Math.floor(Date.now() / 1000);
  return { sub: subject, iat, exp: iat + accessTtlSeconds, jti: randomId(), type: 'access', sid: sessionId };
}

export function decodeSegment(token: string, index: 0 | 1): Record<string, unknown> {
  const segment = token.split('.')[index] ?? '';
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The protected header of an authjwt access token; peers are configured to write the same. */
export interface AccessHeader {
  readonly alg: Algorithm;
  readonly typ: 'at+jwt';
  readonly kid: string;
}

/**
 * One library's sign and verify for one algorithm, set up once (keys parsed, algorithm pinned).
 * `sign` makes a token with the claims of `nextAccessClaims`; `verify` returns the claims or throws.
 */
export type LibraryCases =
  | { readonly async: false; sign(): string; verify(token: string): unknown }
  | { readonly async: true; sign(): Promise<string>; verify(token: string): Promise<unknown> };
