import { AuthConfigError, AuthError } from './errors.js';
import type { TokenClaims } from './tokens/claims.js';
import { randomId } from './tokens/random-id.js';
import { createTokenService, type TokenOptions, type TokenService } from './tokens/token-service.js';

/** Options of one auth instance. Validated once, here; every message names the option. */
export interface AuthOptions extends TokenOptions {
  /**
   * Where a request's roles come from. Default: the `roles` claim (an array of strings) of the access
   * token; anything else counts as no roles.
   */
  roles?: (claims: TokenClaims) => readonly string[];
}

/** What a guard puts on the request once a token passed. */
export interface AuthContext {
  /** The user id (`sub`). */
  readonly subject: string;
  /** The session (`sid`) the token belongs to. */
  readonly sessionId: string | undefined;
  readonly claims: TokenClaims;
  readonly tokenType: 'access' | 'refresh';
  readonly roles: readonly string[];
  /** Whether the access token is still fresh (see `freshTtl`). */
  readonly fresh: boolean;
}

export interface LoginInput {
  /** The user id, placed in `sub`. */
  subject: string;
  /** Application claims for the tokens (for example `roles`); reserved names are refused. */
  claims?: Readonly<Record<string, unknown>>;
  /** Whether the access token is fresh. Default true: the user just proved a credential. */
  fresh?: boolean;
}

export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly sessionId: string;
}

export interface FreshTokenInput {
  subject: string;
  /** Keep the caller's current session; omit to start a new one. */
  sessionId?: string;
  claims?: Readonly<Record<string, unknown>>;
}

/**
 * One auth instance: its keys, token rules and (with a store) its sessions. Everything a framework
 * adapter needs and nothing framework-specific. Two instances in one process share nothing.
 */
export interface Auth {
  readonly tokens: TokenService;
  /** Issues an access and a refresh token for a user who just authenticated. */
  login(input: LoginInput): Promise<TokenPair>;
  /**
   * Exchanges a refresh token for a new pair. Takes the token itself, or the context a refresh guard
   * already verified (so the route does not verify twice).
   */
  refresh(refreshToken: unknown): Promise<TokenPair>;
  /** Issues a fresh access token, in the given session or a new one. */
  freshAccessToken(
    input: FreshTokenInput,
  ): Promise<{ accessToken: string; expiresIn: number; sessionId: string }>;
  /** Verifies an access token; rejects with `AuthError` otherwise. */
  authenticate(accessToken: unknown): Promise<AuthContext>;
  /** Verifies a refresh token; rejects with `AuthError` otherwise. */
  authenticateRefresh(refreshToken: unknown): Promise<AuthContext>;
  /** Throws `AuthError('insufficient_role')` unless the context holds one of `roles`. */
  requireRoles(context: AuthContext, roles: readonly string[]): void;
}

const applicationClaimsKey = 'app';

function defaultRoles(claims: TokenClaims): readonly string[] {
  const roles = claims.roles;
  return Array.isArray(roles) && roles.every((role) => typeof role === 'string') ? roles : [];
}

function isRefreshContext(value: unknown): value is AuthContext {
  return typeof value === 'object' && value !== null && (value as AuthContext).tokenType === 'refresh';
}

/** Creates an auth instance. Throws `AuthConfigError` at once for any unusable option. */
export function createAuth(options: AuthOptions): Auth {
  const tokens = createTokenService(options);
  const rolesOf = options.roles ?? defaultRoles;
  if (typeof rolesOf !== 'function') throw new AuthConfigError('roles', 'must be a function');

  function context(claims: TokenClaims, tokenType: 'access' | 'refresh'): AuthContext {
    return {
      subject: claims.sub,
      sessionId: claims.sid,
      claims,
      tokenType,
      roles: tokenType === 'access' ? rolesOf(claims) : [],
      fresh: tokenType === 'access' && tokens.isFresh(claims),
    };
  }

  function issuePair(
    subject: string,
    sessionId: string,
    claims: LoginInput['claims'],
    fresh: boolean,
  ): TokenPair {
    const access = tokens.signAccessToken({ subject, sessionId, fresh, ...(claims && { claims }) });
    // Without a session store the refresh token has to carry the application claims, so that a
    // refresh can re-issue them; they sit in one claim so they cannot shadow registered ones.
    const refresh = tokens.signRefreshToken({
      subject,
      sessionId,
      ...(claims && { claims: { [applicationClaimsKey]: claims } }),
    });
    return {
      accessToken: access.token,
      refreshToken: refresh.token,
      tokenType: 'Bearer',
      expiresIn: access.expiresIn,
      sessionId,
    };
  }

  return {
    tokens,
    async login(input) {
      return issuePair(input.subject, randomId(), input.claims, input.fresh ?? true);
    },
    async refresh(refreshToken) {
      const claims = isRefreshContext(refreshToken)
        ? refreshToken.claims
        : tokens.verifyRefreshToken(refreshToken);
      if (claims.sid === undefined) throw new AuthError('token_invalid', { reason: 'sid' });
      const carried = claims[applicationClaimsKey];
      const applicationClaims =
        carried !== null && typeof carried === 'object' && !Array.isArray(carried)
          ? (carried as Record<string, unknown>)
          : undefined;
      return issuePair(claims.sub, claims.sid, applicationClaims, false);
    },
    async freshAccessToken(input) {
      const sessionId = input.sessionId ?? randomId();
      const access = tokens.signAccessToken({
        subject: input.subject,
        sessionId,
        fresh: true,
        ...(input.claims && { claims: input.claims }),
      });
      return { accessToken: access.token, expiresIn: access.expiresIn, sessionId };
    },
    async authenticate(accessToken) {
      return context(tokens.verifyAccessToken(accessToken), 'access');
    },
    async authenticateRefresh(refreshToken) {
      return context(tokens.verifyRefreshToken(refreshToken), 'refresh');
    },
    requireRoles(ctx, roles) {
      if (!roles.some((role) => ctx.roles.includes(role))) throw new AuthError('insufficient_role');
    },
  };
}
