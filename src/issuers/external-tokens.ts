import { AuthError, type AuthErrorReason } from '../errors.js';
import { deepFreeze } from '../internal/deep-freeze.js';
import type { Metrics } from '../metrics/metrics.js';
import { decodeBase64url } from '../tokens/base64url.js';
import {
  checkExternalClaims,
  checkIdTokenClaims,
  type ExternalClaimRules,
  type ExternalClaims,
} from '../tokens/external-claims.js';
import { parseJsonObject, type VerifiedHeader, type VerifiedJws } from '../tokens/jws.js';
import { VerifiedTokenCache } from '../tokens/verified-token-cache.js';
import { discoverJwksUri } from './discovery.js';
import { createRemoteKeySet, type RemoteKeySet } from './key-set.js';
import type { ResolvedIssuer } from './options.js';

/** A verified token of a configured issuer, with its claims mapped. */
export interface ExternalVerification {
  readonly issuer: string;
  readonly claims: ExternalClaims;
  /** The token's protected header, as the issuer wrote it (frozen). */
  readonly header: VerifiedHeader;
  readonly subject: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
}

/** Who an ID token says signed in: its issuer, its `sub`, and its claims (frozen). */
export interface ExternalIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly claims: ExternalClaims;
}

/** The verification of tokens from the configured issuers. */
export interface ExternalTokens {
  /** The configured issuers' identifiers. */
  readonly issuers: readonly string[];
  /**
   * The verified token at once when its issuer's keys are at hand (the steady state), else a promise
   * of it (the first token, an unknown `kid` outside the cooldown). Refusals are `AuthError`s.
   */
  verifyNow(token: unknown): ExternalVerification | Promise<ExternalVerification>;
  /**
   * Verifies an ID token of a configured issuer for a sign-in (see `checkIdTokenClaims`), fetching
   * its keys when needed; `nonce`, when given, must equal the token's.
   */
  verifyIdToken(token: unknown, nonce: string | undefined): Promise<ExternalIdentity>;
  /** Resolves once every issuer has keys (fetching them, within the cooldown); else rejects `jwks_unavailable`. */
  check(): Promise<void>;
  close(): void;
}

export interface ExternalTokenSettings {
  /** The instance's clock, in whole seconds (the one own tokens are checked with). */
  readonly now: () => number;
  readonly maxTokenLength: number;
  /** Entries of the verified-token cache; 0 turns it off. */
  readonly cacheSize: number;
  /** Counts each key-set fetch. */
  readonly metrics: Pick<Metrics, 'keySetFetch'>;
}

interface IssuerState {
  readonly config: ResolvedIssuer;
  readonly rules: ExternalClaimRules;
  readonly keys: RemoteKeySet;
}

/** A token whose signature one issuer's keys verified: its header and payload, and that issuer. */
interface Signed extends VerifiedJws {
  readonly state: IssuerState;
}

const invalid = (reason: AuthErrorReason, cause?: unknown) =>
  new AuthError('token_invalid', { reason, ...(cause !== undefined && { cause }) });

/** At most this many JWKs of a set are read. */
const maxKeysPerSet = 100;

export function createExternalTokens(
  issuers: readonly ResolvedIssuer[],
  settings: ExternalTokenSettings,
): ExternalTokens {
  const { now, cacheSize, maxTokenLength, metrics } = settings;
  // Tokens whose signature verified under a set still current: a new set (a rotation, a withdrawn
  // key) empties it, and a set too stale to use is checked before any entry is trusted.
  const verified = new VerifiedTokenCache(cacheSize);
  const byIssuer = new Map<string, IssuerState>();
  for (const config of issuers) {
    const keys = createRemoteKeySet({
      algorithms: config.algorithms,
      locate: (signal) =>
        config.jwksUri === undefined
          ? discoverJwksUri(config.issuer, { ...config, signal })
          : Promise.resolve(config.jwksUri),
      cooldownMs: config.cooldownMs,
      maxAgeMs: config.maxAgeMs,
      staleIfErrorMs: config.staleIfErrorMs,
      timeoutMs: config.timeoutMs,
      maxBytes: config.maxBytes,
      maxKeys: maxKeysPerSet,
      maxTokenLength,
      onReplaced: () => verified.clear(),
      onFetched: (ok) => metrics.keySetFetch(config.issuer, ok),
    });
    const rules = { issuer: config.issuer, audiences: config.audiences, leeway: config.leeway };
    byIssuer.set(config.issuer, { config, rules, keys });
  }

  // What the mapping made of claims the verified-token cache shares: computed once per token, not
  // per request (splitting a `scope` string on every hit doubled a cached check).
  const mapped = new WeakMap<object, ExternalVerification>();

  // `shared`: the claims come from the verified-token cache (deep-frozen, seen again on every hit),
  // so their mapping is remembered; a token just verified has claims of its own, found in no map.
  function accept(
    state: IssuerState,
    payload: Record<string, unknown>,
    header: VerifiedHeader,
    shared: boolean,
  ): ExternalVerification {
    const claims = checkExternalClaims(payload, header.typ, state.rules, now());
    const known = shared ? mapped.get(claims) : undefined;
    if (known !== undefined) return known;
    const { config } = state;
    const subject = config.subjectOf(claims);
    if (typeof subject !== 'string' || subject.length === 0) throw invalid('sub');
    const roles = config.rolesOf(claims);
    const scopes = config.scopesOf(claims);
    // A remembered mapping reaches the context of every later request with this token, and a context
    // holds its roles and scopes as they are: frozen, or one request could grant the next a scope (a
    // `scope` string splits into an array of its own, not frozen with the claims).
    const verification = {
      issuer: config.issuer,
      claims,
      header,
      subject,
      roles: shared ? Object.freeze(roles) : roles,
      scopes: shared ? Object.freeze(scopes) : scopes,
    };
    if (shared) mapped.set(claims, verification);
    return verification;
  }

  /** After a fetch (or at once, when none may start), verifies with whatever set there is then. */
  function afterLoad(
    state: IssuerState,
    token: string,
    unverified: Record<string, unknown>,
    refusal: () => AuthError,
  ): Promise<Signed> {
    const loading = state.keys.load();
    if (loading === undefined) throw refusal();
    return loading.then(() => {
      const snapshot = state.keys.current();
      if (snapshot === undefined) throw invalid('jwks_unavailable', state.keys.lastError);
      return signedBy(state, snapshot.verify(token, unverified));
    });
  }

  /**
   * The signature check of a token of a configured issuer, at once when its keys are at hand, else a
   * promise of it. Which keys verify is decided by the configured issuer that `iss` names, never by
   * anything in the header; the signature then covers the `iss` that chose them.
   */
  function verifySignature(token: string): Signed | Promise<Signed> {
    const unverified = unverifiedPayload(token, maxTokenLength);
    const state = typeof unverified.iss === 'string' ? byIssuer.get(unverified.iss) : undefined;
    if (state === undefined) throw invalid('issuer_unknown');
    const snapshot = state.keys.current();
    if (snapshot === undefined) {
      return afterLoad(state, token, unverified, () => invalid('jwks_unavailable', state.keys.lastError));
    }
    try {
      return signedBy(state, snapshot.verify(token, unverified));
    } catch (error) {
      // Only a kid the set lacks, on a token whose alg this issuer may use, is worth a fetch.
      if (!(error instanceof AuthError && error.reason === 'kid_unknown')) throw error;
      if (!state.config.algorithms.includes(headerAlg(token) as never)) throw invalid('alg_mismatch');
      return afterLoad(state, token, unverified, () => error);
    }
  }

  function acceptSigned(token: string, { state, header, payload }: Signed): ExternalVerification {
    const verification = accept(state, payload, header, false);
    verified.set(token, payload, header);
    return verification;
  }

  function verifyNow(token: unknown): ExternalVerification | Promise<ExternalVerification> {
    if (typeof token !== 'string' || token.length === 0) throw invalid('not_a_string');
    const hit = cacheSize > 0 ? verified.get(token) : undefined;
    if (hit !== undefined) {
      const state = byIssuer.get(hit.claims.iss as string);
      if (state !== undefined && state.keys.current() !== undefined) {
        try {
          return accept(state, hit.claims, hit.header, true);
        } catch (error) {
          if (error instanceof AuthError && error.code === 'token_expired') verified.delete(token);
          throw error;
        }
      }
    }
    const signed = verifySignature(token);
    return signed instanceof Promise
      ? signed.then((result) => acceptSigned(token, result))
      : acceptSigned(token, signed);
  }

  async function verifyIdToken(token: unknown, nonce: string | undefined): Promise<ExternalIdentity> {
    if (typeof token !== 'string' || token.length === 0) throw invalid('not_a_string');
    if (nonce !== undefined && (typeof nonce !== 'string' || nonce.length === 0)) {
      throw new TypeError('authjwt: nonce must be a non-empty string when given');
    }
    // Never from the verified-token cache: a sign-in is rare, and its rules are not an access token's.
    const { state, header, payload } = await verifySignature(token);
    const { config, rules } = state;
    const claims = checkIdTokenClaims(
      payload,
      header.typ,
      { ...rules, audiences: config.clientIds, maxAge: config.idTokenMaxAge, nonce },
      now(),
    );
    return Object.freeze({
      issuer: config.issuer,
      subject: claims.sub as string,
      claims: deepFreeze(claims),
    });
  }

  return {
    issuers: [...byIssuer.keys()],
    verifyNow,
    verifyIdToken,
    async check() {
      for (const state of byIssuer.values()) {
        if (state.keys.current() !== undefined) continue;
        await state.keys.load();
        if (state.keys.current() === undefined) throw invalid('jwks_unavailable', state.keys.lastError);
      }
    },
    close() {
      for (const state of byIssuer.values()) state.keys.close();
    },
  };
}

/** Built member by member: a spread after `state` copies through a slow generic path on every token. */
function signedBy(state: IssuerState, { header, payload, key }: VerifiedJws): Signed {
  return { state, header, payload, key };
}

/**
 * The payload of a token not yet verified, parsed as strictly as the verifier would (which then uses
 * it rather than parsing it again), to choose the issuer whose keys verify it by its `iss`.
 */
function unverifiedPayload(token: string, maxTokenLength: number): Record<string, unknown> {
  if (token.length > maxTokenLength) throw invalid('too_long');
  // Forward scans only: lastIndexOf walks the signature one character at a time (measured ~5x slower
  // than indexOf over an RS256 signature), indexOf finds the same dots in far less.
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second === -1 || token.indexOf('.', second + 1) !== -1) throw invalid('segments');
  const bytes = decodeBase64url(token.slice(first + 1, second));
  if (bytes === undefined) throw invalid('base64url');
  return parseJsonObject(bytes, 'payload');
}

/** The `alg` a token's header names (its form was checked by the verifier that just refused it). */
function headerAlg(token: string): unknown {
  const bytes = decodeBase64url(token.slice(0, token.indexOf('.')));
  return bytes === undefined ? undefined : parseJsonObject(bytes, 'header').alg;
}
