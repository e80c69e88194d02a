import type { SessionStore } from '../stores/port.js';
import { randomId } from '../tokens/random-id.js';
import { type ContractFixture, type ContractTestApi, hour } from './contract-helpers.js';
import { registerLoginAttemptContract } from './contract-login-attempts.js';
import { registerManySessionsContract } from './contract-many-sessions.js';
import { registerRotationContract } from './contract-rotation.js';
import { registerSessionDataContract } from './contract-session-data.js';
import { registerSessionContract } from './contract-sessions.js';
import { registerUserContract } from './contract-users.js';

/** A fresh, empty store for one test, and how to dispose of it. */
export type MakeStore = () => Promise<{ store: SessionStore; cleanup(): Promise<void> }>;

/**
 * Registers the `SessionStore` contract as one suite: every port method, its expected absences, the
 * atomic steps under concurrency, revocation events, and user ids that try to escape their keys.
 * Run it against every store; a store passes when the whole suite passes.
 *
 * ```ts
 * import { describe, it, expect, beforeEach, afterEach } from 'vitest';
 * import { memoryStore } from 'authjwt';
 * import { runSessionStoreContract } from 'authjwt/testing';
 *
 * runSessionStoreContract('memory', async () => ({ store: memoryStore(), cleanup: async () => {} }),
 *   { describe, it, expect, beforeEach, afterEach });
 * ```
 *
 * The store must use real time where a port method carries none (Redis does): the contract's times
 * are based on `Date.now()` and simulate expiry by passing later `now` values.
 */
export function runSessionStoreContract(name: string, makeStore: MakeStore, api: ContractTestApi): void {
  api.describe(`SessionStore contract: ${name}`, () => {
    let current: { store: SessionStore; cleanup(): Promise<void> } | undefined;
    let t0 = 0;
    api.beforeEach(async () => {
      t0 = Date.now();
      current = await makeStore();
    });
    api.afterEach(async () => {
      const done = current;
      current = undefined;
      await done?.cleanup();
    });
    const fixture: ContractFixture = {
      api,
      store() {
        if (current === undefined) throw new Error('no store: makeStore has not run');
        return current.store;
      },
      t0: () => t0,
      session: (userId, overrides = {}) => ({
        id: randomId(),
        userId,
        createdAt: t0,
        lastSeenAt: t0,
        expiresAt: t0 + 24 * hour,
        idleExpiresAt: t0 + hour,
        refreshJti: randomId(),
        ...overrides,
      }),
    };
    registerSessionContract(fixture);
    registerRotationContract(fixture);
    registerSessionDataContract(fixture);
    registerUserContract(fixture);
    registerManySessionsContract(fixture);
    registerLoginAttemptContract(fixture);
  });
}
