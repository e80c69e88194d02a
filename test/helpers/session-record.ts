import type { SessionRecord } from '../../src/stores/port.js';
import { randomId } from '../../src/tokens/random-id.js';

/** A session record of `userId`, created now and live for an hour, for tests that call a store directly. */
export function sessionRecord(userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    id: randomId(),
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + 3_600_000,
    idleExpiresAt: now + 3_600_000,
    refreshJti: randomId(),
    ...overrides,
  };
}
