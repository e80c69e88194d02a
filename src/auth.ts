import { type AuthContext, createContextBrand } from './context.js';
import { AuthConfigError, AuthError } from './errors.js';
import { recordAuthSettings } from './internal/auth-settings.js';
import { type Duration, parseDuration } from './internal/duration.js';
import { Metrics, type MetricsOptions, type MetricsSnapshot } from './metrics/metrics.js';
import type { RegisteredUser } from './register.js';
import { withDeadline } from './sessions/deadline.js';
import { createLoginThrottle, type LoginThrottleOptions } from './sessions/login-throttle.js';
import {
  checkStore,
  checkUserStateRetention,
  resolveSessionOptions,
  type SessionOptions,
  type UserOptions,
} from './sessions/options.js';
import { SessionCache } from './sessions/session-cache.js';
import { createStatefulSessions, type SessionDependencies } from './sessions/stateful.js';
import { createStatelessSessions } from './sessions/stateless.js';
import type { FreshToken, FreshTokenInput, LoginInput, SessionView, TokenPair } from './sessions/types.js';
import { createUserProfiles } from './sessions/user-profiles.js';
import { memoryStore } from './stores/memory.js';
import type { LoginAttempt, RevocationEvent, SessionStore } from './stores/port.js';
import { reservedClaimNames, type TokenClaims } from './tokens/claims.js';
import { createTokenService, type TokenOptions, type TokenService } from './tokens/token-service.js';

export type { AuthContext } from './context.js';

/** Options of one auth instance. Validated once, here; every message names the option. */
export interface AuthOptions<User = RegisteredUser> extends TokenOptions {
  /** Where sessions live. Default: `memoryStore()`, correct within one process. */
  store?: SessionStore;
  sessions?: SessionOptions;
  /** The application's users: profile loading (cached in the store) and soft delete. */
  users?: UserOptions<User>;
  /**
   * Sliding renewal: when a valid access token has less than this left, the response carries a new
   * one (see the adapter), so active clients never see a 401 for expiry. Default: off.
   */
  renewAccessTokenWithin?: Duration;
  /**
   * Roles from the token when `users.roles` is not set. Default: the `roles` claim (an array of
   * strings); anything else counts as no roles.
   */
  roles?: (claims: TokenClaims) => readonly string[];
  /** A sink for every metric observation (OpenTelemetry, prom-client, ...); `auth.metrics()` works without it. */
  metrics?: MetricsOptions;
  /** Limits of `auth.throttleLogin`: failed logins per account at a client, and per client. */
  loginThrottle?: LoginThrottleOptions;
}

export interface AuthenticateOptions {
  /** Read the session from the store, whatever this process's cache holds. Default false. */
  readonly strict?: boolean;
}

/**
 * One auth instance: its keys, token rules, sessions and users. Everything a framework adapter needs
 * and nothing framework-specific. Two instances in one process share nothing.
 */
export interface Auth {
  readonly tokens: TokenService;
  readonly store: SessionStore;
  /** Starts a session for a user who just proved a credential; returns its token pair. */
  login(input: LoginInput): Promise<TokenPair>;
  /**
   * Login throttling around the application's credential check (see `loginThrottle`): refuses with
   * 429 `too_many_attempts` (and `retryAfter` seconds) while the account at this client, or the
   * client, has failed too often within the window, even for the right password; counts a check that
   * finds no user as a failure (`invalid_credentials`); a success clears the account's failures at
   * this client. Counters live in the store, so every instance shares them.
   *
   * ```ts
   * const user = await auth.throttleLogin({ account: username, client: request.ip }, () =>
   *   users.verifyPassword(username, password), // your check: the user, or null
   * );
   * ```
   */
  throttleLogin<User>(attempt: LoginAttempt, verify: () => Promise<User | null | undefined>): Promise<User>;
  /**
   * Rotates the refresh token's session and returns a new pair. Takes the token itself, or the context
   * a refresh guard of this instance verified (so the route does not verify twice); any other object
   * (a parsed request body, a copy of a context) is refused as `token_invalid`.
   */
  refresh(refreshToken: unknown): Promise<TokenPair>;
  /** A fresh access token in the given live session, or in a new session. */
  freshAccessToken(input: FreshTokenInput): Promise<FreshToken>;
  /**
   * Verifies an access token and its session and user; rejects with `AuthError` otherwise. With
   * `{ strict: true }` the session is read from the store even where this process's cache could answer
   * (the WebSocket guard's periodic re-checks: nothing outlives its session by more than one period).
   */
  authenticate(accessToken: unknown, options?: AuthenticateOptions): Promise<AuthContext>;
  /**
   * `authenticate` without a promise when none is needed: the context at once when this process's
   * caches can decide (the steady state with `revocation: 'cached'`), else a promise of it. A refusal
   * decided at once is thrown. For framework adapters, which run it on every request.
   */
  authenticateNow(accessToken: unknown, options?: AuthenticateOptions): AuthContext | Promise<AuthContext>;
  /** Verifies a refresh token's signature and claims (its session is checked when it is used). */
  authenticateRefresh(refreshToken: unknown): Promise<AuthContext>;
  /**
   * Throws `AuthError('insufficient_role')` unless the context holds one of `roles`, and
   * `token_invalid` for anything but a context of this instance.
   */
  requireRoles(context: AuthContext, roles: readonly string[]): void;
  /**
   * Ends the session of a token (access or refresh) or of a context of this instance, on every
   * instance; once it resolves this instance refuses the session's tokens. Rejects (503) if the store
   * did not confirm it.
   */
  logout(tokenOrContext: string | AuthContext): Promise<void>;
  /** Ends every session of the user; resolves to how many ended. */
  logoutAll(userId: string): Promise<number>;
  /**
   * Ends every session of the user but the one of this token or context, atomically (after a password
   * change, say); resolves to how many ended. Stateful sessions only.
   */
  logoutOthers(tokenOrContext: string | AuthContext): Promise<number>;
  /** The user's live sessions, newest first; `currentSessionId` marks the asking one. */
  listSessions(userId: string, currentSessionId?: string): Promise<SessionView[]>;
  /** Ends one of the user's sessions; `false` when the user has no such live session. */
  revokeSession(userId: string, sessionId: string): Promise<boolean>;
  /**
   * Soft delete: ends all the user's sessions and refuses their tokens and logins until reactivated.
   * Drops the cached profile everywhere, like `activateUser`.
   */
  deactivateUser(userId: string): Promise<void>;
  /** Lifts a deactivation (sessions ended by it stay ended) and drops the cached profile everywhere. */
  activateUser(userId: string): Promise<void>;
  /** Drops the cached profile on every instance, after the application changed the user. */
  invalidateUser(userId: string): Promise<void>;
  /** Resolves when the store answers within the deadline; rejects with `store_unavailable` otherwise. */
  checkStore(): Promise<void>;
  /** Revocations from every instance sharing the store, and `'down'`/`'up'` of that channel. */
  onRevocation(listener: (event: RevocationEvent | 'down' | 'up') => void): () => void;
  /** The counters and the store latency histogram so far (render with `toPrometheusText`). */
  metrics(): MetricsSnapshot;
  /** Releases what the instance opened in the store (subscriptions). */
  close(): Promise<void>;
}

const noRoles: readonly string[] = Object.freeze([]);

/** The `roles` claim: frozen with the verified claims, so a context can hold it as it is. */
function defaultRoles(claims: TokenClaims): readonly string[] {
  const roles = claims.roles;
  return Array.isArray(roles) && roles.every((role) => typeof role === 'string') ? roles : noRoles;
}

/** Roles from the application's functions, copied and frozen: a context's roles never change. */
function frozenRoles(roles: readonly string[]): readonly string[] {
  return Object.freeze([...roles]);
}

/** The application's own claims of a verified token: everything the library did not set. */
function applicationClaims(claims: TokenClaims): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const name of Object.keys(claims)) if (!reservedClaimNames.has(name)) own[name] = claims[name];
  return own;
}

/** Creates an auth instance. Throws `AuthConfigError` at once for any unusable option. */
export function createAuth<User extends RegisteredUser = RegisteredUser>(options: AuthOptions<User>): Auth {
  const tokens = createTokenService(options);
  const customRoles = options.roles;
  if (customRoles !== undefined && typeof customRoles !== 'function') {
    throw new AuthConfigError('roles', 'must be a function');
  }
  const rolesOf =
    customRoles === undefined ? defaultRoles : (claims: TokenClaims) => frozenRoles(customRoles(claims));
  checkStore(options.store);
  const store = options.store ?? memoryStore();
  const clockMs = options.clock ?? Date.now;
  const sessionOptions = resolveSessionOptions(options.sessions ?? {}, tokens.refreshTtl, clockMs());
  checkUserStateRetention(store, Math.max(tokens.refreshTtl * 1000, sessionOptions.absoluteLifetimeMs));
  const renewWithin =
    options.renewAccessTokenWithin === undefined
      ? undefined
      : parseDuration('renewAccessTokenWithin', options.renewAccessTokenWithin, { max: tokens.accessTtl });
  const metrics = new Metrics(options.metrics);
  const contexts = createContextBrand();
  const call = async <T>(operation: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    let failed = true;
    try {
      const result = await withDeadline(operation, sessionOptions.storeTimeoutMs);
      failed = false;
      return result;
    } finally {
      metrics.storeCall((performance.now() - started) / 1000, failed);
    }
  };
  const cache =
    sessionOptions.revocation === 'cached'
      ? new SessionCache(store, {
          maxUsers: sessionOptions.cacheMaxUsers,
          maxAgeMs: sessionOptions.cacheMaxAgeMs,
          clockMs,
          onLookup: (hit) => metrics.cache(hit),
        })
      : undefined;
  const dependencies: SessionDependencies = {
    tokens,
    store,
    options: sessionOptions,
    call,
    clockMs,
    cache,
    events: {
      login: () => metrics.login(),
      refresh: () => metrics.refresh(),
      reuseDetected: () => metrics.reuseDetected(),
      evicted: () => metrics.revocation('session'),
    },
  };
  const sessions =
    sessionOptions.mode === 'stateful'
      ? createStatefulSessions(dependencies)
      : createStatelessSessions(dependencies);
  const profiles = createUserProfiles(options.users as UserOptions | undefined, store, call, cache);
  const profileRoles = (user: unknown) => {
    const roles = profiles.roles(user);
    return roles === undefined ? undefined : frozenRoles(roles);
  };
  const loginThrottle = createLoginThrottle(options.loginThrottle ?? {}, store, call);

  /**
   * The access check, answered synchronously when this process's caches can decide it (the steady
   * state in cached mode: no store call, so no promise), else as a promise. Each part is asked of
   * the cache once; only what it could not tell goes to the store.
   */
  function authenticateNow(
    accessToken: unknown,
    options?: AuthenticateOptions,
  ): AuthContext | Promise<AuthContext> {
    let claims: TokenClaims;
    let sessionEndsAt: number | undefined;
    let profile: { readonly user: unknown } | undefined;
    try {
      claims = tokens.verifyAccessToken(accessToken);
      sessionEndsAt = options?.strict === true ? undefined : sessions.checkLocally(claims);
      profile = profiles.loadLocally(claims.sub);
      if (sessionEndsAt !== undefined && profile !== undefined) {
        const context = contextOf(claims, profile.user, sessionEndsAt);
        metrics.verification('ok');
        return context;
      }
    } catch (error) {
      return refused(error);
    }
    return fromStore(claims, sessionEndsAt, profile);
  }

  /** What the cache could not tell, from the store: the session (unless it passed), the profile. */
  async function fromStore(
    claims: TokenClaims,
    sessionEndsAt: number | undefined,
    profile: { readonly user: unknown } | undefined,
  ): Promise<AuthContext> {
    try {
      const [endsAt, user] = await Promise.all([
        sessionEndsAt ?? sessions.check(claims),
        profile === undefined ? profiles.load(claims.sub) : profile.user,
      ]);
      const context = contextOf(claims, user, endsAt);
      metrics.verification('ok');
      return context;
    } catch (error) {
      return refused(error);
    }
  }

  /** Counts a refused verification by its code, then rethrows it. */
  function refused(error: unknown): never {
    metrics.verification(error instanceof AuthError ? error.code : 'error');
    throw error;
  }

  function contextOf(claims: TokenClaims, user: unknown, sessionEndsAt: number | undefined): AuthContext {
    return contexts.make({
      subject: claims.sub,
      sessionId: claims.sid,
      sessionEndsAt,
      claims,
      tokenType: 'access',
      roles: profileRoles(user) ?? rolesOf(claims),
      fresh: tokens.isFresh(claims),
      // What `users.load` returned, which `createAuth<User>` typed as the registered user.
      user: user as RegisteredUser,
      renewedAccessToken: renewal(claims),
    });
  }

  /** The claims of a token string (access, else refresh) or of a context this instance made. */
  function claimsOfTokenOrContext(value: unknown): TokenClaims {
    if (typeof value !== 'string') return contexts.claimsOf(value);
    try {
      return tokens.verifyAccessToken(value);
    } catch (error) {
      if (error instanceof AuthError && error.code === 'wrong_token_type')
        return tokens.verifyRefreshToken(value);
      throw error;
    }
  }

  function renewal(claims: TokenClaims): AuthContext['renewedAccessToken'] {
    if (renewWithin === undefined || claims.exp - tokens.now() > renewWithin) return undefined;
    const renewed = tokens.signAccessToken({
      subject: claims.sub,
      ...(claims.sid !== undefined && { sessionId: claims.sid }),
      ...(claims.csrf !== undefined && { csrf: claims.csrf }),
      claims: applicationClaims(claims),
    });
    return { token: renewed.token, expiresIn: renewed.expiresIn };
  }

  const auth: Auth = {
    tokens,
    store,
    login: (input) => sessions.login(input),
    throttleLogin: (attempt, verify) => loginThrottle.check(attempt, verify),
    async refresh(refreshToken) {
      let claims: TokenClaims;
      if (typeof refreshToken === 'string') claims = tokens.verifyRefreshToken(refreshToken);
      else {
        claims = contexts.claimsOf(refreshToken);
        if (claims.type !== 'refresh') throw new AuthError('wrong_token_type', { reason: 'context' });
      }
      return sessions.refresh(claims);
    },
    freshAccessToken: (input) => sessions.freshAccessToken(input),
    authenticateNow,
    // An async function: a synchronous refusal becomes a rejection, as callers of a promise expect.
    authenticate: async (accessToken, options) => authenticateNow(accessToken, options),
    async authenticateRefresh(refreshToken) {
      const claims = tokens.verifyRefreshToken(refreshToken);
      return contexts.make({
        subject: claims.sub,
        sessionId: claims.sid,
        // A refresh token's session is checked when it is used, not here.
        sessionEndsAt: undefined,
        claims,
        tokenType: 'refresh',
        roles: noRoles,
        fresh: false,
        user: undefined,
        renewedAccessToken: undefined,
      });
    },
    requireRoles(context, roles) {
      const held = contexts.rolesOf(context);
      if (!roles.some((role) => held.includes(role))) throw new AuthError('insufficient_role');
    },
    async logout(tokenOrContext) {
      await sessions.logout(claimsOfTokenOrContext(tokenOrContext));
      metrics.revocation('session');
    },
    async logoutAll(userId) {
      const ended = await sessions.logoutAll(userId);
      metrics.revocation('user');
      return ended;
    },
    async logoutOthers(tokenOrContext) {
      const ended = await sessions.logoutOthers(claimsOfTokenOrContext(tokenOrContext));
      metrics.revocation('user');
      return ended;
    },
    listSessions: (userId, currentSessionId) => sessions.listSessions(userId, currentSessionId),
    async revokeSession(userId, sessionId) {
      const ended = await sessions.revokeSession(userId, sessionId);
      if (ended) metrics.revocation('session');
      return ended;
    },
    async deactivateUser(userId) {
      await sessions.setUserActive(userId, false);
      await profiles.invalidate(userId);
      metrics.revocation('user');
    },
    async activateUser(userId) {
      await sessions.setUserActive(userId, true);
      await profiles.invalidate(userId);
    },
    invalidateUser: (userId) => profiles.invalidate(userId),
    checkStore: () => call(() => store.ping()),
    onRevocation: (listener) => store.subscribe(listener),
    metrics: () => metrics.snapshot(),
    async close() {
      cache?.close();
      await store.close();
    },
  };
  recordAuthSettings(auth, { cacheMaxAgeMs: cache === undefined ? undefined : sessionOptions.cacheMaxAgeMs });
  return auth;
}
