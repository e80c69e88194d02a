import { AuthError } from './errors.js';
import { deepFreeze } from './internal/deep-freeze.js';
import type { TokenClaims } from './tokens/claims.js';

/** What a guard puts on the request once a token passed. Only its auth instance can make one. */
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
  /** The user's profile from `users.load` (cached), when users are configured. */
  readonly user: unknown;
  /** A new access token when sliding renewal is on and this one is near its end. */
  readonly renewedAccessToken: { token: string; expiresIn: number } | undefined;
}

/** The contexts of one auth instance: made only by it, recognised only by it. */
export interface ContextBrand {
  make(fields: AuthContext): AuthContext;
  /** Whether `value` is a context this instance made (a copy, a parsed JSON body or another instance's is not). */
  owns(value: unknown): value is AuthContext;
  /**
   * The claims of a context this instance made; anything else is `token_invalid`. A context is
   * trusted as proof that the core verified a token, so only the real thing may stand for one.
   */
  claimsOf(value: unknown): TokenClaims;
}

/**
 * A brand per auth instance: a class declared inside this call, so its private name exists nowhere
 * else. `#brand in value` is true only for objects its constructor made: not for `{ ...context }`,
 * `JSON.parse` output, or a context of another instance (whose class is a different one). Contexts
 * are frozen, claims included, so a handler cannot turn its context into another user's.
 */
export function createContextBrand(): ContextBrand {
  class VerifiedContext implements AuthContext {
    readonly #brand = true;
    readonly subject: string;
    readonly sessionId: string | undefined;
    readonly claims: TokenClaims;
    readonly tokenType: 'access' | 'refresh';
    readonly roles: readonly string[];
    readonly fresh: boolean;
    readonly user: unknown;
    readonly renewedAccessToken: { token: string; expiresIn: number } | undefined;

    constructor(fields: AuthContext) {
      this.subject = fields.subject;
      this.sessionId = fields.sessionId;
      // Verified claims are usually frozen already (the verified-token cache freezes what it keeps).
      this.claims = Object.isFrozen(fields.claims) ? fields.claims : deepFreeze(fields.claims);
      this.tokenType = fields.tokenType;
      this.roles = Object.isFrozen(fields.roles) ? fields.roles : Object.freeze([...fields.roles]);
      this.fresh = fields.fresh;
      this.user = fields.user;
      this.renewedAccessToken = fields.renewedAccessToken;
      Object.freeze(this);
    }

    static owns(value: unknown): value is VerifiedContext {
      return typeof value === 'object' && value !== null && #brand in value;
    }
  }

  return {
    make: (fields) => new VerifiedContext(fields),
    owns: (value) => VerifiedContext.owns(value),
    claimsOf(value) {
      if (!VerifiedContext.owns(value)) throw new AuthError('token_invalid', { reason: 'not_a_context' });
      return value.claims;
    },
  };
}
