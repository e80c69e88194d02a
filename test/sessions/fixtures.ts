import { type AuthOptions, createAuth, memoryStore, type SessionStore } from 'authjwt';
import { afterAll, beforeAll } from 'vitest';
import { SessionCache } from '../../src/sessions/session-cache.js';
import type { RevocationEvent, SessionRecord } from '../../src/stores/port.js';
import { connectNodeRedis, type NodeRedisClient } from '../helpers/redis-client.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';

export const secret = 'session-tests-secret-0123456789abcdef';

/** A clock the test moves by hand, in milliseconds. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

export function makeAuth(options: Partial<AuthOptions> = {}, given?: SessionStore) {
  const clock = manualClock();
  const store = given ?? memoryStore({ clock: clock.now });
  const auth = createAuth({ signingKey: { alg: 'HS256', key: secret }, clock: clock.now, store, ...options });
  return { auth, clock, store };
}

/**
 * A session cache (clock at 1,000 ms, entries good for 60 s) on a store whose revocation channel the
 * test drives with `emit`; the channel starts up, so the cache is trusted.
 */
export function cacheOnChannel(maxUsers = 10) {
  let emit: (signal: RevocationEvent | 'up' | 'down') => void = () => {};
  const store = {
    subscribe(listener: typeof emit) {
      emit = listener;
      return () => {};
    },
  } as unknown as SessionStore;
  const cache = new SessionCache(store, { maxUsers, maxAgeMs: 60_000, clockMs: () => 1_000 });
  emit('up');
  return { cache, emit: (signal: RevocationEvent | 'up' | 'down') => emit(signal) };
}

/** A session record for the cache tests: created at 500 ms, last seen at 900 ms, ending at `expiresAt`. */
export function recordOf(userId: string, id: string, expiresAt = 100_000): SessionRecord {
  return {
    id,
    userId,
    createdAt: 500,
    lastSeenAt: 900,
    expiresAt,
    idleExpiresAt: expiresAt,
    refreshJti: 'refresh-jti',
  };
}

/** A few milliseconds: long enough for the store's revocation channel to deliver, or to come up. */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** The error code a promise rejects with. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/**
 * A store that counts every call by method name, and can hold back the answers of the given reads
 * (they are made, then answered only once released).
 */
export function countingStore(
  inner: SessionStore = memoryStore(),
  held: readonly (keyof SessionStore)[] = ['getSessionState'],
) {
  const counts: { getSessionState: number; touchSession: number; [method: string]: number } = {
    getSessionState: 0,
    touchSession: 0,
  };
  let gate: Promise<void> | undefined;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const name = String(property);
      return (...args: unknown[]) => {
        counts[name] = (counts[name] ?? 0) + 1;
        const answer: unknown = value.apply(target, args);
        // Synchronous methods (subscribe) answer as they are; held reads wait for the gate.
        if (!(answer instanceof Promise) || !held.includes(name as keyof SessionStore)) return answer;
        return answer.then(async (result: unknown) => {
          if (gate !== undefined) await gate;
          return result;
        });
      };
    },
  }) as SessionStore;
  return {
    store,
    counts,
    hold() {
      let release = () => {};
      gate = new Promise((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
      return release;
    },
  };
}

/**
 * One redis-server for the test file (started before its tests, stopped after) and a node-redis
 * client on it; `prefix(name)` gives a key prefix no other test of the file uses, so they share it.
 */
export function redisForFile() {
  let server: RedisServer | undefined;
  let client: NodeRedisClient | undefined;
  let prefixes = 0;
  beforeAll(async () => {
    server = await startRedisServer();
    client = await connectNodeRedis(server.url);
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('redisForFile: used outside a test');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get url() {
      return started(server).url;
    },
    get client() {
      return started(client);
    },
    prefix: (name: string) => `${name}${++prefixes}:`,
  };
}
