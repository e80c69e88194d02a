import { randomFillSync } from 'node:crypto';

// Drawing 16 bytes at a time from a pool refilled in bulk costs a fraction of one randomBytes(16)
// call per token, and the bytes are the same CSPRNG output.
const pool = Buffer.allocUnsafe(16 * 256);
let offset = pool.length;

/** 128 random bits as 22 base64url characters: token ids (`jti`), session ids, CSRF values. */
export function randomId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + 16);
  offset += 16;
  return id;
}
