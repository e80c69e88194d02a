import { AuthError, type AuthErrorReason } from '../errors.js';

/** The two token types; each has its own `typ` header so one can never pass for the other. */
export type TokenType = 'access' | 'refresh';

/** RFC 9068 names the access-token media type; refresh tokens get a type of their own. */
export const typHeaderByType: Readonly<Record<TokenType, string>> = { access: 'at+jwt', refresh: 'rt+jwt' };

/** Claims every token the library issues carries. */
export interface RegisteredClaims {
  /** The user. */
  sub: string;
  iat: number;
  exp: number;
  nbf?: number;
  /** 128 random bits, base64url. */
  jti: string;
  iss?: string;
  aud?: string | string[];
  type: TokenType;
  /** The session the token belongs to. */
  sid?: string;
  /** Until when (NumericDate) an access token counts as fresh; absent on non-fresh tokens. */
  fresh?: number;
  /** The CSRF value bound into a cookie-mode token (double submit). */
  csrf?: string;
}

/** The verified claims: the registered ones plus the custom claims the application added. */
export type TokenClaims = RegisteredClaims & Readonly<Record<string, unknown>>;

/** Names an application may not use for custom claims, because the library sets or checks them. */
export const reservedClaimNames: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'type',
  'sid',
  'fresh',
  'csrf',
  '__proto__',
  'constructor',
  'prototype',
]);

export interface ClaimRules {
  /** Accepted issuers; empty means `iss` is not checked. */
  readonly issuers: readonly string[];
  /** Accepted audiences; the token's `aud` must contain one. Empty means not checked. */
  readonly audiences: readonly string[];
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
  readonly leeway: number;
}

const invalid = (reason: AuthErrorReason) => new AuthError('token_invalid', { reason });

export function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Checks the claims of a token whose signature is already verified, at `now` (seconds). Order:
 * shape first (token_invalid), then type (wrong_token_type), then time (expired, not yet valid).
 */
export function checkClaims(
  payload: Record<string, unknown>,
  typHeader: string | undefined,
  expected: TokenType,
  rules: ClaimRules,
  now: number,
): TokenClaims {
  const { exp, nbf, iat, sub, jti, sid, fresh } = payload;
  if (!isNumericDate(exp)) throw invalid('exp');
  if (nbf !== undefined && !isNumericDate(nbf)) throw invalid('nbf');
  if (iat !== undefined && !isNumericDate(iat)) throw invalid('iat');
  if (typeof sub !== 'string' || sub.length === 0) throw invalid('sub');
  if (jti !== undefined && typeof jti !== 'string') throw invalid('jti');
  if (sid !== undefined && typeof sid !== 'string') throw invalid('sid');
  if (fresh !== undefined && !isNumericDate(fresh)) throw invalid('fresh');
  if (payload.csrf !== undefined && typeof payload.csrf !== 'string') throw invalid('csrf');
  if (rules.issuers.length > 0 && !(typeof payload.iss === 'string' && rules.issuers.includes(payload.iss))) {
    throw invalid('iss');
  }
  if (rules.audiences.length > 0 && !audienceMatches(payload.aud, rules.audiences)) throw invalid('aud');

  const type = payload.type;
  if (type !== 'access' && type !== 'refresh')
    throw new AuthError('wrong_token_type', { reason: 'type_claim' });
  if (type !== expected || typHeader !== typHeaderByType[expected]) {
    throw new AuthError('wrong_token_type', { reason: type === expected ? 'typ_header' : 'type_claim' });
  }

  checkTimes(payload as TokenClaims, rules.leeway, now);
  return payload as TokenClaims;
}

/**
 * The time claims of claims `checkClaims` accepted, at `now` (whole seconds). The rest of a check
 * does not change with time, so a token verified once needs only this on its next use.
 */
export function checkTimes(claims: TokenClaims, leeway: number, now: number): void {
  // RFC 7519 section 4.1.4: the token must not be accepted on or after exp.
  if (now - leeway >= claims.exp) throw new AuthError('token_expired');
  const { nbf, iat } = claims;
  if (nbf !== undefined && now + leeway < nbf) throw new AuthError('token_not_yet_valid');
  if (iat !== undefined && now + leeway < iat) throw new AuthError('token_not_yet_valid', { reason: 'iat' });
}

/** Whether verified claims are still fresh at `now` (whole seconds): `fresh` lies ahead. */
export function isFreshAt(claims: TokenClaims, now: number): boolean {
  return typeof claims.fresh === 'number' && now < claims.fresh;
}

/** Whether `aud` (a string, or a non-empty array of strings) contains one of `accepted`. */
export function audienceMatches(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud);
  if (!Array.isArray(aud) || aud.length === 0) return false;
  let matched = false;
  for (const entry of aud) {
    if (typeof entry !== 'string') return false;
    if (accepted.includes(entry)) matched = true;
  }
  return matched;
}
