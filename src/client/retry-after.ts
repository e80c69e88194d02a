/**
 * Milliseconds to wait from a `Retry-After` header (RFC 9110 section 10.2.3: delay-seconds or an
 * HTTP-date), or `undefined` when there is none or it cannot be read. Capped at `capMs`: a server
 * should not be able to park the page for an hour.
 */
export function retryAfterMs(header: string | null, capMs: number, nowMs = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  let delay: number;
  if (/^\d+$/.test(value)) delay = Number(value) * 1000;
  else {
    const date = Date.parse(value);
    if (Number.isNaN(date)) return undefined;
    delay = date - nowMs;
  }
  return Math.min(Math.max(0, delay), capMs);
}
