/**
 * Shared helpers for the token suites: where the public vectors live, and small assertions that
 * turn a refusal into `{ code, reason }` so each test states exactly which refusal it expects.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AuthConfigError, AuthError } from '../../src/errors.js';

/** `../shared/vectors` relative to the project root, used in place (never copied into the repo). */
export const vectorsUrl = new URL('../../../shared/vectors/', import.meta.url);
export const vectorsDir = fileURLToPath(vectorsUrl);
export const haveVectors = existsSync(vectorsDir);

/** Appended to the name of every vector suite, so a clone without the vectors says why it skipped. */
export const vectorsNote = haveVectors
  ? ''
  : ` (SKIPPED: the public test vectors were not found at ${vectorsDir}; they live beside the project in ../shared/vectors)`;

if (!haveVectors) {
  console.warn(`authjwt token suites: ${vectorsDir} is missing, so the vector suites are skipped.`);
}

/** Reads a vector file, or `undefined` when the vectors folder is absent (the suite is then skipped). */
export function readVector<T>(relative: string): T | undefined {
  if (!haveVectors) return undefined;
  return JSON.parse(readFileSync(new URL(relative, vectorsUrl), 'utf8')) as T;
}

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
