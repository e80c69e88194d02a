import { AuthConfigError, AuthError } from '../errors.js';
import { parseDuration } from '../internal/duration.js';
import type { SessionStore } from '../stores/port.js';
import type { UserOptions } from './options.js';
import type { FillTicket, SessionCache } from './session-cache.js';
import { SharedReads } from './shared-reads.js';

/** The user behind a token: loaded through the app's hook, cached in the store, checked for soft delete. */
export interface UserProfiles {
  /** Whether profiles are configured at all. */
  readonly enabled: boolean;
  /** The profile, or throws `user_inactive` for a deleted or deactivated user. */
  load(userId: string): Promise<unknown>;
  /**
   * `load` from this process's cache alone: the profile (`undefined` when profiles are not
   * configured), or `undefined` as a whole when only the store or the app can tell.
   */
  loadLocally(userId: string): { readonly user: unknown } | undefined;
  /** Roles from the profile, or `undefined` to fall back to the token's claim. */
  roles(user: unknown): readonly string[] | undefined;
  /** Drops the cached profile everywhere (after the app changed the user). */
  invalidate(userId: string): Promise<void>;
}

const noProfile = Object.freeze({ user: undefined });

type Call = <T>(operation: () => Promise<T>) => Promise<T>;

export function createUserProfiles(
  options: UserOptions | undefined,
  store: SessionStore,
  call: Call,
  cache: SessionCache | undefined,
): UserProfiles {
  /** Drops the profile in the store (announced to every instance) and, at once, in this instance's cache. */
  async function invalidate(userId: string): Promise<void> {
    await call(() => store.deleteCachedUser(userId));
    cache?.apply({ kind: 'user', userId, reason: 'profile' });
  }

  if (options === undefined) {
    return {
      enabled: false,
      load: async () => undefined,
      loadLocally: () => noProfile,
      roles: () => undefined,
      invalidate,
    };
  }
  if (typeof options.load !== 'function') throw new AuthConfigError('users.load', 'must be a function');
  const cacheTtlMs = parseDuration('users.cacheTtl', options.cacheTtl ?? '5m') * 1000;
  const isActive = options.isActive ?? (() => true);
  const rolesOf = options.roles;

  const sharedReads = new SharedReads();

  /** The profile as JSON (`null` for no such user), from the cache, the store or the app's `load`. */
  function profileJson(userId: string): Promise<string | null> {
    const local = cache?.profile(userId);
    if (local !== undefined) return Promise.resolve(local);
    if (cache === undefined) return readProfile(userId, undefined);
    // Concurrent misses for one user share the read, and the app's `load` runs once (SharedReads).
    const ticket = cache.ticket();
    return sharedReads.run(userId, ticket, () => readProfile(userId, ticket));
  }

  async function readProfile(userId: string, ticket: FillTicket | undefined): Promise<string | null> {
    const cached = await call(() => store.getCachedUser(userId));
    if (cached !== null) {
      if (ticket !== undefined) cache?.fillProfile(ticket, userId, cached);
      return cached;
    }
    // The app's own lookup is not the store: its failures are the app's, and surface as such.
    const user = await options?.load(userId);
    if (user === null || user === undefined) return null;
    const json = JSON.stringify(user);
    await call(() => store.setCachedUser(userId, json, cacheTtlMs));
    if (ticket !== undefined) cache?.fillProfile(ticket, userId, json);
    return json;
  }

  function activeOnly(user: unknown): unknown {
    if (user === null || !isActive(user)) throw new AuthError('user_inactive');
    return user;
  }

  return {
    enabled: true,
    // Parsed for each request, whichever path answered: each gets its own copy to read or change,
    // and the same JSON shape the cache serves.
    load: async (userId) => {
      const json = await profileJson(userId);
      return activeOnly(json === null ? null : JSON.parse(json));
    },
    loadLocally(userId) {
      const local = cache?.profile(userId);
      return local === undefined ? undefined : { user: activeOnly(JSON.parse(local)) };
    },
    roles: (user) => (rolesOf === undefined ? undefined : rolesOf(user)),
    invalidate,
  };
}
