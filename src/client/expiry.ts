/** When a renewal is due and when the access token expires, both in epoch ms. */
export interface Deadlines {
  renewAt: number | null;
  expiresAt: number | null;
}

/** Renew at most a minute before expiry, and never later than two thirds into the token's life. */
const maxLeadMs = 60_000;

/**
 * Deadlines for an access token the server said lives `expiresIn` seconds, counted from when its
 * answer arrived (`receivedAt`), so the page's clock need not agree with the server's. A second is
 * taken off: the server counts whole seconds, so the token may have been issued up to a second
 * before the answer says.
 */
export function deadlinesFor(expiresIn: number | undefined, receivedAt: number): Deadlines {
  if (expiresIn === undefined) return { renewAt: null, expiresAt: null };
  const usableMs = Math.max(0, (expiresIn - 1) * 1000);
  const expiresAt = receivedAt + usableMs;
  return { renewAt: expiresAt - Math.min(usableMs / 3, maxLeadMs), expiresAt };
}
