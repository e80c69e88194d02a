import { usageError } from './exit-codes.js';

/** Whole seconds from 1 to 60, as milliseconds (the store's own timeouts take whole seconds). */
export function seconds(option: string, value: string): number {
  const number = Number(value);
  if (!/^\d{1,2}$/.test(value) || number < 1 || number > 60)
    throw usageError(`${option} must be whole seconds from 1 to 60`);
  return number * 1000;
}

export function wholeNumber(option: string, value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw usageError(`${option} must be a whole number`);
  return Number(value);
}

/** Anything shaped like a JWS compact token (three base64url parts), replaced. */
export function withoutTokens(text: string): string {
  return text.replace(/[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[a token, not shown]');
}

/** All of stdin, up to 1 MiB. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    length += bytes.length;
    // Far past any token; stops a mistaken pipe of a large file early.
    if (length > 1_048_576) throw usageError('stdin holds more than 1 MiB: not a token');
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}
