/**
 * Whether an HMAC secret is plainly not random. The length check (at least the hash size, RFC 7518
 * section 3.2) passes 32 identical bytes, `'ab'` sixteen times or a key padded with zeros; each makes
 * forging a token a matter of guessing a handful of bits. No test can prove a secret random, so this
 * one only refuses what random bytes practically never look like, in every form a secret is made in
 * (raw bytes, hex, base64url, even decimal digits).
 */

/**
 * Below this Shannon entropy of the byte frequencies (bits per byte), a secret is refused. Random
 * secrets of the minimum length sit far above it: 32 random bytes measure 4.3 or more, 32 hex digits
 * 2.8 or more, 32 decimal digits 2.4 or more (the lowest of 200,000 draws each); 32 bytes with one
 * value repeated 28 times measure 0.8.
 */
const minimumBitsPerByte = 2;

/** Why a secret is refused, or `undefined` for one that may be random. Never quotes the secret. */
export function weakSecretReason(secret: Uint8Array): string | undefined {
  if (repeatsAShortPattern(secret)) return 'repeats a short pattern';
  if (bitsPerByte(secret) < minimumBitsPerByte) return 'uses too few distinct byte values';
  return undefined;
}

/**
 * True when the secret is a pattern of at most half its length repeated (`abcabcabca`). For random
 * bytes of length n this has a chance of about 256^(-n/2); even for decimal digits, 10^(-16) at n = 32.
 */
function repeatsAShortPattern(secret: Uint8Array): boolean {
  for (let period = 1; period <= secret.length / 2; period++) {
    let repeats = true;
    for (let index = period; index < secret.length && repeats; index++) {
      repeats = secret[index] === secret[index - period];
    }
    if (repeats) return true;
  }
  return false;
}

/** Shannon entropy of the byte frequencies, in bits per byte (0 for one repeated byte, at most 8). */
function bitsPerByte(secret: Uint8Array): number {
  const counts = new Map<number, number>();
  for (const byte of secret) counts.set(byte, (counts.get(byte) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const share = count / secret.length;
    bits -= share * Math.log2(share);
  }
  return bits;
}
