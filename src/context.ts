import { AuthError } from './errors.js';
import type { RegisteredUser } from './register.js';
import type { TokenClaims } from './tokens/claims.js';
import type { ExternalClaims } from './tokens/external-claims.js';
import type { VerifiedHeader } from './tokens/jws.js';

/** The context of a token this instance issued: an access token, or a refresh token on its route. */
export interface OwnTokenContext {
  /** The user id (`sub`). */
  readonly subject: string;
  /** `undefined`: the token is this instance's own. */
  readonly issuer: undefined;
  /** The session (`sid`) the token belongs to. */
  readonly sessionId: string | undefined;
  /**
   * When the session ends unless it is used again (milliseconds since the epoch: the earlier of its
   * idle expiry and its absolute end, as last read); `undefined` without session records.
   */
  readonly sessionEndsAt: number | undefined;
  readonly claims: TokenClaims;
  /** The token's verified protected header (frozen), custom parameters included. */
  readonly header: VerifiedHeader;
  readonly tokenType: 'access' | 'refresh';
  readonly roles: readonly string[];
  /** The OAuth scopes the token grants (its `scope` or `scp` claim); none without them. */
  readonly scopes: readonly string[];
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

/**
 * The context of a token from one of the configured `externalIssuers`. It has no session (nothing
 * of it is in the store, so no logout ends it: it lives until its `exp`), no profile and no renewal.
 */
export interface ExternalTokenContext {
  /** The subject, from the claim the issuer's mapping names (default `sub`). */
  readonly subject: string;
  /** The configured issuer the token came from (its `iss`). */
  readonly issuer: string;
  readonly sessionId: undefined;
  readonly sessionEndsAt: undefined;
  /** The issuer's claims as it wrote them. */
  readonly claims: ExternalClaims;
  /** The token's verified protected header as the issuer wrote it (frozen). */
  readonly header: VerifiedHeader;
  readonly tokenType: 'external';
  /** From the issuer's mapping (default: the `roles` claim). */
  readonly roles: readonly string[];
  /** From the issuer's mapping (default: `scope`, else `scp`). */
  readonly scopes: readonly string[];
  readonly fresh: false;
  readonly user: undefined;
  readonly renewedAccessToken: undefined;
}

/**
 * What a guard puts on the request once a token passed: a token of this instance, or of a configured
 * issuer (`tokenType: 'external'`, `issuer` set). Only its auth instance can make one.
 */
export type AuthContext = OwnTokenContext | ExternalTokenContext;

/** The contexts of one auth instance: made only by it, recognised only by it. */
export interface ContextBrand {
  /**
   * `roles` and `scopes` must be frozen or the claims' own; `claims` are frozen when the verified-token
   * cache shares them (else they are the caller's own).
   */
  make<Context extends AuthContext>(fields: Context): Context;
  /** Whether `value` is a context this instance made (a copy, a parsed JSON body or another instance's is not). */
  owns(value: unknown): value is AuthContext;
  /**
   * The claims of a context of an own token this instance made; anything else is `token_invalid`
   * (an external token's context is `wrong_token_type`: it has no session to act on). A context is
   * trusted as proof that the core verified a token, so only the real thing may stand for one.
   */
  claimsOf(value: unknown): TokenClaims;
  /** The roles of a context this instance made, as it made them; anything else is `token_invalid`. */
  rolesOf(value: unknown): readonly string[];
  /** The scopes of a context this instance made, as it made them; anything else is `token_invalid`. */
  scopesOf(value: unknown): readonly string[];
}

/**
 * A brand per auth instance: a class declared inside this call, so its private names exist nowhere
 * else. `#claims in value` is true only for objects its constructor made: not for `{ ...context }`,
 * `JSON.parse` output, or a context of another instance (whose class is a different one). What the
 * core trusts (the claims, the roles, the scopes, whether the token was external) it reads from the
 * private fields, which nothing outside can reassign; roles are frozen, and so are claims the verified-token cache shares between requests
 * (with the cache off each request's claims are its own). The public fields are a plain copy for the
 * application, so a context costs what an object literal does: freezing each context, or even asking
 * `Object.isFrozen` twice, measured 10-20% of a cached check.
 */
export function createContextBrand(): ContextBrand {
  // Typed as the union's members together; `make` gives each caller back the member it built.
  class VerifiedContext {
    readonly #claims: TokenClaims | ExternalClaims;
    readonly #roles: readonly string[];
    readonly #scopes: readonly string[];
    readonly #external: boolean;
    // `declare`: set once by the constructor. Declared fields would each be defined as undefined first
    // and then assigned, twice the stores on every request.
    declare readonly subject: string;
    declare readonly issuer: string | undefined;
    declare readonly sessionId: string | undefined;
    declare readonly sessionEndsAt: number | undefined;
    declare readonly claims: TokenClaims | ExternalClaims;
    declare readonly header: VerifiedHeader;
    declare readonly tokenType: AuthContext['tokenType'];
    declare readonly roles: readonly string[];
    declare readonly scopes: readonly string[];
    declare readonly fresh: boolean;
    declare readonly user: RegisteredUser | undefined;
    declare readonly renewedAccessToken: { token: string; expiresIn: number } | undefined;

    constructor(fields: AuthContext) {
      this.#claims = fields.claims;
      this.#roles = fields.roles;
      this.#scopes = fields.scopes;
      this.#external = fields.tokenType === 'external';
      this.subject = fields.subject;
      this.issuer = fields.issuer;
      this.sessionId = fields.sessionId;
      this.sessionEndsAt = fields.sessionEndsAt;
      this.claims = fields.claims;
      this.header = fields.header;
      this.tokenType = fields.tokenType;
      this.roles = fields.roles;
      this.scopes = fields.scopes;
      this.fresh = fields.fresh;
      this.user = fields.user;
      this.renewedAccessToken = fields.renewedAccessToken;
    }

    static owns(value: unknown): value is VerifiedContext {
      return typeof value === 'object' && value !== null && #claims in value;
    }

    static claimsOf(value: VerifiedContext): TokenClaims {
      if (value.#external) throw new AuthError('wrong_token_type', { reason: 'context' });
      return value.#claims as TokenClaims;
    }

    static rolesOf(value: VerifiedContext): readonly string[] {
      return value.#roles;
    }

    static scopesOf(value: VerifiedContext): readonly string[] {
      return value.#scopes;
    }
  }

  return {
    make: <Context extends AuthContext>(fields: Context) => new VerifiedContext(fields) as unknown as Context,
    owns: (value): value is AuthContext => VerifiedContext.owns(value),
    claimsOf(value) {
      if (!VerifiedContext.owns(value)) throw notAContext();
      return VerifiedContext.claimsOf(value);
    },
    rolesOf(value) {
      if (!VerifiedContext.owns(value)) throw notAContext();
      return VerifiedContext.rolesOf(value);
    },
    scopesOf(value) {
      if (!VerifiedContext.owns(value)) throw notAContext();
      return VerifiedContext.scopesOf(value);
    },
  };
}

const notAContext = () => new AuthError('token_invalid', { reason: 'not_a_context' });
