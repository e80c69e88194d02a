/**
 * The CLI's exit codes, one meaning each, so scripts can branch on them (documented in the README and
 * in `authjwt --help`).
 */
export const exitCodes = {
  /** Done; `doctor`: every check passed. */
  ok: 0,
  /** `doctor`: at least one check failed; or an unexpected error. */
  failed: 1,
  /** The command line was wrong: unknown command or option, a bad value, an unreadable file. */
  usage: 2,
  /** `doctor`: no check failed, but some warn. */
  warnings: 3,
  /** `inspect`: the token is malformed, or was refused by the verification asked for. */
  tokenInvalid: 4,
  /** Redis could not be reached, or did not answer in time. */
  redisUnavailable: 5,
  /** `sessions revoke`: the user has no such live session (nothing was ended). */
  notFound: 6,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** The error codes of `--json` output, beside the exit code each maps to. */
export type CliErrorCode = 'usage' | 'token_invalid' | 'redis_unavailable' | 'not_found' | 'failed';

const exitCodeOf: Readonly<Record<CliErrorCode, ExitCode>> = {
  usage: exitCodes.usage,
  token_invalid: exitCodes.tokenInvalid,
  redis_unavailable: exitCodes.redisUnavailable,
  not_found: exitCodes.notFound,
  failed: exitCodes.failed,
};

/**
 * A refusal the CLI reports and exits on. Its message is shown to the operator as is, so it is
 * written never to hold a token, signature, secret, password or session id.
 */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: ExitCode;
  /** Extra facts for `--json` output (a reason code, the check that failed), never secrets. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: CliErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCodeOf[code];
    this.details = details;
  }
}

export function usageError(message: string): CliError {
  return new CliError('usage', message);
}
