import { AuthConfigError } from '../errors.js';
import { type Duration, parseDuration, parseDurationMs } from '../internal/duration.js';
import { type Algorithm, algorithmSpecs, isAlgorithm } from '../tokens/algorithms.js';
import type { ExternalClaims } from '../tokens/external-claims.js';
import { scopesIn, scopesOf } from '../tokens/scopes.js';
import { discoveryUrl } from './discovery.js';
import { fetchUrlProblem } from './fetch.js';

/** How the claims of an issuer's tokens become the context's subject, roles and scopes. */
export interface ExternalClaimMapping {
  /** The claim holding the subject (a non-empty string, else the token is refused). Default `'sub'`. */
  subject?: string;
  /**
   * The roles: a claim holding an array of strings, or a function of the claims (for nested claims
   * such as Keycloak's `realm_access.roles`). Default: the `roles` claim.
   */
  roles?: string | ((claims: ExternalClaims) => readonly string[]);
  /**
   * The scopes: a claim holding a space-separated string or an array of strings, or a function of
   * the claims. Default: `scope`, else `scp` (RFC 9068 section 2.2.3; Entra ID and Okta use `scp`).
   */
  scopes?: string | ((claims: ExternalClaims) => readonly string[]);
}

/** How an issuer's JWKS is fetched and kept. */
export interface JwksOptions {
  /**
   * At most one fetch per cooldown, whatever triggers it (an unknown `kid`, a refresh, a retry after a
   * failure), so a flood of tokens with random `kid`s makes at most one. A key the issuer starts
   * using within a cooldown of the last fetch is refused until it ends. Default `'30s'`.
   */
  cooldown?: Duration;
  /** A set this old is refreshed in the background; requests go on with it meanwhile. Default `'10m'`. */
  maxAge?: Duration;
  /**
   * How long past `maxAge` the last good set still serves while the issuer cannot be reached (RFC
   * 5861's stale-if-error); then the issuer's tokens are refused (`jwks_unavailable`) until a fetch
   * succeeds. Longer rides out a longer outage; shorter stops sooner trusting a key the issuer may
   * have withdrawn meanwhile. Default `'1h'`; `0` stops at `maxAge`.
   */
  staleIfError?: Duration;
  /** The deadline of one fetch (discovery, then the set), body included. Default `'5s'`. */
  timeout?: Duration;
  /** The largest document read, in bytes; a larger one fails the fetch. Default 262144 (256 KiB). */
  maxBytes?: number;
}

/** One issuer whose tokens `auth.authenticateExternal` (and the `requireExternal` guard) accept. */
export interface ExternalIssuerOptions {
  /**
   * The issuer identifier, compared exactly with the token's `iss`. Without `jwksUri` it is also
   * where discovery starts: `<issuer>/.well-known/openid-configuration`, whose `issuer` must equal it.
   */
  issuer: string;
  /**
   * The audience of the issuer's access tokens (an API's identifier): their `aud` must contain one of
   * them. Required unless `clientId` is given; without it, no access token of this issuer is accepted.
   */
  audience?: string | readonly string[];
  /**
   * This application's client id at the issuer: the `aud` its ID tokens must contain for
   * `auth.loginWithIdToken`. Without it, no ID token of this issuer signs anyone in.
   */
  clientId?: string | readonly string[];
  /**
   * How long after its `iat` an ID token may still sign someone in (OpenID Connect Core section
   * 3.1.3.7, item 10): a sign-in uses the token the moment the issuer hands it over, so an older one
   * is a replay. Default `'10m'`.
   */
  idTokenMaxAge?: Duration;
  /** The algorithms this issuer signs with: `RS*`, `PS*`, `ES*`, `EdDSA`. Never HMAC, never `none`. */
  algorithms: readonly Algorithm[];
  /** The JWKS location, when it is known (then no discovery). */
  jwksUri?: string;
  /** Clock skew tolerated on `exp`, `nbf` and `iat`, at most 5 minutes. Default 0. */
  leeway?: Duration;
  claims?: ExternalClaimMapping;
  /** Allows plain HTTP to a loopback issuer (tests, a provider beside the app); refused for any other host. */
  allowHttp?: boolean;
  jwks?: JwksOptions;
}

/** An issuer's options, checked and resolved once. */
export interface ResolvedIssuer {
  readonly issuer: string;
  /** Of access tokens; empty: none is accepted. */
  readonly audiences: readonly string[];
  /** Of ID tokens (the client ids); empty: none signs anyone in. */
  readonly clientIds: readonly string[];
  /** Seconds after `iat` an ID token may sign someone in. */
  readonly idTokenMaxAge: number;
  readonly algorithms: readonly Algorithm[];
  /** The configured `jwks_uri`, or `undefined` to discover it. */
  readonly jwksUri: string | undefined;
  readonly allowHttp: boolean;
  readonly leeway: number;
  readonly cooldownMs: number;
  readonly maxAgeMs: number;
  readonly staleIfErrorMs: number;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly subjectOf: (claims: ExternalClaims) => unknown;
  readonly rolesOf: (claims: ExternalClaims) => readonly string[];
  readonly scopesOf: (claims: ExternalClaims) => readonly string[];
}

const none: readonly string[] = Object.freeze([]);

/** Checks `externalIssuers` at construction; `ownIssuers` are the instance's own `issuer` values. */
export function resolveExternalIssuers(value: unknown, ownIssuers: readonly string[]): ResolvedIssuer[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new AuthConfigError('externalIssuers', 'must be an array');
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const resolved = resolveIssuer(entry, `externalIssuers[${index}]`);
    if (seen.has(resolved.issuer)) {
      throw new AuthConfigError(`externalIssuers[${index}].issuer`, 'is configured twice');
    }
    // One `iss`, one verification path: a token must never be both ours and another issuer's.
    if (ownIssuers.includes(resolved.issuer)) {
      throw new AuthConfigError(`externalIssuers[${index}].issuer`, "is this instance's own issuer");
    }
    seen.add(resolved.issuer);
    return resolved;
  });
}

function resolveIssuer(entry: unknown, option: string): ResolvedIssuer {
  if (entry === null || typeof entry !== 'object') throw new AuthConfigError(option, 'must be an object');
  const options = entry as ExternalIssuerOptions;
  const { issuer, jwksUri } = options;
  if (typeof issuer !== 'string' || issuer.length === 0) {
    throw new AuthConfigError(`${option}.issuer`, 'must be a non-empty string');
  }
  const allowHttp = options.allowHttp ?? false;
  if (typeof allowHttp !== 'boolean') throw new AuthConfigError(`${option}.allowHttp`, 'must be a boolean');
  if (jwksUri === undefined) checkUrl(discoveryUrl(issuer), allowHttp, `${option}.issuer`);
  else checkUrl(jwksUri, allowHttp, `${option}.jwksUri`);
  const jwks = options.jwks ?? {};
  if (jwks === null || typeof jwks !== 'object')
    throw new AuthConfigError(`${option}.jwks`, 'must be an object');
  const maxBytes = jwks.maxBytes ?? 262_144;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1024 || maxBytes > 16_777_216) {
    throw new AuthConfigError(`${option}.jwks.maxBytes`, 'must be a whole number from 1024 to 16777216');
  }
  const hour = 3_600_000;
  if (options.audience === undefined && options.clientId === undefined) {
    throw new AuthConfigError(
      `${option}.audience`,
      'is required (or clientId, for ID tokens only): a non-empty string or an array of them',
    );
  }
  return {
    issuer,
    audiences: options.audience === undefined ? none : audiences(options.audience, `${option}.audience`),
    clientIds: options.clientId === undefined ? none : audiences(options.clientId, `${option}.clientId`),
    idTokenMaxAge: parseDuration(`${option}.idTokenMaxAge`, options.idTokenMaxAge ?? '10m', {
      min: 1,
      max: 86_400,
    }),
    algorithms: algorithms(options.algorithms, `${option}.algorithms`),
    jwksUri: jwksUri === undefined ? undefined : new URL(jwksUri).href,
    allowHttp,
    leeway: parseDuration(`${option}.leeway`, options.leeway ?? 0, { min: 0, max: 300 }),
    cooldownMs: parseDurationMs(`${option}.jwks.cooldown`, jwks.cooldown ?? 30, { min: 100, max: hour }),
    maxAgeMs: parseDurationMs(`${option}.jwks.maxAge`, jwks.maxAge ?? '10m', { min: 100, max: 24 * hour }),
    staleIfErrorMs: parseDurationMs(`${option}.jwks.staleIfError`, jwks.staleIfError ?? '1h', {
      min: 0,
      max: 7 * 24 * hour,
    }),
    timeoutMs: parseDurationMs(`${option}.jwks.timeout`, jwks.timeout ?? 5, { min: 50, max: 60_000 }),
    maxBytes,
    ...claimMapping(options.claims, `${option}.claims`),
  };
}

function checkUrl(value: unknown, allowHttp: boolean, option: string): void {
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    throw new AuthConfigError(option, 'must be an absolute URL');
  }
  const problem = fetchUrlProblem(url, allowHttp);
  if (problem !== undefined) throw new AuthConfigError(option, problem);
}

function audiences(value: unknown, option: string): readonly string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((entry) => typeof entry !== 'string' || entry.length === 0)
  ) {
    throw new AuthConfigError(option, 'is required: a non-empty string or an array of them');
  }
  return Object.freeze([...(list as string[])]);
}

function algorithms(value: unknown, option: string): readonly Algorithm[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new AuthConfigError(option, 'is required: the algorithms the issuer signs with, such as ["RS256"]');
  }
  for (const alg of value as unknown[]) {
    if (!isAlgorithm(alg)) {
      throw new AuthConfigError(
        option,
        `"${String(alg)}" is not a supported algorithm (none is never accepted)`,
      );
    }
    // Anyone can read a published key set: an HMAC "check" against it would accept tokens anyone signs.
    if (algorithmSpecs[alg].family === 'hmac') {
      throw new AuthConfigError(
        option,
        `${alg} is symmetric; tokens of another issuer need RS*, PS*, ES* or EdDSA`,
      );
    }
  }
  return Object.freeze([...new Set(value as Algorithm[])]);
}

function claimMapping(
  value: ExternalClaimMapping | undefined,
  option: string,
): Pick<ResolvedIssuer, 'subjectOf' | 'rolesOf' | 'scopesOf'> {
  const mapping = value ?? {};
  if (mapping === null || typeof mapping !== 'object') throw new AuthConfigError(option, 'must be an object');
  const subject = mapping.subject ?? 'sub';
  if (typeof subject !== 'string' || subject.length === 0) {
    throw new AuthConfigError(`${option}.subject`, 'must be a claim name');
  }
  return {
    subjectOf: (claims) => claims[subject],
    rolesOf: listOf(mapping.roles ?? 'roles', `${option}.roles`, rolesIn),
    scopesOf: mapping.scopes === undefined ? scopesOf : listOf(mapping.scopes, `${option}.scopes`, scopesIn),
  };
}

/** A claim name read with `read`, or a function whose answer is kept only if it is a list of strings. */
function listOf(
  source: unknown,
  option: string,
  read: (value: unknown) => readonly string[],
): (claims: ExternalClaims) => readonly string[] {
  if (typeof source === 'string' && source.length > 0) return (claims) => read(claims[source]);
  if (typeof source === 'function') {
    const map = source as (claims: ExternalClaims) => unknown;
    return (claims) => {
      const list = map(claims);
      return Array.isArray(list) && list.every((entry) => typeof entry === 'string')
        ? Object.freeze([...list])
        : none;
    };
  }
  throw new AuthConfigError(option, 'must be a claim name or a function of the claims');
}

/** Roles in a claim: an array of strings (frozen with the claims when the cache shares them); else none. */
function rolesIn(value: unknown): readonly string[] {
  return Array.isArray(value) && value.every((role) => typeof role === 'string') ? value : none;
}
