import type { SessionUpdate } from '../stores/port.js';
import type { TokenClaims } from '../tokens/claims.js';
import type { RequestDevice } from './events.js';
import type { SlotHolder } from './session-cache.js';

/** A session as shown to its user (the sessions page). */
export interface SessionView {
  readonly id: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  readonly userAgent: string | undefined;
  readonly ip: string | undefined;
  /** Whether this is the session of the request that asked. */
  readonly current: boolean;
  /** `false` for a session started with `remember: false`. */
  readonly remember: boolean;
  /** The application's data about the session (`login({ data })`, `updateSession`), a copy. */
  readonly data: Readonly<Record<string, unknown>> | undefined;
}

export interface LoginInput {
  /** The user id, placed in `sub`. */
  subject: string;
  /** Application claims for the tokens (for example `roles`); reserved names are refused. */
  claims?: Readonly<Record<string, unknown>>;
  /** Whether the access token is fresh. Default true: the user just proved a credential. */
  fresh?: boolean;
  /** The device, shown on the sessions page. */
  userAgent?: string;
  ip?: string;
  /** Cookie mode: bind a CSRF value into the tokens (returned as `csrfToken`). */
  csrf?: boolean;
  /**
   * "Remember me". Default true. `false`: the session ends after `sessions.shortLifetime` (rotation
   * keeps that end), and its cookies are browser-session cookies (no `Max-Age`).
   */
  remember?: boolean;
  /**
   * The application's own data about the session (a JSON object, at most `sessions.maxDataSize`
   * bytes), shown by `getSession` and `listSessions`; change it with `updateSession`.
   */
  data?: Readonly<Record<string, unknown>>;
}

export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  /** Seconds until the refresh token expires. */
  readonly refreshExpiresIn: number;
  readonly sessionId: string;
  /** `false` for a session without "remember me": cookie writers then omit `Max-Age`. */
  readonly remember: boolean;
  /** The CSRF value bound into both tokens, in cookie mode. */
  readonly csrfToken?: string;
}

export interface FreshTokenInput {
  subject: string;
  /** Keep the caller's current (live) session; omit to start a new one. */
  sessionId?: string;
  claims?: Readonly<Record<string, unknown>>;
  userAgent?: string;
  ip?: string;
}

export interface FreshToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly sessionId: string;
}

/** The stateful part of an auth instance: sessions as records in the store. */
export interface SessionManager {
  login(input: LoginInput): Promise<TokenPair>;
  /** Rotates the verified refresh token's session; `device` is the request's, for the events. */
  refresh(claims: TokenClaims, device?: RequestDevice): Promise<TokenPair>;
  /**
   * The per-request check from this process's cache alone: when it passed, the session's end (ms since
   * the epoch, as the cache knows it); `undefined` when only the store can tell (then call `check`).
   * Throws like `check` when the cache knows the answer is no. `now` is the caller's clock reading (ms),
   * the one it checked the token with. `holder` keeps the session's cache slot for the token's next
   * check (its verified-token cache entry).
   */
  checkLocally(claims: TokenClaims, now: number, holder?: SlotHolder): number | undefined;
  /**
   * Throws unless the verified access token's session is live and its user active, asking the store
   * (and filling the cache in `'cached'` mode); resolves to the session's end (ms since the epoch).
   */
  check(claims: TokenClaims): Promise<number>;
  freshAccessToken(input: FreshTokenInput): Promise<FreshToken>;
  /** Ends the session of the verified token. */
  logout(claims: TokenClaims): Promise<void>;
  /** Ends every session of the user; returns how many. */
  logoutAll(userId: string): Promise<number>;
  /** Ends every session of the user but the verified token's own; returns how many. */
  logoutOthers(claims: TokenClaims): Promise<number>;
  listSessions(userId: string, currentSessionId?: string): Promise<SessionView[]>;
  /** One live session of the user, or null. */
  getSession(userId: string, sessionId: string, currentSessionId?: string): Promise<SessionView | null>;
  /** Replaces a live session's data and/or claims in the store; null when there is no such session. */
  updateSession(userId: string, sessionId: string, update: SessionUpdate): Promise<SessionView | null>;
  /** Ends one of the user's sessions; false when the user has no such live session. */
  revokeSession(userId: string, sessionId: string): Promise<boolean>;
  setUserActive(userId: string, active: boolean): Promise<void>;
}
