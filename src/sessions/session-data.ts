import { AuthError } from '../errors.js';
import { reservedClaimNames } from '../tokens/claims.js';

/**
 * A session's application data or claims as the store will hold them: a plain JSON object of at most
 * `maxBytes` (UTF-8), copied through JSON so later changes by the caller do not reach the store.
 * Anything else is refused with 400 `bad_request` (the value usually comes from a request), with a
 * message that names the field and never quotes the value.
 */
export function sessionJson(
  field: 'data' | 'claims',
  value: unknown,
  maxBytes: number,
): Readonly<Record<string, unknown>> {
  const refuse = (why: string) => new AuthError('bad_request', { message: `Session ${field} ${why}` });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw refuse('must be a JSON object');
  }
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    throw refuse('must be a JSON object');
  }
  if (Buffer.byteLength(json, 'utf8') > maxBytes) throw refuse(`must be at most ${maxBytes} bytes of JSON`);
  const copy = JSON.parse(json) as unknown;
  // A toJSON() may turn an object into anything else.
  if (copy === null || typeof copy !== 'object' || Array.isArray(copy)) throw refuse('must be a JSON object');
  if (field === 'claims') {
    for (const name of Object.keys(copy as object)) {
      if (reservedClaimNames.has(name)) throw refuse(`may not use a reserved claim name (${name})`);
    }
  }
  return copy as Readonly<Record<string, unknown>>;
}
