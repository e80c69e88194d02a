import type { JsonWebKey } from 'node:crypto';
import { AuthConfigError, AuthError } from '../errors.js';
import { type Duration, parseDuration } from '../internal/duration.js';
import {
  type ClaimRules,
  checkClaims,
  checkTimes,
  isFreshAt,
  reservedClaimNames,
  type TokenClaims,
  type TokenType,
  typHeaderByType,
} from './claims.js';
import { createJwsVerifier, defaultMaxTokenLength, signCompact, type VerifiedHeader } from './jws.js';
import { createKeyRing, type KeyRingOptions, type KeyRotation } from './key-ring.js';
import type { ResolvedKey } from './keys.js';
import { randomId } from './random-id.js';
import { type VerifiedEntry, VerifiedTokenCache } from './verified-token-cache.js';

export interface TokenOptions extends KeyRingOptions {
  /** Set as `iss` on every token and required on every token verified. An array accepts several; the first is set. */
  issuer?: string | readonly string[];
  /** Set as `aud` on every token; a verified token's `aud` must contain one of them. */
  audience?: string | readonly string[];
  /** Access token lifetime. Default `'15m'`. */
  accessTtl?: Duration;
  /** Refresh token lifetime. Default `'14d'`. */
  refreshTtl?: Duration;
  /** How long a fresh access token stays fresh. Default `'5m'`. */
  freshTtl?: Duration;
  /** Clock skew tolerated on `exp`, `nbf` and `iat`, at most 5 minutes. Default 0. */
  leeway?: Duration;
  /** Longest token accepted, in characters. Default 8192. */
  maxTokenLength?: number;
  /** Milliseconds since the epoch; inject for tests. Default `Date.now`. */
  clock?: () => number;
  /**
   * How many verified tokens to remember, so a token presented again skips the signature check and
   * parse (its claims are checked again every time). Default 10000; 0 turns it off.
   */
  verifiedTokenCache?: number;
}

export interface SignTokenInput {
  /** The user id (`sub`). */
  subject: string;
  /** The session (`sid`). */
  sessionId?: string;
  /** Application claims; reserved names (`sub`, `exp`, `type`, ...) are refused. */
  claims?: Readonly<Record<string, unknown>>;
  /** Overrides the configured lifetime for this one token. */
  ttl?: Duration;
  /** The token id, when the caller must know it in advance (a session's refresh token). Default: 128 random bits. */
  jti?: string;
  /** The CSRF value bound into the token (cookie mode's double submit). */
  csrf?: string;
  /**
   * Further JOSE header parameters (RFC 7515 section 4), such as `x5t`. Those that decide how the
   * token is verified (`alg`, `kid`, `typ`, `crit`, `jku`, `jwk`, `x5u`, `b64`, `zip`) are refused.
   */
  header?: Readonly<Record<string, unknown>>;
}

export interface SignAccessTokenInput extends SignTokenInput {
  /** Marks the token fresh for `freshTtl` seconds (the user just proved a credential). */
  fresh?: boolean;
}

export interface IssuedToken {
  readonly token: string;
  readonly claims: TokenClaims;
  /** Seconds until `exp`. */
  readonly expiresIn: number;
}

/** A token the service verified: its claims and its protected JOSE header. */
export interface VerifiedToken {
  readonly claims: TokenClaims;
  readonly header: VerifiedHeader;
}

/** Signs and verifies the library's two token types; synchronous, no I/O. */
export interface TokenService {
  signAccessToken(input: SignAccessTokenInput): IssuedToken;
  signRefreshToken(input: SignTokenInput): IssuedToken;
  /**
   * Throws `AuthError` for anything but a valid, unexpired access token of this service. Claims shared
   * through the verified-token cache come deep-frozen; with the cache off each call gets its own.
   */
  verifyAccessToken(token: unknown): TokenClaims;
  /** Throws `AuthError` for anything but a valid, unexpired refresh token of this service. */
  verifyRefreshToken(token: unknown): TokenClaims;
  /**
   * `verifyAccessToken` or `verifyRefreshToken` with the verified protected header beside the claims
   * (custom parameters included, see `SignTokenInput.header`).
   */
  verifyToken(token: unknown, type: 'access' | 'refresh'): VerifiedToken;
  /** Whether verified access-token claims are still fresh now. */
  isFresh(claims: TokenClaims): boolean;
  /** The public verification keys as a JWKS (RFC 7517 section 5); empty under HMAC. */
  jwks(): { keys: JsonWebKey[] };
  /** The service's clock, in whole seconds. */
  now(): number;
  readonly accessTtl: number;
  readonly refreshTtl: number;
  readonly freshTtl: number;
  /** The own keys, rotated at runtime: add (publish), switch the signing key, retire, list. */
  readonly keys: KeyRotation;
}

/** Header parameters the library sets, or that would change how a verifier finds or trusts the key. */
const reservedHeaderNames: ReadonlySet<string> = new Set([
  'alg',
  'kid',
  'typ',
  'crit',
  'jku',
  'jwk',
  'x5u',
  'b64',
  'zip',
  '__proto__',
]);

const maximumLeeway = 300;
// Far above any sane lifetime, and low enough that `iat + ttl` stays an exact integer: without a
// bound, '9999...9d' parses to Infinity and every token would carry `"exp": null`.
const maximumTtl = 10 * 366 * 86_400;

export function createTokenService(options: TokenOptions): TokenService {
  if (options === null || typeof options !== 'object')
    throw new AuthConfigError('options', 'must be an object');
  const ring = createKeyRing(options);
  const issuers = stringList('issuer', options.issuer);
  const audiences = stringList('audience', options.audience);
  const ttlBounds = { max: maximumTtl };
  const accessTtl = parseDuration('accessTtl', options.accessTtl ?? '15m', ttlBounds);
  const refreshTtl = parseDuration('refreshTtl', options.refreshTtl ?? '14d', ttlBounds);
  const freshTtl = parseDuration('freshTtl', options.freshTtl ?? '5m', ttlBounds);
  const leeway = parseDuration('leeway', options.leeway ?? 0, { min: 0, max: maximumLeeway });
  const maxTokenLength = options.maxTokenLength ?? defaultMaxTokenLength;
  if (!Number.isSafeInteger(maxTokenLength) || maxTokenLength < 256) {
    throw new AuthConfigError('maxTokenLength', 'must be a whole number of at least 256');
  }
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function')
    throw new AuthConfigError('clock', 'must be a function returning milliseconds');
  const now = () => secondsOf(clock());
  now();

  const rules: ClaimRules = { issuers, audiences, leeway };
  const verifyCompact = createJwsVerifier(ring, maxTokenLength);
  const cacheSize = options.verifiedTokenCache ?? 10_000;
  if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) {
    throw new AuthConfigError('verifiedTokenCache', 'must be a whole number >= 0 (0 turns it off)');
  }
  const verified = new VerifiedTokenCache<TokenClaims>(cacheSize);
  // Replaced as a whole on a switch; one object, so the closures below keep constant context slots.
  const signer = { key: ring.signingKey, headers: headersOf(ring.signingKey) };
  const issuerClaim = issuers[0];
  const audienceClaim =
    audiences.length === 0 ? undefined : audiences.length === 1 ? audiences[0] : [...audiences];
  // Constant objects per signing key, so signCompact encodes each header once.
  function headersOf(key: ResolvedKey | undefined) {
    return {
      access: key && { alg: key.alg.name, typ: typHeaderByType.access, kid: key.kid },
      refresh: key && { alg: key.alg.name, typ: typHeaderByType.refresh, kid: key.kid },
    };
  }
  ring.onChange?.((change) => {
    if (change === 'sign') {
      signer.key = ring.signingKey;
      signer.headers = headersOf(signer.key);
    }
    // A retired key must stop verifying at once, tokens already verified with it included.
    if (change === 'retire') verified.clear();
  });

  function sign(type: TokenType, input: SignAccessTokenInput, defaultTtl: number): IssuedToken {
    const signingKey = signer.key;
    if (signingKey === undefined) throw new AuthConfigError('signingKey', 'is required to issue tokens');
    if (typeof input.subject !== 'string' || input.subject.length === 0) {
      throw new TypeError('authjwt: subject must be a non-empty string');
    }
    const ttl = input.ttl === undefined ? defaultTtl : parseDuration('ttl', input.ttl, ttlBounds);
    const iat = now();
    const claims: Record<string, unknown> = {};
    if (input.claims !== undefined) {
      for (const name of Object.keys(input.claims)) {
        if (reservedClaimNames.has(name))
          throw new TypeError(`authjwt: the claim name "${name}" is reserved`);
        claims[name] = input.claims[name];
      }
    }
    claims.sub = input.subject;
    claims.iat = iat;
    claims.exp = iat + ttl;
    if (
      input.jti !== undefined &&
      (typeof input.jti !== 'string' || input.jti.length === 0 || input.jti.length > 128)
    ) {
      throw new TypeError('authjwt: jti must be a non-empty string of at most 128 characters');
    }
    claims.jti = input.jti ?? randomId();
    claims.type = type;
    if (issuerClaim !== undefined) claims.iss = issuerClaim;
    if (audienceClaim !== undefined) claims.aud = audienceClaim;
    if (input.sessionId !== undefined) claims.sid = input.sessionId;
    if (input.csrf !== undefined) claims.csrf = input.csrf;
    if (type === 'access' && input.fresh === true) claims.fresh = iat + Math.min(freshTtl, ttl);
    const header = signer.headers[type] as Record<string, unknown>;
    const token = signCompact(
      input.header === undefined ? header : withExtraHeader(header, input.header),
      claims,
      signingKey,
    );
    return { token, claims: claims as TokenClaims, expiresIn: ttl };
  }

  function verifyAt(token: unknown, type: TokenType, now: number): VerifiedTokenEntry {
    const hit = cacheSize > 0 && typeof token === 'string' ? verified.get(token) : undefined;
    if (hit !== undefined) {
      try {
        // Accepted as this type before: the claims are frozen and the rules fixed, so only the time
        // can have changed. Any other type gets the whole check, and its exact refusal.
        if (hit.acceptedAs === type) checkTimes(hit.claims, leeway, now);
        else checkClaims(hit.claims, hit.header.typ, type, rules, now);
        // The entry itself, whose claims just passed: no object made per request.
        return hit;
      } catch (error) {
        // An expired token will never pass again: forget it now rather than when it ages out.
        if (error instanceof AuthError && error.code === 'token_expired') verified.delete(token as string);
        throw error;
      }
    }
    const { header, payload } = verifyCompact(token);
    const claims = checkClaims(payload, header.typ, type, rules, now);
    return verified.set(token as string, claims, header, type);
  }

  const verify = (token: unknown, type: TokenType) => verifyAt(token, type, now());
  const service: TokenService = {
    signAccessToken: (input) => sign('access', input, accessTtl),
    signRefreshToken: (input) => sign('refresh', input, refreshTtl),
    verifyAccessToken: (token) => verify(token, 'access').claims,
    verifyRefreshToken: (token) => verify(token, 'refresh').claims,
    verifyToken: verify,
    isFresh: (claims) => isFreshAt(claims, now()),
    jwks: () => ({
      keys: ring.keys.flatMap((key) => (key.publicJwk === undefined ? [] : [{ ...key.publicJwk }])),
    }),
    now,
    accessTtl,
    refreshTtl,
    freshTtl,
    keys: { add: ring.add, useForSigning: ring.useForSigning, retire: ring.retire, list: ring.list },
  };
  verifiersAt.set(service, verifyAt);
  presentedTokens.set(service, (source, start) =>
    cacheSize > 0 ? verified.tokenPresentedAs(source, start) : undefined,
  );
  return service;
}

/**
 * Verification at a time its caller read, in whole seconds: the per-request check reads the clock
 * once for the token, the session and freshness. (`Date.now()` measured ~40 ns here, three times the
 * claims check of a cached token; three readings were a quarter of a cached check.) Internal: a
 * public "verify at any time" would invite a stale clock.
 */
export type VerifyAt = (token: unknown, type: TokenType, now: number) => VerifiedTokenEntry;

/** A verified token as the verified-token cache holds it, with its handle on the token's session. */
export type VerifiedTokenEntry = VerifiedEntry<TokenClaims>;

const verifiersAt = new WeakMap<TokenService, VerifyAt>();

/**
 * The verified token a header value carries from `start` to its end, when the verified-token cache
 * holds it: the cached string itself (see VerifiedTokenCache.tokenPresentedAs). Internal, for the
 * HTTP layer's guard; an unknown value gives `undefined`, and the caller reads it as usual.
 */
export type TokenPresentedAs = (source: string, start: number) => string | undefined;

const presentedTokens = new WeakMap<TokenService, TokenPresentedAs>();
const nothingCached: TokenPresentedAs = () => undefined;

/** The `TokenPresentedAs` of a token service (none cached for one `createTokenService` did not make). */
export function tokenPresentedAs(service: TokenService): TokenPresentedAs {
  return presentedTokens.get(service) ?? nothingCached;
}

/** The `VerifyAt` of a service `createTokenService` made. */
export function verifierAt(service: TokenService): VerifyAt {
  const verifyAt = verifiersAt.get(service);
  if (verifyAt === undefined) throw new TypeError('authjwt: not a token service of createTokenService');
  return verifyAt;
}

/** Whole seconds of a clock reading in milliseconds; a broken clock fails closed. */
export function secondsOf(milliseconds: number): number {
  const seconds = Math.floor(milliseconds / 1000);
  // NaN compares false with everything, so a broken clock would pass every exp check: fail closed.
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new AuthConfigError('clock', 'must return milliseconds since the epoch as a finite number');
  }
  return seconds;
}

function withExtraHeader(
  header: Record<string, unknown>,
  extra: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) {
    throw new TypeError('authjwt: header must be an object of JOSE header parameters');
  }
  const merged: Record<string, unknown> = {};
  for (const name of Object.keys(extra)) {
    if (reservedHeaderNames.has(name)) {
      throw new TypeError(`authjwt: the header parameter "${name}" is reserved`);
    }
    merged[name] = extra[name];
  }
  return Object.assign(merged, header);
}

function stringList(option: string, value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  // An empty array would silently turn the iss/aud check off (say, an unset env var split on ','),
  // so it is refused like any other malformed value; leave the option out to skip the check.
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((entry) => typeof entry !== 'string' || entry.length === 0)
  ) {
    throw new AuthConfigError(option, 'must be a non-empty string or an array of them');
  }
  return Object.freeze([...list]);
}
