import { STATUS_CODES } from 'node:http';
import type { AuthError } from '../errors.js';
import { bearerChallenge, type ChallengeOptions } from './challenge.js';

/** The contract's refusal body. It carries the code and a fixed message, never the token. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}

export interface ErrorResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/** Seconds a client should wait before retrying when the store is down. */
export const storeRetryAfterSeconds = 1;

/** Maps an `AuthError` to status, headers and body: the one table every adapter uses. */
export function authErrorResponse(error: AuthError, options: ChallengeOptions = {}): ErrorResponse {
  const headers: Record<string, string> = {};
  if (error.statusCode === 401 || error.code === 'insufficient_role' || error.code === 'insufficient_scope') {
    const challenge = bearerChallenge(error.code, options);
    if (challenge !== undefined) headers['www-authenticate'] = challenge;
  }
  if (error.code === 'store_unavailable') headers['retry-after'] = String(storeRetryAfterSeconds);
  if (error.retryAfter !== undefined)
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfter)));
  // Refusals depend on credentials; no shared cache may keep one.
  headers['cache-control'] = 'no-store';
  return {
    statusCode: error.statusCode,
    headers,
    body: errorBody(error.statusCode, error.code, error.message),
  };
}

export function errorBody(statusCode: number, code: string, message: string): ErrorBody {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message };
}
