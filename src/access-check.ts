import type { AuthContext, ContextBrand, ExternalTokenContext, OwnTokenContext } from './context.js';
import { AuthError } from './errors.js';
import type { ExternalTokens, ExternalVerification } from './issuers/external-tokens.js';
import type { Metrics } from './metrics/metrics.js';
import type { RegisteredUser } from './register.js';
import type { SessionManager } from './sessions/types.js';
import type { UserProfiles } from './sessions/user-profiles.js';
import { isFreshAt, reservedClaimNames, type TokenClaims } from './tokens/claims.js';
import { scopesOf } from './tokens/scopes.js';
import {
  secondsOf,
  type TokenService,
  type VerifiedToken,
  type VerifiedTokenEntry,
  verifierAt,
} from './tokens/token-service.js';

export interface AuthenticateOptions {
  /** Read the session from the store, whatever this process's cache holds. Default false. */
  readonly strict?: boolean;
}

/** What the per-request check needs of its auth instance. */
export interface AccessCheckDependencies {
  readonly tokens: TokenService;
  readonly sessions: SessionManager;
  readonly profiles: UserProfiles;
  readonly contexts: ContextBrand;
  /** Tokens of the configured issuers (none configured: every token is `issuer_unknown`). */
  readonly external: ExternalTokens;
  readonly metrics: Metrics;
  /** The clock the token service and the sessions read, in ms: read once per check. */
  readonly clockMs: () => number;
  /** The roles of a verified token, frozen, when the profile does not give them. */
  readonly rolesOf: (claims: TokenClaims) => readonly string[];
  /** Sliding renewal: seconds before `exp` from which a new access token rides along; none when undefined. */
  readonly renewWithin: number | undefined;
}

/** The checks every guarded request runs: the hot path, kept apart from the rest of the API. */
export interface AccessCheck {
  /** The context at once when this process's caches can decide, else a promise of it; a refusal decided at once is thrown. */
  authenticateNow(
    accessToken: unknown,
    options?: AuthenticateOptions,
  ): OwnTokenContext | Promise<OwnTokenContext>;
  /** A refresh token's context (its session is checked when the token is used). */
  authenticateRefresh(refreshToken: unknown): OwnTokenContext;
  /** A configured issuer's token's context, at once when its keys are at hand, else a promise of it. */
  authenticateExternalNow(token: unknown): ExternalTokenContext | Promise<ExternalTokenContext>;
  /** Throws `insufficient_role` unless the context holds one of `roles`; `token_invalid` for a foreign context. */
  requireRoles(context: AuthContext, roles: readonly string[]): void;
  /** Throws `insufficient_scope` unless the context grants every one of `scopes`; `token_invalid` for a foreign context. */
  requireScopes(context: AuthContext, scopes: readonly string[]): void;
}

const noRoles: readonly string[] = Object.freeze([]);
const noScopes = noRoles;

/** Roles from the application's functions, copied and frozen: a context's roles never change. */
export function frozenRoles(roles: readonly string[]): readonly string[] {
  return Object.freeze([...roles]);
}

/** The `roles` claim: frozen with the verified claims, so a context can hold it as it is. */
export function defaultRoles(claims: TokenClaims): readonly string[] {
  const roles = claims.roles;
  return Array.isArray(roles) && roles.every((role) => typeof role === 'string') ? roles : noRoles;
}

// The scopes of claims the verified-token cache shares, split once rather than on every request
// (splitting a `scope` string per request measured ~40% of a cached check).
const scopesByClaims = new WeakMap<TokenClaims, readonly string[]>();

/** The scopes of verified claims (`scope` or `scp`), frozen; remembered for the claims object. */
function scopesOfClaims(claims: TokenClaims): readonly string[] {
  if (claims.scope === undefined && claims.scp === undefined) return noScopes;
  let scopes = scopesByClaims.get(claims);
  if (scopes === undefined) {
    scopes = Object.freeze([...scopesOf(claims)]);
    scopesByClaims.set(claims, scopes);
  }
  return scopes;
}

/** The application's own claims of a verified token: everything the library did not set. */
function applicationClaims(claims: TokenClaims): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const name of Object.keys(claims)) if (!reservedClaimNames.has(name)) own[name] = claims[name];
  return own;
}

export function createAccessCheck({
  tokens,
  sessions,
  profiles,
  contexts,
  external,
  metrics,
  clockMs,
  rolesOf,
  renewWithin,
}: AccessCheckDependencies): AccessCheck {
  const verifyAt = verifierAt(tokens);
  const profileRoles = (user: unknown) => {
    const roles = profiles.roles(user);
    return roles === undefined ? undefined : frozenRoles(roles);
  };

  /**
   * The access check, answered synchronously when this process's caches can decide it (the steady
   * state in cached mode: no store call, so no promise), else as a promise. Each part is asked of
   * the cache once; only what it could not tell goes to the store.
   */
  function authenticateNow(
    accessToken: unknown,
    options?: AuthenticateOptions,
  ): OwnTokenContext | Promise<OwnTokenContext> {
    let verified: VerifiedTokenEntry;
    let claims: TokenClaims;
    let sessionEndsAt: number | undefined;
    let profile: { readonly user: unknown } | undefined;
    let now: number;
    try {
      // One clock reading for the token, the session and freshness.
      const nowMs = clockMs();
      now = secondsOf(nowMs);
      verified = verifyAt(accessToken, 'access', now);
      claims = verified.claims;
      sessionEndsAt = options?.strict === true ? undefined : sessions.checkLocally(claims, nowMs, verified);
      profile = profiles.loadLocally(claims.sub);
      if (sessionEndsAt !== undefined && profile !== undefined) {
        const context = contextOf(verified, profile.user, sessionEndsAt, now);
        metrics.verification('ok');
        return context;
      }
    } catch (error) {
      return refused(error);
    }
    return fromStore(verified, sessionEndsAt, profile, now);
  }

  /** What the cache could not tell, from the store: the session (unless it passed), the profile. */
  async function fromStore(
    verified: VerifiedToken,
    sessionEndsAt: number | undefined,
    profile: { readonly user: unknown } | undefined,
    now: number,
  ): Promise<OwnTokenContext> {
    const { claims } = verified;
    try {
      const [endsAt, user] = await Promise.all([
        sessionEndsAt ?? sessions.check(claims),
        profile === undefined ? profiles.load(claims.sub) : profile.user,
      ]);
      const context = contextOf(verified, user, endsAt, now);
      metrics.verification('ok');
      return context;
    } catch (error) {
      return refused(error);
    }
  }

  function acceptedExternal(verified: ExternalVerification): ExternalTokenContext {
    const context = externalContextOf(verified);
    metrics.externalVerification('ok');
    return context;
  }

  /** Counts a refused external verification by its code, then rethrows it. */
  function refusedExternal(error: unknown): never {
    metrics.externalVerification(error instanceof AuthError ? error.code : 'error');
    throw error;
  }

  /** Counts a refused verification by its code, then rethrows it. */
  function refused(error: unknown): never {
    metrics.verification(error instanceof AuthError ? error.code : 'error');
    throw error;
  }

  function contextOf(
    { claims, header }: VerifiedToken,
    user: unknown,
    sessionEndsAt: number | undefined,
    now: number,
  ): OwnTokenContext {
    return contexts.make<OwnTokenContext>({
      subject: claims.sub,
      issuer: undefined,
      sessionId: claims.sid,
      sessionEndsAt,
      claims,
      header,
      tokenType: 'access',
      roles: profileRoles(user) ?? rolesOf(claims),
      scopes: scopesOfClaims(claims),
      fresh: isFreshAt(claims, now),
      // What `users.load` returned, which `createAuth<User>` typed as the registered user.
      user: user as RegisteredUser,
      renewedAccessToken: renewal(claims, now),
    });
  }

  function externalContextOf(verified: ExternalVerification): ExternalTokenContext {
    return contexts.make<ExternalTokenContext>({
      subject: verified.subject,
      issuer: verified.issuer,
      // No session, no profile: nothing of such a token is in the store (see ExternalTokenContext).
      sessionId: undefined,
      sessionEndsAt: undefined,
      claims: verified.claims,
      header: verified.header,
      tokenType: 'external',
      roles: verified.roles,
      scopes: verified.scopes,
      fresh: false,
      user: undefined,
      renewedAccessToken: undefined,
    });
  }

  function renewal(claims: TokenClaims, now: number): OwnTokenContext['renewedAccessToken'] {
    if (renewWithin === undefined || claims.exp - now > renewWithin) return undefined;
    const renewed = tokens.signAccessToken({
      subject: claims.sub,
      ...(claims.sid !== undefined && { sessionId: claims.sid }),
      ...(claims.csrf !== undefined && { csrf: claims.csrf }),
      claims: applicationClaims(claims),
    });
    return { token: renewed.token, expiresIn: renewed.expiresIn };
  }

  return {
    authenticateNow,
    authenticateRefresh(refreshToken) {
      const { claims, header } = tokens.verifyToken(refreshToken, 'refresh');
      return contexts.make<OwnTokenContext>({
        subject: claims.sub,
        issuer: undefined,
        sessionId: claims.sid,
        // A refresh token's session is checked when it is used, not here.
        sessionEndsAt: undefined,
        claims,
        header,
        tokenType: 'refresh',
        roles: noRoles,
        scopes: noScopes,
        fresh: false,
        user: undefined,
        renewedAccessToken: undefined,
      });
    },
    authenticateExternalNow(token) {
      let verified: ExternalVerification | Promise<ExternalVerification>;
      try {
        verified = external.verifyNow(token);
      } catch (error) {
        return refusedExternal(error);
      }
      return verified instanceof Promise
        ? verified.then(acceptedExternal, refusedExternal)
        : acceptedExternal(verified);
    },
    requireRoles(context, roles) {
      const held = contexts.rolesOf(context);
      if (!roles.some((role) => held.includes(role))) throw new AuthError('insufficient_role');
    },
    requireScopes(context, scopes) {
      const granted = contexts.scopesOf(context);
      if (!scopes.every((scope) => granted.includes(scope))) throw new AuthError('insufficient_scope');
    },
  };
}
