/**
 * A message's bytes, whatever shape the socket delivered them in: `ws` gives a Buffer, an ArrayBuffer
 * or an array of Buffers (by `binaryType`); other implementations may give a string.
 */
export function messageBytes(data: unknown): Buffer | undefined {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data) && data.every((part) => Buffer.isBuffer(part))) return Buffer.concat(data);
  return undefined;
}

/**
 * The access token of a first message `{"type":"auth","access_token":"..."}`, or `undefined` for
 * anything else (other JSON, bad JSON, an empty token).
 */
export function readAuthMessage(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { type, access_token: token } = value as Record<string, unknown>;
  if (type !== 'auth' || typeof token !== 'string' || token.length === 0) return undefined;
  return token;
}
