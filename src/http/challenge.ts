import type { AuthErrorCode } from '../errors.js';

export interface ChallengeOptions {
  /** The `realm` parameter; omitted when not set. */
  realm?: string;
  /** The scheme named in the challenge. Default `Bearer`. */
  scheme?: string;
}

/**
 * The `WWW-Authenticate` value for a refusal (RFC 6750 section 3): no error parameter when no token
 * was sent (section 3.1), `invalid_token` when one was sent and refused, `insufficient_scope` for a
 * missing role. `undefined` for codes that are not about the token (CSRF, store, bad request).
 */
export function bearerChallenge(code: AuthErrorCode, options: ChallengeOptions = {}): string | undefined {
  const parameters: string[] = [];
  if (options.realm !== undefined) parameters.push(`realm=${quote(options.realm)}`);
  switch (code) {
    case 'token_missing':
    case 'invalid_credentials':
      break;
    case 'insufficient_role':
    case 'insufficient_scope':
      parameters.push('error="insufficient_scope"');
      break;
    case 'csrf_failed':
    case 'too_many_attempts':
    case 'bad_request':
    case 'store_unavailable':
      return undefined;
    default:
      parameters.push('error="invalid_token"');
  }
  const scheme = options.scheme ?? 'Bearer';
  return parameters.length === 0 ? scheme : `${scheme} ${parameters.join(', ')}`;
}

/** RFC 9110 quoted-string; the realm is configuration, but a stray quote must not break the header. */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ')}"`;
}
