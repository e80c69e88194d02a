import type { LoginAttempt, LoginAttemptLimits } from '../stores/port.js';
import { type ContractFixture, sleep } from './contract-helpers.js';

const limits: LoginAttemptLimits = { maxPerAccount: 3, maxPerClient: 5, windowMs: 60_000 };
const alice: LoginAttempt = { account: 'alice', client: '203.0.113.7' };

/** Login throttling: two fixed-window counters per attempt, counted and refused in one atomic step. */
export function registerLoginAttemptContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;
  const count = (attempt: LoginAttempt, given = limits) => f.store().countLoginAttempt(attempt, given);

  describe('countLoginAttempt and forgetLoginAttempt', () => {
    it("refuses the account at this client past its limit, until the window ends, and no one else's", async () => {
      for (let n = 0; n < 3; n += 1) expect(await count(alice)).toEqual({ allowed: true });
      const refused = await count(alice);
      expect(refused.allowed).toBe(false);
      const wait = refused.allowed ? 0 : refused.retryAfterMs;
      expect(wait > 59_000 && wait <= 60_000).toBe(true);
      // Refusals are not counted: the client's count stayed at 3.
      expect(await count({ account: 'bob', client: alice.client })).toEqual({ allowed: true });
      expect(await count({ account: 'alice', client: '198.51.100.1' })).toEqual({ allowed: true });
    });

    it('refuses every account of a client past the client limit', async () => {
      for (const account of ['a', 'b', 'c', 'd', 'e']) {
        expect(await count({ account, client: alice.client })).toEqual({ allowed: true });
      }
      expect((await count({ account: 'f', client: alice.client })).allowed).toBe(false);
      expect((await count({ account: 'f', client: '198.51.100.1' })).allowed).toBe(true);
    });

    it("a success clears the account's count and takes its attempt off the client's", async () => {
      for (let n = 0; n < 3; n += 1) await count(alice);
      await f.store().forgetLoginAttempt(alice);
      // The account starts again; the client has 2 of 5 left (3 counted, 1 taken back).
      for (let n = 0; n < 3; n += 1) expect(await count(alice)).toEqual({ allowed: true });
      expect((await count(alice)).allowed).toBe(false);
      expect((await count({ account: 'bob', client: alice.client })).allowed).toBe(false);
    });

    it('allows again once the window has passed', async () => {
      const short = { ...limits, windowMs: 300 };
      for (let n = 0; n < 3; n += 1) await count(alice, short);
      expect((await count(alice, short)).allowed).toBe(false);
      await sleep(350);
      expect(await count(alice, short)).toEqual({ allowed: true });
    });

    it('lets exactly the limit through when 30 attempts arrive at once', async () => {
      const results = await Promise.all(Array.from({ length: 30 }, () => count(alice)));
      expect(results.filter((r) => r.allowed).length).toBe(3);
    });

    it('keeps clients and accounts apart whatever their text', async () => {
      const one = { account: 'bc', client: 'a' };
      const two = { account: 'c', client: 'ab' };
      for (let n = 0; n < 3; n += 1) await count(one);
      expect((await count(one)).allowed).toBe(false);
      expect(await count(two)).toEqual({ allowed: true });
      expect(await count({ account: '', client: '{x}*' })).toEqual({ allowed: true });
    });
  });
}
