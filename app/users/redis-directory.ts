import { AuthError } from 'authjwt';
import type { PasswordHash, StoredUser, UserDirectory } from './directory.js';

/** What the directory needs of the app's node-redis client (the one the session store uses). */
export interface RedisScripts {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * Returns the user's hash as a flat field/value list. With a seed record in ARGV it first writes it,
 * but only where the user is absent, so a second instance or a restart never overwrites a changed
 * password or a deactivation. One script: two instances seeding at once cannot mix their records.
 */
const findScript = `
if #ARGV > 0 and redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], unpack(ARGV))
end
return redis.call('HGETALL', KEYS[1])`;

/** Sets fields of a user that exists (1), or nothing (0): never a half record without roles or salt. */
const updateScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`;

/** The library's own store deadline: a stalled Redis answers 503 here as it does for sessions. */
const deadlineMs = 1000;

/**
 * The directory in Redis, one hash per user (`salt`, `hash` in base64, `roles` as JSON, `active` 1/0),
 * so every instance on the Redis sees a password change or a deactivation at once. The demo users are
 * seeded when first looked up, only where absent; so a Redis that lost its data gets them back as
 * seeded, like the library, which then has forgotten every session too.
 */
export class RedisDirectory implements UserDirectory {
  readonly #redis: RedisScripts;
  readonly #seeds = new Map<string, StoredUser>();

  constructor(redis: RedisScripts, seeds: readonly StoredUser[]) {
    this.#redis = redis;
    for (const seed of seeds) this.#seeds.set(seed.user.username, seed);
  }

  async find(username: string): Promise<StoredUser | undefined> {
    const seed = this.#seeds.get(username);
    const reply = await this.#run(findScript, username, seed === undefined ? [] : fieldsOf(seed));
    return parse(username, reply);
  }

  async setPassword(username: string, password: PasswordHash): Promise<boolean> {
    const fields = ['salt', password.salt.toString('base64'), 'hash', password.hash.toString('base64')];
    return (await this.#run(updateScript, username, fields)) === 1;
  }

  async setActive(username: string, active: boolean): Promise<boolean> {
    return (await this.#run(updateScript, username, ['active', active ? '1' : '0'])) === 1;
  }

  /** The demo has no sign-up: the directory holds exactly the seeded usernames. */
  get size(): number {
    return this.#seeds.size;
  }

  /** One script on the user's key, under the deadline; any failure is 503 `store_unavailable`. */
  #run(script: string, username: string, args: string[]): Promise<unknown> {
    let pending: Promise<unknown>;
    try {
      pending = this.#redis.eval(script, { keys: [userKey(username)], arguments: args });
    } catch (error) {
      pending = Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const unavailable = (cause?: unknown) =>
        reject(new AuthError('store_unavailable', { reason: 'store_error', cause }));
      const timer = setTimeout(unavailable, deadlineMs);
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        // After the deadline this rejection changes nothing; it is handled so it is never unhandled.
        (error: unknown) => {
          clearTimeout(timer);
          unavailable(error);
        },
      );
    });
  }
}

/** Beside the library's `authjwt:` keys, never among them. */
function userKey(username: string): string {
  return `authjwt-app:user:${username}`;
}

function fieldsOf({ user, password }: StoredUser): string[] {
  return [
    'salt',
    password.salt.toString('base64'),
    'hash',
    password.hash.toString('base64'),
    'roles',
    JSON.stringify(user.roles),
    'active',
    user.active ? '1' : '0',
  ];
}

/** A stored user from HGETALL's flat list; a record the app did not write whole is no user (never logs in). */
function parse(username: string, reply: unknown): StoredUser | undefined {
  if (!Array.isArray(reply) || reply.length === 0) return undefined;
  const fields = new Map<string, string>();
  for (let n = 0; n + 1 < reply.length; n += 2) fields.set(String(reply[n]), String(reply[n + 1]));
  const [salt, hash, active] = [fields.get('salt'), fields.get('hash'), fields.get('active')];
  const roles = parseRoles(fields.get('roles'));
  if (salt === undefined || hash === undefined || roles === undefined) return undefined;
  if (active !== '1' && active !== '0') return undefined;
  return {
    user: { id: username, username, roles, active: active === '1' },
    password: { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') },
  };
}

function parseRoles(json: string | undefined): string[] | undefined {
  try {
    const roles: unknown = json === undefined ? undefined : JSON.parse(json);
    return Array.isArray(roles) && roles.every((role) => typeof role === 'string') ? roles : undefined;
  } catch {
    return undefined;
  }
}
