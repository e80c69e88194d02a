import { AuthError } from '../errors.js';
import type { LoginInput, TokenPair } from '../sessions/types.js';
import type { ExternalIdentity, ExternalTokens } from './external-tokens.js';

/** The application's user for an external identity: the id and token claims `login` takes. */
export type ExternalUser = Pick<LoginInput, 'subject' | 'claims'>;

/** A sign-in with an ID token of one of the `externalIssuers` (OpenID Connect). */
export interface IdTokenLoginInput extends Omit<LoginInput, 'subject' | 'claims'> {
  /** The ID token the issuer handed over (from its token endpoint). */
  idToken: unknown;
  /**
   * The `nonce` the application put in its authentication request (kept, say, in the browser's
   * pre-login cookie); the token must carry the same. Pass it whenever the flow has one: it binds the
   * token to this sign-in, so an ID token leaked from elsewhere signs no one in.
   */
  nonce?: string;
  /**
   * The application's user for the verified identity: find or provision it by `issuer` and `subject`
   * together (never by a claim the user can change at the issuer, such as `email`). `null` or
   * `undefined` refuses the sign-in with 401 `invalid_credentials`.
   */
  user(
    identity: ExternalIdentity,
  ): ExternalUser | null | undefined | Promise<ExternalUser | null | undefined>;
}

/**
 * `loginWithIdToken`: the ID token verified (signature by the issuer's key set, `iss`, `aud` = a
 * client id, `exp`, `iat` age, `azp`, `nonce`), mapped to the application's user by its hook, then an
 * ordinary `login`: the session is authjwt's own from there on (rotation, listing, logout, sockets).
 */
export function createIdTokenLogin(
  external: ExternalTokens,
  login: (input: LoginInput) => Promise<TokenPair>,
): (input: IdTokenLoginInput) => Promise<TokenPair> {
  return async (input) => {
    if (input === null || typeof input !== 'object') {
      throw new TypeError('authjwt: loginWithIdToken takes { idToken, user, ... }');
    }
    const { idToken, nonce, user: userOf, ...device } = input;
    if (typeof userOf !== 'function') {
      throw new TypeError('authjwt: loginWithIdToken needs user(identity), the mapping to your user');
    }
    const identity = await external.verifyIdToken(idToken, nonce);
    const user = await userOf(identity);
    if (user === null || user === undefined) throw new AuthError('invalid_credentials');
    return login({
      ...device,
      subject: user.subject,
      ...(user.claims !== undefined && { claims: user.claims }),
    });
  };
}
