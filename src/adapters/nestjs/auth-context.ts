import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthContext as VerifiedContext } from '../../context.js';
import { AuthError } from '../../errors.js';
import { AuthjwtRefusal } from './refusal.js';
import type { NestHttpRequest } from './request.js';

/** The context of a verified token (`authjwt`'s `AuthContext`), the type of `@AuthContext()`'s parameter. */
export type AuthContext = VerifiedContext;

/** `@AuthContext()`'s factory: the routes scan finds the parameters it reads by it. */
export function requiredContext(_data: unknown, context: ExecutionContext): AuthContext {
  const auth = context.switchToHttp().getRequest<NestHttpRequest>().auth;
  if (auth === undefined) {
    // Found at start-up when the route has no authjwt decorator; here for any route the scan missed.
    throw new Error('authjwt: @AuthContext() on a route that no authjwt guard protects');
  }
  // An open route (optional, public, an `except` path) without a token: the handler needs one.
  if (auth === null) throw new AuthjwtRefusal(new AuthError('token_missing'));
  return auth;
}

function optionalContext(_data: unknown, context: ExecutionContext): AuthContext | null {
  return context.switchToHttp().getRequest<NestHttpRequest>().auth ?? null;
}

const requiredParam = createParamDecorator(requiredContext);
const optionalParam = createParamDecorator(optionalContext);

/**
 * The verified token's context, never null: `handler(@AuthContext() auth: AuthContext)` behind a
 * guard decorator, or anywhere under `protect`. Where a route lets a request in without a token
 * (`@OptionalAccess()`, `@Public()`, an `except` path) and none came, the request is refused with 401
 * `token_missing`; on a route no authjwt guard protects, the application does not start.
 */
export const AuthContext = (): ParameterDecorator => requiredParam();

/** The context, or `null` without a token: for `@OptionalAccess()` and open routes. */
export const OptionalAuthContext = (): ParameterDecorator => optionalParam();
