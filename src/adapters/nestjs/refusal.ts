import { HttpException } from '@nestjs/common';
import type { AuthError } from '../../errors.js';
import type { ChallengeOptions } from '../../http/challenge.js';
import { authErrorResponse, type ErrorBody } from '../../http/error-response.js';

/**
 * A refusal of an authjwt guard, as Nest's exception for it: an `HttpException` with the contract's
 * status and body, so that whatever handles it (the module's `AuthjwtExceptionFilter`, which answers
 * with the `WWW-Authenticate`, `Retry-After` and `Cache-Control` headers and the application's
 * `refusalBody`, or your own filter) sees a client error with its code, never a 500.
 *
 * Your own filter for it keeps the contract by writing `headers` with `getStatus()`:
 *
 * ```ts
 * @Catch(AuthjwtRefusal)
 * class MyRefusals implements ExceptionFilter {
 *   catch(refusal: AuthjwtRefusal, host: ArgumentsHost) {
 *     const reply = host.switchToHttp().getResponse<Response>();
 *     reply.status(refusal.getStatus()).set(refusal.headers).json({ problem: refusal.error.code });
 *   }
 * }
 * ```
 */
export class AuthjwtRefusal extends HttpException {
  /** The refusal, with its stable `code`. */
  readonly error: AuthError;
  /** The challenge, `Retry-After` and `Cache-Control: no-store` the answer must carry. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(error: AuthError, challenge: ChallengeOptions = {}) {
    const response = authErrorResponse(error, challenge);
    super(response.body, response.statusCode);
    this.error = error;
    this.headers = response.headers;
  }

  override getResponse(): ErrorBody {
    return super.getResponse() as ErrorBody;
  }
}
