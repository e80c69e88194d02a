import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AuthError, isAuthError } from '../../errors.js';
import { authErrorResponse } from '../../http/error-response.js';
import type { HttpAuth, Refusal } from '../../http/http-auth.js';
import { injectable } from './di.js';
import { AuthjwtRefusal } from './refusal.js';
import { AUTHJWT_HTTP } from './tokens.js';

/**
 * Answers a guard's {@link AuthjwtRefusal}, and an `AuthError` a route throws (a reused refresh token,
 * `invalid_credentials` at login, `too_many_attempts` with its `Retry-After`), with the HTTP layer's
 * refusal on either platform: the status, `WWW-Authenticate`, `Retry-After`, `Cache-Control:
 * no-store` and the JSON body, the application's `refusalBody` when it gives one. `AuthjwtModule`
 * registers it for the whole application; it catches nothing else, so the application's own filters
 * and Nest's keep every other error.
 *
 * An application's own catch-all filter (`@Catch()` in `app.useGlobalFilters()`) comes before it in
 * Nest's order, and would answer refusals without their challenge: hand them over instead.
 *
 * ```ts
 * const refusals = app.get(AuthjwtExceptionFilter);
 * app.useGlobalFilters({
 *   catch: (exception, host) => (refusals.answers(exception) ? refusals.catch(exception, host) : mine(exception, host)),
 * });
 * ```
 */
export class AuthjwtExceptionFilter implements ExceptionFilter<AuthjwtRefusal | AuthError> {
  constructor(
    private readonly http: HttpAuth,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Whether `exception` is one this filter answers: a refusal, or an `AuthError` (of any copy of authjwt). */
  answers(exception: unknown): exception is AuthjwtRefusal | AuthError {
    return exception instanceof AuthjwtRefusal || isAuthError(exception);
  }

  catch(exception: AuthjwtRefusal | AuthError, host: ArgumentsHost): void {
    // Outside HTTP (GraphQL, a gateway, a microservice) rethrown, as Nest's own filter there does.
    if (host.getType() !== 'http') throw exception;
    const error = exception instanceof AuthjwtRefusal ? exception.error : exception;
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    if (httpAdapter.isHeadersSent(response)) {
      // Too late for a status: a route that streamed part of its answer ends it there.
      httpAdapter.end(response);
      return;
    }
    const answer = this.http.errorResponse(error);
    for (const [name, value] of Object.entries(answer.headers)) httpAdapter.setHeader(response, name, value);
    httpAdapter.setHeader(response, 'content-type', 'application/json; charset=utf-8');
    const body = serialized(answer) ?? JSON.stringify(authErrorResponse(error, this.http.challenge).body);
    httpAdapter.reply(response, body, answer.statusCode);
  }
}

/** The body as JSON; `undefined` when the application's body cannot be (a cycle, a BigInt). */
function serialized(answer: Refusal): string | undefined {
  try {
    return JSON.stringify(answer.body);
  } catch {
    return undefined;
  }
}

Catch(AuthjwtRefusal, AuthError)(AuthjwtExceptionFilter);
injectable(AuthjwtExceptionFilter, AUTHJWT_HTTP, HttpAdapterHost);
