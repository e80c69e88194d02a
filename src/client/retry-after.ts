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
    // An HTTP-date names its day and month; anything else (`-1`, `1.5`) is no date, whatever Date.parse makes of it.
    if (!/^[A-Za-z]{3}, /.test(value)) return undefined;
    const date = Date.parse(value);
    if (Number.isNaN(date)) return undefined;
    delay = date - nowMs;
  }
  return Math.min(Math.max(0, delay), capMs);
}
