/**
 * Shared helpers for the token suites: small assertions that turn a refusal into `{ code, reason }`
 * so each test states exactly which refusal it expects, and token builders. The public vectors are
 * found by vectors.ts.
 */
import { AuthConfigError, AuthError } from '../../src/errors.js';

export interface Refusal {
  readonly code: string;
  readonly reason: string | undefined;
}

/** Runs `action` and returns the AuthError it threw; any other outcome fails the test. */
export function refusal(action: () => unknown): Refusal {
  try {
    action();
  } catch (error) {
    if (error instanceof AuthError) return { code: error.code, reason: error.reason };
    throw error;
  }
  throw new Error('expected an AuthError refusal, but the call succeeded');
}

/** Runs `action` and returns the AuthConfigError it threw; any other outcome fails the test. */
export function configRefusal(action: () => unknown): AuthConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof AuthConfigError) return error;
    throw error;
  }
  throw new Error('expected an AuthConfigError, but construction succeeded');
}

/** base64url of a string, bytes, or (as JSON) anything else. */
export function b64u(value: unknown): string {
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('base64url');
  if (Buffer.isBuffer(value)) return value.toString('base64url');
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Assembles a compact JWS from parts; `sign` receives the signing input. */
export function compact(
  header: unknown,
  payload: unknown,
  sign: (input: string) => Buffer | string = () => '',
): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  const signature = sign(input);
  return `${input}.${typeof signature === 'string' ? signature : signature.toString('base64url')}`;
}

/** Fixed instant used by suites that inject a clock: 2030-01-01T00:00:00Z. */
export const fixedNowSeconds = 1_893_456_000;
export const fixedClock = (): number => fixedNowSeconds * 1000;
