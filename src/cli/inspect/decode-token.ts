import { CliError } from '../exit-codes.js';

/** The two readable parts of a JWS compact token; the signature is never kept or shown. */
export interface DecodedToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Longer than any token a server accepts (the library's default limit is 8192 characters). */
const maximumLength = 65_536;

/**
 * Reads the header and claims of a JWS compact token without checking anything else. Every refusal
 * names the part at fault, never its content: a JSON parser's own message would quote the input.
 */
export function decodeToken(token: string): DecodedToken {
  if (token.length === 0) throw invalid('the token is empty');
  if (token.length > maximumLength) throw invalid(`the token is longer than ${maximumLength} characters`);
  const parts = token.split('.');
  if (parts.length === 5)
    throw invalid('this is an encrypted token (JWE), which cannot be read without its key');
  if (parts.length !== 3) throw invalid('not a JWS compact token (three base64url parts separated by dots)');
  return { header: jsonPart(parts[0] as string, 'header'), claims: jsonPart(parts[1] as string, 'claims') };
}

const partNames = { header: 'the header is', claims: 'the claims are' } as const;

function jsonPart(part: string, name: keyof typeof partNames): Readonly<Record<string, unknown>> {
  const subject = partNames[name];
  // Strict base64url (RFC 7515 section 2): Node's decoder would skip characters outside the alphabet.
  if (part.length === 0 || !/^[A-Za-z0-9_-]+$/.test(part) || part.length % 4 === 1) {
    throw invalid(`${subject} not base64url`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw invalid(`${subject} not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${subject} not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function invalid(message: string): CliError {
  return new CliError('token_invalid', message, { reason: 'malformed' });
}
