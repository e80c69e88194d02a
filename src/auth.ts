import { type AuthenticateOptions, createAccessCheck, defaultRoles, frozenRoles } from './access-check.js';
import {
  type AuthContext,
  createContextBrand,
  type ExternalTokenContext,
  type OwnTokenContext,
} from './context.js';
import { AuthConfigError, AuthError } from './errors.js';
import { recordAuthSettings } from './internal/auth-settings.js';
import { type Duration, parseDuration } from './internal/duration.js';
import { createExternalTokens } from './issuers/external-tokens.js';
import { createIdTokenLogin, type IdTokenLoginInput } from './issuers/id-token-login.js';
import { type ExternalIssuerOptions, resolveExternalIssuers } from './issuers/options.js';
import { Metrics, type MetricsOptions, type MetricsSnapshot } from './metrics/metrics.js';
import type { RegisteredUser } from './register.js';
import { type AuthEvents, createEventEmitter, type RequestDevice } from './sessions/events.js';
import { createLoginThrottle, type LoginThrottleOptions } from './sessions/login-throttle.js';
import {
  checkStore,
  checkUserStateRetention,
  resolveSessionOptions,
  type SessionOptions,
  type UserOptions,
} from './sessions/options.js';
import { SessionCache } from './sessions/session-cache.js';
import { createStatefulSessions } from './sessions/stateful.js';
import { createStoreCall } from './sessions/store-calls.js';
import type { FreshToken, FreshTokenInput, LoginInput, SessionView, TokenPair } from './sessions/types.js';
import { createUserProfiles } from './sessions/user-profiles.js';
import { memoryStore } from './stores/memory.js';
import type { LoginAttempt, RevocationEvent, SessionStore, SessionUpdate } from './stores/port.js';
import type { TokenClaims } from './tokens/claims.js';
import { defaultMaxTokenLength } from './tokens/jws.js';
import { createTokenService, type TokenOptions, type TokenService } from './tokens/token-service.js';

export type { AuthenticateOptions } from './access-check.js';
export type { AuthContext, ExternalTokenContext, OwnTokenContext } from './context.js';

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
  /**
   * Other issuers (OpenID Connect providers, OAuth authorization servers) whose tokens
   * `authenticateExternal` and the `requireExternal` guard accept, each with its audience,
   * algorithms and key set (discovered or given). Their tokens have no session here. Default: none.
   */
  externalIssuers?: readonly ExternalIssuerOptions[];
  /**
   * Session lifecycle listeners for an audit log (`onLogin`, `onRefresh`, `onReuseDetected`,
   * `onRevoke`, `onSessionExpired`, and `onEventError` for what they throw). Called after the step, on
   * the instance where it happened, never awaited and never on the per-request check; see `AuthEvents`.
   */
  events?: AuthEvents;
}

/** Starting and continuing sessions: what login, refresh and re-authentication routes call. */
export interface SignIn {
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
   * (a parsed request body, a copy of a context) is refused as `token_invalid`. `device` (the
   * request's IP and user agent) goes to the `onRefresh` and `onReuseDetected` events only.
   */
  refresh(refreshToken: unknown, device?: RequestDevice): Promise<TokenPair>;
  /** A fresh access token in the given live session, or in a new session. */
  freshAccessToken(input: FreshTokenInput): Promise<FreshToken>;
  /**
   * Sign-in with an external identity (OpenID Connect): verifies an ID token of one of the
   * `externalIssuers` (its `clientId` as audience, `nonce` when passed, age by `idTokenMaxAge`), asks
   * `user` for the application's user, and starts an ordinary session for it, as `login` does. Rejects
   * with 401 `token_invalid` for a refused token, `invalid_credentials` when `user` finds no one.
   *
   * ```ts
   * const pair = await auth.loginWithIdToken({
   *   idToken, nonce, ip: request.ip,
   *   user: async ({ issuer, subject }) => users.findOrCreateExternal(issuer, subject),
   * });
   * ```
   */
  loginWithIdToken(input: IdTokenLoginInput): Promise<TokenPair>;
}

/** The checks of each request: what the adapters' guards run (the hot path, in access-check.ts). */
export interface RequestChecks {
  /**
   * Verifies an access token and its session and user; rejects with `AuthError` otherwise. With
   * `{ strict: true }` the session is read from the store even where this process's cache could answer
   * (the WebSocket guard's periodic re-checks: nothing outlives its session by more than one period).
   */
  authenticate(accessToken: unknown, options?: AuthenticateOptions): Promise<OwnTokenContext>;
  /**
   * `authenticate` without a promise when none is needed: the context at once when this process's
   * caches can decide (the steady state with `revocation: 'cached'`), else a promise of it. A refusal
   * decided at once is thrown. For framework adapters, which run it on every request.
   */
  authenticateNow(
    accessToken: unknown,
    options?: AuthenticateOptions,
  ): OwnTokenContext | Promise<OwnTokenContext>;
  /** Verifies a refresh token's signature and claims (its session is checked when it is used). */
  authenticateRefresh(refreshToken: unknown): Promise<OwnTokenContext>;
  /**
   * Verifies a token of one of the `externalIssuers`: the issuer its `iss` names (exactly), that
   * issuer's keys and algorithms, `aud`, `exp`, and RFC 9068's claims for an `at+jwt` token. An own
   * token is refused here (`issuer_unknown`), as an external one is by `authenticate`. No session is
   * checked: such a token has none, and lives until its `exp`. Rejects with `AuthError`:
   * `token_invalid` with reason `issuer_unknown`, `kid_unknown`, `kid_missing`, `jwks_unavailable`
   * (no usable key set: the issuer could not be reached), `aud`, `signature`, ...
   */
  authenticateExternal(token: unknown): Promise<ExternalTokenContext>;
  /**
   * `authenticateExternal` without a promise when the issuer's keys are at hand (the steady state);
   * a promise when they must be fetched first. For adapters, which run it on every request.
   */
  authenticateExternalNow(token: unknown): ExternalTokenContext | Promise<ExternalTokenContext>;
  /**
   * Throws `AuthError('insufficient_role')` unless the context holds one of `roles`, and
   * `token_invalid` for anything but a context of this instance.
   */
  requireRoles(context: AuthContext, roles: readonly string[]): void;
  /**
   * Throws `AuthError('insufficient_scope')` unless the context grants every one of `scopes` (own
   * tokens: `scope` or `scp`; external ones: the issuer's mapping), and `token_invalid` for anything
   * but a context of this instance.
   */
  requireScopes(context: AuthContext, scopes: readonly string[]): void;
}

/** Ending and listing sessions, on every instance sharing the store. */
export interface SessionControl {
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
   * change, say); resolves to how many ended.
   */
  logoutOthers(tokenOrContext: string | AuthContext): Promise<number>;
  /** The user's live sessions, newest first; `currentSessionId` marks the asking one. */
  listSessions(userId: string, currentSessionId?: string): Promise<SessionView[]>;
  /** Ends one of the user's sessions; `false` when the user has no such live session. */
  revokeSession(userId: string, sessionId: string): Promise<boolean>;
  /** One live session of the user, read from the store (with its `data`); `null` if none. */
  getSession(userId: string, sessionId: string, currentSessionId?: string): Promise<SessionView | null>;
  /**
   * Replaces a live session's `data` and/or `claims` (each given field whole; `null` removes it),
   * atomically in the store, so every instance sees it: data at once (`getSession`, `listSessions`),
   * claims in the tokens of the session's next refresh. Each must be a JSON object of at most
   * `sessions.maxDataSize` bytes (claims without reserved names), else 400 `bad_request`. Resolves to
   * the updated session, or `null` when the user has no such live session.
   */
  updateSession(userId: string, sessionId: string, update: SessionUpdate): Promise<SessionView | null>;
}

/** The application's users as the library sees them: active or not, and their cached profile. */
export interface UserControl {
  /**
   * Soft delete: ends all the user's sessions and refuses their tokens and logins until reactivated.
   * Drops the cached profile everywhere, like `activateUser`.
   */
  deactivateUser(userId: string): Promise<void>;
  /** Lifts a deactivation (sessions ended by it stay ended) and drops the cached profile everywhere. */
  activateUser(userId: string): Promise<void>;
  /** Drops the cached profile on every instance, after the application changed the user. */
  invalidateUser(userId: string): Promise<void>;
}

/** Running the instance: its parts, health, revocation feed, metrics and shutdown. */
export interface Operations {
  readonly tokens: TokenService;
  readonly store: SessionStore;
  /** Resolves when the store answers within the deadline; rejects with `store_unavailable` otherwise. */
  checkStore(): Promise<void>;
  /** The identifiers of the configured `externalIssuers`. */
  readonly externalIssuers: readonly string[];
  /**
   * Resolves once every external issuer's key set is at hand, fetching what is missing (within each
   * issuer's cooldown); rejects with `token_invalid` (`jwks_unavailable`, the fetch's error as its
   * `cause`) otherwise. For start-up and readiness checks; tokens do not need it.
   */
  checkExternalIssuers(): Promise<void>;
  /** Revocations from every instance sharing the store, and `'down'`/`'up'` of that channel. */
  onRevocation(listener: (event: RevocationEvent | 'down' | 'up') => void): () => void;
  /** The counters and the store latency histogram so far (render with `toPrometheusText`). */
  metrics(): MetricsSnapshot;
  /** Releases what the instance opened in the store (subscriptions). */
  close(): Promise<void>;
}

/**
 * One auth instance: its keys, token rules, sessions and users; everything a framework adapter needs
 * and nothing framework-specific. Its members come in five groups: {@link SignIn},
 * {@link RequestChecks}, {@link SessionControl}, {@link UserControl}, {@link Operations}. Two
 * instances in one process share nothing.
 */
export interface Auth extends SignIn, RequestChecks, SessionControl, UserControl, Operations {}

/** Creates an auth instance. Throws `AuthConfigError` at once for any unusable option. */
export function createAuth<User extends RegisteredUser = RegisteredUser>(options: AuthOptions<User>): Auth {
  const tokens = createTokenService(options);
  const ownIssuers = options.issuer === undefined ? [] : [options.issuer].flat();
  // One Metrics, handed to each part that observes something: each counts where its fact happens.
  const metrics = new Metrics(options.metrics);
  const external = createExternalTokens(resolveExternalIssuers(options.externalIssuers, ownIssuers), {
    now: tokens.now,
    maxTokenLength: options.maxTokenLength ?? defaultMaxTokenLength,
    cacheSize: options.verifiedTokenCache ?? 10_000,
    metrics,
  });
  const customRoles = options.roles;
  if (customRoles !== undefined && typeof customRoles !== 'function') {
    throw new AuthConfigError('roles', 'must be a function');
  }
  checkStore(options.store);
  const store = options.store ?? memoryStore();
  const clockMs = options.clock ?? Date.now;
  const sessionOptions = resolveSessionOptions(options.sessions ?? {}, tokens.refreshTtl, clockMs());
  checkUserStateRetention(store, Math.max(tokens.refreshTtl * 1000, sessionOptions.absoluteLifetimeMs));
  const renewWithin =
    options.renewAccessTokenWithin === undefined
      ? undefined
      : parseDuration('renewAccessTokenWithin', options.renewAccessTokenWithin, { max: tokens.accessTtl });
  const contexts = createContextBrand();
  const call = createStoreCall(sessionOptions.storeTimeoutMs, metrics);
  const cache =
    sessionOptions.revocation === 'cached'
      ? new SessionCache(store, {
          maxUsers: sessionOptions.cacheMaxUsers,
          maxAgeMs: sessionOptions.cacheMaxAgeMs,
          clockMs,
          metrics,
        })
      : undefined;
  const sessions = createStatefulSessions({
    tokens,
    store,
    options: sessionOptions,
    call,
    clockMs,
    cache,
    metrics,
    events: createEventEmitter(options.events),
  });
  const profiles = createUserProfiles(options.users as UserOptions | undefined, store, call, cache);
  const loginThrottle = createLoginThrottle(options.loginThrottle ?? {}, store, call);
  const checks = createAccessCheck({
    tokens,
    sessions,
    profiles,
    contexts,
    external,
    metrics,
    clockMs,
    rolesOf:
      customRoles === undefined ? defaultRoles : (claims: TokenClaims) => frozenRoles(customRoles(claims)),
    renewWithin,
  });

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

  const auth: Auth = {
    tokens,
    store,
    login: (input) => sessions.login(input),
    throttleLogin: (attempt, verify) => loginThrottle.check(attempt, verify),
    async refresh(refreshToken, device) {
      let claims: TokenClaims;
      if (typeof refreshToken === 'string') claims = tokens.verifyRefreshToken(refreshToken);
      else {
        claims = contexts.claimsOf(refreshToken);
        if (claims.type !== 'refresh') throw new AuthError('wrong_token_type', { reason: 'context' });
      }
      return sessions.refresh(claims, requestDevice(device));
    },
    freshAccessToken: (input) => sessions.freshAccessToken(input),
    loginWithIdToken: createIdTokenLogin(external, (input) => sessions.login(input)),
    authenticateNow: checks.authenticateNow,
    // Async functions: a synchronous refusal becomes a rejection, as callers of a promise expect.
    authenticate: async (accessToken, options) => checks.authenticateNow(accessToken, options),
    authenticateRefresh: async (refreshToken) => checks.authenticateRefresh(refreshToken),
    authenticateExternalNow: checks.authenticateExternalNow,
    authenticateExternal: async (token) => checks.authenticateExternalNow(token),
    requireRoles: checks.requireRoles,
    requireScopes: checks.requireScopes,
    logout: async (tokenOrContext) => sessions.logout(claimsOfTokenOrContext(tokenOrContext)),
    logoutAll: (userId) => sessions.logoutAll(userId),
    logoutOthers: async (tokenOrContext) => sessions.logoutOthers(claimsOfTokenOrContext(tokenOrContext)),
    listSessions: (userId, currentSessionId) => sessions.listSessions(userId, currentSessionId),
    getSession: (userId, sessionId, currentSessionId) =>
      sessions.getSession(userId, sessionId, currentSessionId),
    updateSession: (userId, sessionId, update) => sessions.updateSession(userId, sessionId, update),
    revokeSession: (userId, sessionId) => sessions.revokeSession(userId, sessionId),
    async deactivateUser(userId) {
      await sessions.setUserActive(userId, false);
      await profiles.invalidate(userId);
    },
    async activateUser(userId) {
      await sessions.setUserActive(userId, true);
      await profiles.invalidate(userId);
    },
    invalidateUser: (userId) => profiles.invalidate(userId),
    checkStore: () => call(() => store.ping()),
    externalIssuers: external.issuers,
    checkExternalIssuers: () => external.check(),
    onRevocation: (listener) => store.subscribe(listener),
    metrics: () => metrics.snapshot(),
    async close() {
      cache?.close();
      external.close();
      await store.close();
    },
  };
  recordAuthSettings(auth, { cacheMaxAgeMs: cache === undefined ? undefined : sessionOptions.cacheMaxAgeMs });
  return auth;
}

/** Only the two string fields of a device, whatever object the caller passed (events carry them). */
function requestDevice(device: RequestDevice | undefined): RequestDevice {
  if (device === null || typeof device !== 'object') return {};
  const text = (value: unknown, max: number) =>
    typeof value === 'string' && value.length > 0 ? value.slice(0, max) : undefined;
  return { ip: text(device.ip, 64), userAgent: text(device.userAgent, 256) };
}
