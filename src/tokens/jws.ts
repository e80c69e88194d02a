import { isUtf8 } from 'node:buffer';
import { AuthError, type AuthErrorReason } from '../errors.js';
import { deepFreeze } from '../internal/deep-freeze.js';
import { signBytes, verifyBytes, verifyHmacSegment } from './algorithms.js';
import { decodeBase64url, encodeBase64url, isCanonicalBase64url } from './base64url.js';
import type { KeyRing } from './key-ring.js';
import type { ResolvedKey } from './keys.js';

/** The protected header members the verifier reads; everything else is ignored and never acted on. */
export interface JoseHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
}

/**
 * A verified token's protected header as its signer wrote it, deep-frozen (one object per distinct
 * header, shared by every token that carries it): `alg`, `kid`, `typ` and any other parameter, such
 * as the custom ones `signAccessToken({ header })` adds. Nothing in it was acted on but `alg`, `kid`
 * and `typ`.
 */
export type VerifiedHeader = JoseHeader & Readonly<Record<string, unknown>>;

export interface VerifiedJws {
  readonly header: VerifiedHeader;
  readonly payload: Record<string, unknown>;
  readonly key: ResolvedKey;
}

/** Default cap on a compact token's length: far above any sane JWT, far below a DoS. */
export const defaultMaxTokenLength = 8192;

// Header members that would tell us where to fetch or how to trust a key. We never use them: the key
// comes from the ring alone. They are listed so the reason is on record, not to refuse tokens.
//   jwk, jku, x5u, x5c, x5t, x5t#S256

const invalid = (reason: AuthErrorReason) => new AuthError('token_invalid', { reason });

// A service signs with a handful of constant header objects; each is encoded once.
const encodedHeaders = new WeakMap<object, string>();

/** Signs a JWS in compact serialization (RFC 7515 section 7.1). */
export function signCompact(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: ResolvedKey,
): string {
  if (key.signingKey === undefined) throw new Error('authjwt: this key cannot sign');
  let headerSegment = encodedHeaders.get(header);
  if (headerSegment === undefined) {
    headerSegment = encodeBase64url(JSON.stringify(header));
    encodedHeaders.set(header, headerSegment);
  }
  const input = `${headerSegment}.${encodeBase64url(JSON.stringify(payload))}`;
  return `${input}.${signBytes(key.alg, key.signingKey, input).toString('base64url')}`;
}

/**
 * Parses and verifies a compact JWS against the ring, strictly, before and around the crypto:
 * size cap, exactly three non-empty segments, canonical base64url, a JSON-object header whose `alg`
 * equals the algorithm the key is bound to, no `crit`, a JSON-object payload. Any failure is an
 * `AuthError('token_invalid')`; nothing else escapes.
 *
 * Parsed headers are cached per instance (keyed by the exact header segment, which the signature
 * covers), because every token a service issues carries one of a handful of headers.
 */
export function createJwsVerifier(ring: KeyRing, maxTokenLength = defaultMaxTokenLength) {
  const headerCache = new Map<string, { header: VerifiedHeader; key: ResolvedKey }>();
  const headerCacheLimit = 64;
  // The last header segment seen and what it resolved to: nearly every token repeats it, and one
  // string comparison costs less than hashing a fresh slice for the Map.
  let lastSegment = '';
  let lastResolved: { header: VerifiedHeader; key: ResolvedKey } | undefined;
  // A header resolved to a key that may since have been retired (or, for a token without `kid`, the
  // ring may no longer hold only one key): every change to the ring drops what was resolved.
  ring.onChange?.(() => {
    headerCache.clear();
    lastSegment = '';
    lastResolved = undefined;
  });

  function resolveHeader(segment: string): { header: VerifiedHeader; key: ResolvedKey } {
    const cached = headerCache.get(segment);
    if (cached !== undefined) return cached;
    const bytes = decodeBase64url(segment);
    if (bytes === undefined) throw invalid('base64url');
    const header = parseJsonObject(bytes, 'header');
    const alg = header.alg;
    if (typeof alg !== 'string') throw invalid('alg_missing');
    const kid = header.kid;
    if (kid !== undefined && typeof kid !== 'string') throw invalid('kid_type');
    if (header.typ !== undefined && typeof header.typ !== 'string') throw invalid('typ_type');
    // RFC 7515 section 4.1.11: extensions we do not understand must make the JWS invalid; we understand none.
    if (header.crit !== undefined) throw invalid('crit_unsupported');
    // RFC 7797 unencoded payloads are not supported; a b64 other than true changes the signing input.
    if (header.b64 !== undefined && header.b64 !== true) throw invalid('b64_unsupported');
    const key = ring.find(kid as string | undefined, alg);
    if (key === undefined) throw invalid('kid_unknown');
    // The algorithm is pinned by configuration; the header must name it exactly (case-sensitive).
    if (alg !== key.alg.name) throw invalid('alg_mismatch');
    // Frozen: the same object reaches the context of every token that carries this header.
    const resolved = { header: deepFreeze(header) as VerifiedHeader, key };
    if (headerCache.size >= headerCacheLimit) headerCache.clear();
    headerCache.set(segment, resolved);
    return resolved;
  }

  /**
   * `payload`, when given, is the payload segment already parsed (strictly, by `parseJsonObject`) by
   * a caller that had to read it before the signature (to choose an issuer's keys): it is not parsed
   * twice. The signature covers the segment it came from, so what is returned is still what was signed.
   */
  return function verifyCompact(token: unknown, payload?: Record<string, unknown>): VerifiedJws {
    if (typeof token !== 'string' || token.length === 0) throw invalid('not_a_string');
    if (token.length > maxTokenLength) throw invalid('too_long');
    const firstDot = token.indexOf('.');
    const lastDot = token.lastIndexOf('.');
    if (firstDot <= 0 || lastDot === firstDot || token.indexOf('.', firstDot + 1) !== lastDot) {
      throw invalid('segments');
    }
    if (lastDot === firstDot + 1 || lastDot === token.length - 1) throw invalid('empty_segment');
    // Nearly every token repeats the last header: compared in place, without slicing it out.
    let resolved = lastResolved;
    if (resolved === undefined || firstDot !== lastSegment.length || !token.startsWith(lastSegment)) {
      const headerSegment = token.slice(0, firstDot);
      resolved = resolveHeader(headerSegment);
      lastSegment = headerSegment;
      lastResolved = resolved;
    }
    const { header, key } = resolved;
    // Decoded before the signature check (decoding is harmless; parsing waits for the signature).
    const payloadBytes =
      payload === undefined ? decodeBase64url(token.slice(firstDot + 1, lastDot)) : undefined;
    if (payload === undefined && payloadBytes === undefined) throw invalid('base64url');
    const signingInput = token.slice(0, lastDot);
    const signatureSegment = token.slice(lastDot + 1);
    // HMAC compares the segment as text with the canonical encoding of the MAC, so it is not decoded,
    // and a segment that matches is canonical: its form is checked only to name a refusal (below).
    const hmac = key.alg.family === 'hmac';
    const signature = hmac ? undefined : decodeBase64url(signatureSegment);
    if (!hmac && signature === undefined) throw invalid('base64url');
    let valid: boolean;
    try {
      valid =
        signature === undefined
          ? verifyHmacSegment(key.alg, key.verificationKey, signingInput, signatureSegment)
          : verifyBytes(key.alg, key.verificationKey, signingInput, signature);
    } catch {
      valid = false;
    }
    if (!valid) throw invalid(hmac && !isCanonicalBase64url(signatureSegment) ? 'base64url' : 'signature');
    return { header, payload: payload ?? parseJsonObject(payloadBytes as Buffer, 'payload'), key };
  };
}

/** A header or payload segment's bytes as a JSON object: strict UTF-8, an object, no `__proto__`. */
export function parseJsonObject(bytes: Buffer, part: 'header' | 'payload'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8(bytes));
  } catch {
    throw invalid(`${part}_json`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(`${part}_not_object`);
  // JSON.parse makes `__proto__` an own property (no pollution), but no honest token carries one and
  // code downstream might copy it with assignment semantics.
  if (Object.hasOwn(value, '__proto__')) throw invalid(`${part}_proto`);
  return value as Record<string, unknown>;
}

/**
 * RFC 7515 requires UTF-8; a lenient decoder would map invalid bytes to U+FFFD and accept them.
 * Node's own decoder is that lenient one, and faster than a fatal TextDecoder: it writes U+FFFD for
 * every invalid sequence, so text without one came from valid UTF-8, and only text with one (a
 * genuine U+FFFD, or invalid bytes) needs the strict check. Throws on invalid UTF-8.
 */
function strictUtf8(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !isUtf8(bytes)) throw new TypeError('invalid UTF-8');
  return text;
}
