import { AuthError } from './errors.js';
import type { RegisteredUser } from './register.js';
import type { TokenClaims } from './tokens/claims.js';

/** What a guard puts on the request once a token passed. Only its auth instance can make one. */
export interface AuthContext {
  /** The user id (`sub`). */
  readonly subject: string;
  /** The session (`sid`) the token belongs to. */
  readonly sessionId: string | undefined;
  /**
   * When the session ends unless it is used again (milliseconds since the epoch: the earlier of its
   * idle expiry and its absolute end, as last read); `undefined` without session records.
   */
  readonly sessionEndsAt: number | undefined;
  readonly claims: TokenClaims;
  readonly tokenType: 'access' | 'refresh';
  readonly roles: readonly string[];
  /** Whether the access token is still fresh (see `freshTtl`). */
  readonly fresh: boolean;
  /**
   * The user's profile from `users.load` (cached): typed by the application's `Register`, else
   * `unknown`. `undefined` without `users`, and in a refresh token's context (whose user is checked
   * when the token is used).
   */
  readonly user: RegisteredUser | undefined;
  /** A new access token when sliding renewal is on and this one is near its end. */
  readonly renewedAccessToken: { token: string; expiresIn: number } | undefined;
}

/** The contexts of one auth instance: made only by it, recognised only by it. */
export interface ContextBrand {
  /** `roles` must be frozen; `claims` are when the verified-token cache shares them (else they are the caller's own). */
  make(fields: AuthContext): AuthContext;
  /** Whether `value` is a context this instance made (a copy, a parsed JSON body or another instance's is not). */
  owns(value: unknown): value is AuthContext;
  /**
   * The claims of a context this instance made; anything else is `token_invalid`. A context is
   * trusted as proof that the core verified a token, so only the real thing may stand for one.
   */
  claimsOf(value: unknown): TokenClaims;
  /** The roles of a context this instance made, as it made them; anything else is `token_invalid`. */
  rolesOf(value: unknown): readonly string[];
}

/**
 * A brand per auth instance: a class declared inside this call, so its private names exist nowhere
 * else. `#claims in value` is true only for objects its constructor made: not for `{ ...context }`,
 * `JSON.parse` output, or a context of another instance (whose class is a different one). What the
 * core trusts (the claims, the roles) it reads from the private fields, which nothing outside can
 * reassign; roles are frozen, and so are claims the verified-token cache shares between requests
 * (with the cache off each request's claims are its own). The public fields are a plain copy for the
 * application, so a context costs what an object literal does: freezing each context, or even asking
 * `Object.isFrozen` twice, measured 10-20% of a cached check.
 */
export function createContextBrand(): ContextBrand {
  class VerifiedContext implements AuthContext {
    readonly #claims: TokenClaims;
    readonly #roles: readonly string[];
    readonly subject: string;
    readonly sessionId: string | undefined;
    readonly sessionEndsAt: number | undefined;
    readonly claims: TokenClaims;
    readonly tokenType: 'access' | 'refresh';
    readonly roles: readonly string[];
    readonly fresh: boolean;
    readonly user: RegisteredUser | undefined;
    readonly renewedAccessToken: { token: string; expiresIn: number } | undefined;

    constructor(fields: AuthContext) {
      this.#claims = fields.claims;
      this.#roles = fields.roles;
      this.subject = fields.subject;
      this.sessionId = fields.sessionId;
      this.sessionEndsAt = fields.sessionEndsAt;
      this.claims = fields.claims;
      this.tokenType = fields.tokenType;
      this.roles = fields.roles;
      this.fresh = fields.fresh;
      this.user = fields.user;
      this.renewedAccessToken = fields.renewedAccessToken;
    }

    static owns(value: unknown): value is VerifiedContext {
      return typeof value === 'object' && value !== null && #claims in value;
    }

    static claimsOf(value: VerifiedContext): TokenClaims {
      return value.#claims;
    }

    static rolesOf(value: VerifiedContext): readonly string[] {
      return value.#roles;
    }
  }

  return {
    make: (fields) => new VerifiedContext(fields),
    owns: (value) => VerifiedContext.owns(value),
    claimsOf(value) {
      if (!VerifiedContext.owns(value)) throw notAContext();
      return VerifiedContext.claimsOf(value);
    },
    rolesOf(value) {
      if (!VerifiedContext.owns(value)) throw notAContext();
      return VerifiedContext.rolesOf(value);
    },
  };
}

const notAContext = () => new AuthError('token_invalid', { reason: 'not_a_context' });
