export type { RedisClientLike } from './adapt-client.js';
export { type RedisStoreOptions, redisStore } from './redis-store.js';
