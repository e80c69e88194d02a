/**
 * The codes a client may rely on, exactly as the reference-app contract lists them.
 * Every refusal the library makes carries one of these.
 */
export type AuthErrorCode =
  | 'token_missing'
  | 'token_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_revoked'
  | 'wrong_token_type'
  | 'fresh_token_required'
  | 'user_inactive'
  | 'refresh_token_reused'
  | 'invalid_credentials'
  | 'csrf_failed'
  | 'insufficient_role'
  | 'insufficient_scope'
  | 'too_many_attempts'
  | 'bad_request'
  | 'store_unavailable';

const statusByCode: Readonly<Record<AuthErrorCode, number>> = {
  token_missing: 401,
  token_invalid: 401,
  token_expired: 401,
  token_not_yet_valid: 401,
  token_revoked: 401,
  wrong_token_type: 401,
  fresh_token_required: 401,
  user_inactive: 401,
  refresh_token_reused: 401,
  invalid_credentials: 401,
  csrf_failed: 403,
  insufficient_role: 403,
  insufficient_scope: 403,
  too_many_attempts: 429,
  bad_request: 400,
  store_unavailable: 503,
};

const defaultMessages: Readonly<Record<AuthErrorCode, string>> = {
  token_missing: 'No token was sent',
  token_invalid: 'The token is invalid',
  token_expired: 'The token has expired',
  token_not_yet_valid: 'The token is not valid yet',
  token_revoked: 'The token has been revoked',
  wrong_token_type: 'The token is of the wrong type for this route',
  fresh_token_required: 'A fresh token is required',
  user_inactive: 'The user is not active',
  refresh_token_reused: 'The refresh token was already used; the session has been ended',
  invalid_credentials: 'Invalid credentials',
  csrf_failed: 'The CSRF check failed',
  insufficient_role: 'The user lacks a role this route requires',
  insufficient_scope: 'The token lacks a scope this route requires',
  too_many_attempts: 'Too many failed attempts; try again later',
  bad_request: 'Bad request',
  store_unavailable: 'The session store is unavailable',
};

/**
 * Why a refusal was made, for logs, metrics and tests: a fixed word, never derived from the input,
 * never shown to clients (the body carries only the code and message). Grouped by the code that
 * carries it.
 */
export type AuthErrorReason =
  // token_invalid: the token's form
  | 'segments'
  | 'empty_segment'
  | 'too_long'
  | 'not_a_string'
  | 'authorization_malformed'
  | 'authorization_repeated'
  | 'base64url'
  | 'header_json'
  | 'header_not_object'
  | 'header_proto'
  | 'payload_json'
  | 'payload_not_object'
  | 'payload_proto'
  // token_invalid: its header and signature
  | 'alg_missing'
  | 'alg_mismatch'
  | 'kid_type'
  | 'kid_unknown'
  | 'kid_missing'
  | 'typ_type'
  | 'crit_unsupported'
  | 'b64_unsupported'
  | 'signature'
  // token_invalid: its claims
  | 'iss'
  | 'aud'
  | 'sub'
  | 'exp'
  | 'nbf'
  | 'iat'
  | 'jti'
  | 'jti_missing'
  | 'sid'
  | 'sid_missing'
  | 'csrf'
  | 'fresh'
  | 'client_id'
  // token_invalid: an ID token offered to loginWithIdToken
  | 'azp'
  | 'nonce'
  // token_invalid: a token of another issuer (externalIssuers)
  | 'issuer_unknown'
  | 'issuer_not_allowed'
  | 'jwks_unavailable'
  // token_invalid: an object offered as a verified context that this instance did not make
  | 'not_a_context'
  // wrong_token_type
  | 'typ_header'
  | 'type_claim'
  | 'context'
  // token_not_yet_valid, token_revoked
  | 'not_before'
  // csrf_failed
  | 'header_missing'
  | 'mismatch'
  | 'not_bound'
  | 'origin'
  | 'sec_fetch_site'
  // store_unavailable
  | 'deadline'
  | 'store_error'
  | 'redis_timeout'
  | 'redis_error'
  | 'redis_reply'
  | 'noscript'
  | 'not_acknowledged'
  | 'revocation_race';

/** The HTTP status an error code maps to (401, 403, 429, 400 or 503). */
export function statusForCode(code: AuthErrorCode): number {
  return statusByCode[code];
}

export interface AuthErrorOptions {
  /** Safe, human-readable detail; never a token, secret or session id. */
  message?: string;
  /**
   * Why, for logs and tests (for example `'signature'`, `'alg_mismatch'`): a short fixed word,
   * never derived from the input.
   */
  reason?: AuthErrorReason;
  /** Whole seconds the client should wait before trying again (`Retry-After`), for `too_many_attempts`. */
  retryAfter?: number;
  cause?: unknown;
}

/**
 * The one error family the library throws for refusals. `code` is stable, `statusCode` is the HTTP
 * status, and `message` never contains a token, a secret or a session id.
 */
const authErrorBrand = Symbol.for('authjwt.AuthError');

export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code: AuthErrorCode;
  readonly statusCode: number;
  readonly reason: AuthErrorReason | undefined;
  /** Whole seconds to wait before trying again, when the refusal says (`Retry-After`). */
  readonly retryAfter: number | undefined;

  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    super(
      options.message ?? defaultMessages[code],
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.code = code;
    this.statusCode = statusByCode[code];
    this.reason = options.reason;
    this.retryAfter = options.retryAfter;
  }
}

/** True for any error the library raised as a refusal. */
Object.defineProperty(AuthError.prototype, authErrorBrand, { value: true });

/**
 * Whether `error` is an `AuthError`, also one made by another copy of this package in the process (a
 * dependency that bundles its own authjwt, two versions side by side), where `instanceof` says no:
 * every copy marks its errors with the same registered symbol.
 */
export function isAuthError(error: unknown): error is AuthError {
  return (
    error instanceof AuthError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[authErrorBrand] === true)
  );
}

/**
 * A misconfiguration found at construction (a weak secret, a key that does not fit its algorithm,
 * an out-of-range option). Thrown once at start-up, never per request. The message names the option.
 */
export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
  readonly option: string;

  constructor(option: string, message: string) {
    super(`authjwt: option \`${option}\`: ${message}`);
    this.option = option;
  }
}
