import type { CreateSessionResult, SessionRecord, SessionStore } from '../stores/port.js';

/** The few assertions the contract makes; Vitest's and Jest's `expect` both fit. */
export interface ContractExpectation {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
}

/**
 * The test functions of your runner, passed in so this module imports none (Vitest's and Jest's fit
 * as they are: `{ describe, it, expect, beforeEach, afterEach }`).
 */
export interface ContractTestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
  expect(actual: unknown): ContractExpectation;
  beforeEach(hook: () => Promise<void>): void;
  afterEach(hook: () => Promise<void>): void;
}

/** What each part of the contract gets: the current test's store, and helpers to build sessions. */
export interface ContractFixture {
  readonly api: ContractTestApi;
  store(): SessionStore;
  /** The test's base time: now, so that Redis key expiry (server clock) agrees with the store's view. */
  t0(): number;
  /** A live session of `userId`: created at `t0`, one-hour idle timeout, one-day lifetime. */
  session(userId: string, overrides?: Partial<SessionRecord>): SessionRecord;
}

export const hour = 3_600_000;

/** The listing bound the contract passes where it does not test the bound itself. */
export const listLimit = 1000;

/** The sessions a creation evicted; a refusal is a failure here. */
export function evictedBy(result: CreateSessionResult): readonly string[] {
  if (result.outcome !== 'created')
    throw new Error(`expected the session to be created, not ${result.outcome}`);
  return result.evicted;
}

/** Polls until `check` holds (events arrive asynchronously, from Redis through another connection). */
export async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
