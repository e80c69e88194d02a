import type { TokenClaims } from '../tokens/claims.js';

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
  /** Rotates the verified refresh token's session. */
  refresh(claims: TokenClaims): Promise<TokenPair>;
  /**
   * The per-request check from this process's cache alone: when it passed, the session's end (ms since
   * the epoch, as the cache knows it); `undefined` when only the store can tell (then call `check`).
   * Throws like `check` when the cache knows the answer is no.
   */
  checkLocally(claims: TokenClaims): number | undefined;
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
  /** Ends one of the user's sessions; false when the user has no such live session. */
  revokeSession(userId: string, sessionId: string): Promise<boolean>;
  setUserActive(userId: string, active: boolean): Promise<void>;
}
