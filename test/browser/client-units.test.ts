import { describe, expect, it } from 'vitest';
import { deadlinesFor } from '../../src/client/expiry.js';
import { retryAfterMs } from '../../src/client/retry-after.js';

// The browser client's two pure rules, in Node: how long a 503 asks to wait, and when to renew.
describe('authjwt/client: Retry-After', () => {
  it('reads delay-seconds and HTTP-dates (RFC 9110 section 10.2.3), capped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('1', 30_000, now)).toBe(1000);
    expect(retryAfterMs(' 2 ', 30_000, now)).toBe(2000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', 30_000, now)).toBe(5000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', 30_000, now)).toBe(0); // already past
    expect(retryAfterMs('3600', 30_000, now)).toBe(30_000);
  });

  it('gives no delay for a missing or unreadable header, so the 503 is handed back', () => {
    expect(retryAfterMs(null, 30_000)).toBeUndefined();
    expect(retryAfterMs('soon', 30_000)).toBeUndefined();
    expect(retryAfterMs('-1', 30_000)).toBeUndefined();
  });
});

describe('authjwt/client: renewal deadlines', () => {
  it('renews a third of the usable life before expiry, a second taken off for whole-second timestamps', () => {
    expect(deadlinesFor(3, 10_000)).toEqual({ renewAt: 10_000 + 2000 - 2000 / 3, expiresAt: 12_000 });
  });

  it('renews at most a minute ahead of a long-lived token, and at once for a token of a second', () => {
    expect(deadlinesFor(900, 0)).toEqual({ renewAt: 899_000 - 60_000, expiresAt: 899_000 });
    expect(deadlinesFor(1, 5)).toEqual({ renewAt: 5, expiresAt: 5 });
  });

  it('has no deadlines when the server did not say the lifetime', () => {
    expect(deadlinesFor(undefined, 0)).toEqual({ renewAt: null, expiresAt: null });
  });
});
