import { randomFillSync } from 'node:crypto';

// Drawing 16 bytes at a time from a pool refilled in bulk costs a fraction of one randomBytes(16)
// call per token, and the bytes are the same CSPRNG output.
const pool = Buffer.allocUnsafe(16 * 256);
let offset = pool.length;

/**
 * 128 random bits as 22 base64url characters: token ids (`jti`), session ids, CSRF values. Never
 * begins with `-`: operators paste session ids into command lines (`authjwt sessions revoke USER ID`),
 * where a leading `-` reads as an option, one id in 64 before this.
 */
export function randomId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  // The first character is the top six bits of the first byte; 62 is `-`. Clearing the top bit makes
  // it `e` (30), which then comes up twice as often: a loss of about 0.02 bits of 128.
  const first = pool.readUInt8(offset);
  if (first >>> 2 === 62) pool.writeUInt8(first & 0x7f, offset);
  const id = pool.toString('base64url', offset, offset + 16);
  offset += 16;
  return id;
}
