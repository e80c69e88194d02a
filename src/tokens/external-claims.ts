import { AuthError, type AuthErrorReason } from '../errors.js';
import { audienceMatches, isNumericDate } from './claims.js';
import { constantTimeEqual } from './constant-time.js';

/**
 * The claims of a token from another issuer, as that issuer wrote them (deep-frozen when the
 * verified-token cache shares them). `iss`, `aud` and `exp` were checked; everything else is the
 * issuer's vocabulary, which authjwt does not interpret beyond the configured claim mapping.
 */
export type ExternalClaims = Readonly<Record<string, unknown>> & {
  readonly iss: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
};

export interface ExternalClaimRules {
  /** The issuer's identifier, compared exactly (RFC 7519 section 4.1.1, OpenID Connect Discovery section 3). */
  readonly issuer: string;
  /** The token's `aud` must contain one of them (required for these tokens). */
  readonly audiences: readonly string[];
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
  readonly leeway: number;
}

const invalid = (reason: AuthErrorReason) => new AuthError('token_invalid', { reason });

/** `typ` values a token of another issuer may carry (RFC 7515 section 4.1.9: case-insensitive, `application/` optional). */
function typKind(typ: string | undefined): 'plain' | 'access' | undefined {
  if (typ === undefined) return 'plain';
  const lower = typ.toLowerCase();
  const bare = lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
  if (bare === 'jwt') return 'plain';
  if (bare === 'at+jwt') return 'access';
  return undefined;
}

/**
 * Checks the claims of a verified token of another issuer at `now` (seconds): RFC 7519 with `iss`,
 * `aud` and `exp` required, and RFC 9068 section 2.2's claims when the header says `at+jwt`. None of
 * authjwt's own token types is demanded. A `typ` other than none, `JWT` or `at+jwt` is another kind
 * of JWT (a logout token, a DPoP proof, a refresh token of some issuer) and is refused
 * (`wrong_token_type`, RFC 8725 section 3.11). Order as for own tokens: shape, type, then time.
 */
export function checkExternalClaims(
  payload: Record<string, unknown>,
  typ: string | undefined,
  rules: ExternalClaimRules,
  now: number,
): ExternalClaims {
  const { exp, nbf, iat } = payload;
  if (!isNumericDate(exp)) throw invalid('exp');
  if (nbf !== undefined && !isNumericDate(nbf)) throw invalid('nbf');
  if (iat !== undefined && !isNumericDate(iat)) throw invalid('iat');
  if (payload.iss !== rules.issuer) throw invalid('iss');
  if (!audienceMatches(payload.aud, rules.audiences)) throw invalid('aud');

  const kind = typKind(typ);
  if (kind === undefined) throw new AuthError('wrong_token_type', { reason: 'typ_header' });
  if (kind === 'access') {
    // RFC 9068 section 2.2: a JWT access token carries these; one without them is not one.
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw invalid('sub');
    if (typeof payload.client_id !== 'string' || payload.client_id.length === 0) throw invalid('client_id');
    if (iat === undefined) throw invalid('iat');
    if (typeof payload.jti !== 'string' || payload.jti.length === 0) throw invalid('jti_missing');
  }

  // RFC 7519 section 4.1.4: the token must not be accepted on or after exp.
  if (now - rules.leeway >= exp) throw new AuthError('token_expired');
  if (nbf !== undefined && now + rules.leeway < nbf) throw new AuthError('token_not_yet_valid');
  if (iat !== undefined && now + rules.leeway < iat)
    throw new AuthError('token_not_yet_valid', { reason: 'iat' });
  return payload as ExternalClaims;
}

/** What an ID token must satisfy beyond the rules of every external token. */
export interface IdTokenRules extends ExternalClaimRules {
  /** Seconds after `iat` the token may still be used. */
  readonly maxAge: number;
  /** The value the application sent in its authentication request, when it sent one. */
  readonly nonce: string | undefined;
}

/**
 * Checks the claims of a verified ID token (OpenID Connect Core section 3.1.3.7): the rules of every
 * external token with the client ids as audiences, then `sub` and `iat` required, `azp` (present
 * whenever `aud` names several parties) one of the client ids, `iat` no older than `maxAge`, and
 * `nonce` equal to the application's when it passed one. An RFC 9068 access token is not an ID token
 * (`wrong_token_type`), whatever its audience.
 */
export function checkIdTokenClaims(
  payload: Record<string, unknown>,
  typ: string | undefined,
  rules: IdTokenRules,
  now: number,
): ExternalClaims {
  if (typKind(typ) === 'access') throw new AuthError('wrong_token_type', { reason: 'typ_header' });
  const claims = checkExternalClaims(payload, typ, rules, now);
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw invalid('sub');
  const { iat, azp, aud } = claims;
  if (!isNumericDate(iat)) throw invalid('iat');
  if (now - rules.leeway > iat + rules.maxAge) throw new AuthError('token_expired', { reason: 'iat' });
  if (Array.isArray(aud) && aud.length > 1 && azp === undefined) throw invalid('azp');
  if (azp !== undefined && !rules.audiences.includes(azp as string)) throw invalid('azp');
  if (rules.nonce !== undefined) {
    const { nonce } = claims;
    if (typeof nonce !== 'string' || !constantTimeEqual(nonce, rules.nonce)) throw invalid('nonce');
  }
  return claims;
}
