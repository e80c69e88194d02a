import type { AppConfig } from '../config.js';
import type { AppStore } from '../store.js';
import type { UserDirectory } from './directory.js';
import { createHashingLimit } from './hashing-limit.js';
import { MemoryDirectory } from './memory-directory.js';
import { createPasswords, type Passwords } from './passwords.js';
import { RedisDirectory } from './redis-directory.js';
import { hashedSeedUsers } from './seeds.js';

export interface Users {
  directory: UserDirectory;
  passwords: Passwords;
}

/**
 * The user directory beside the session store (in Redis when the sessions are, so several instances
 * are one service) and the bounded password hashing the routes use with it.
 */
export async function createUsers(
  appStore: AppStore,
  config: Pick<AppConfig, 'passwordHashConcurrency' | 'passwordHashQueue'>,
): Promise<Users> {
  const limit = createHashingLimit({
    concurrency: config.passwordHashConcurrency,
    queue: config.passwordHashQueue,
  });
  const [seeds, passwords] = await Promise.all([hashedSeedUsers(), createPasswords(limit)]);
  const directory =
    appStore.kind === 'redis' ? new RedisDirectory(appStore.client, seeds) : new MemoryDirectory(seeds);
  return { directory, passwords };
}
