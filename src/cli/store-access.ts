import { randomBytes } from 'node:crypto';
import { type Auth, AuthConfigError, createAuth, isAuthError } from '../index.js';
import { redisStore } from '../stores/redis/index.js';
import { CliError, usageError } from './exit-codes.js';
import { connectRedis } from './redis/connect.js';
import { errorText, type OperatorRedis } from './redis/connection.js';
import { describeTarget, type RedisTarget } from './redis/target.js';

/** The store options that must match the application's, or the CLI would read and write other keys. */
export interface StoreOptions {
  readonly prefix: string;
  readonly userStateTtl: string;
  readonly revocationAcks: string;
  readonly redisClient?: string | undefined;
  readonly timeoutMs: number;
}

export interface OperatorStore {
  /** An auth instance on the application's store: its session and user operations are the app's own. */
  readonly auth: Auth;
  readonly redis: OperatorRedis;
  readonly target: string;
  close(): Promise<void>;
}

/**
 * An auth instance on the deployment's Redis store, built like an application's: `redisStore` runs the
 * same Lua scripts, which publish each revocation on the store's channel, so running instances drop
 * what they cached at once, and `createAuth` adds what the Auth layer does beside the store (a
 * deactivation also drops the cached profile everywhere). Its token keys are a throwaway secret: the
 * CLI never issues or verifies a token. Strict revocation mode, so it opens no subscription of its own.
 */
export async function openOperatorStore(
  target: RedisTarget,
  options: StoreOptions,
  sessions: { listLimit?: number; notBefore?: number } = {},
): Promise<OperatorStore> {
  const revocationAcks = wholeNumber('--revocation-acks', options.revocationAcks);
  const redis = await connectRedis(target, { preferred: options.redisClient, timeoutMs: options.timeoutMs });
  try {
    const store = redisStore({
      client: redis.client,
      prefix: options.prefix,
      userStateTtl: options.userStateTtl,
      revocationAcks,
      commandTimeout: options.timeoutMs / 1000,
    });
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: randomBytes(32).toString('base64url') },
      // Shorter than any userStateTtl the store takes, so createAuth's retention check never refuses it.
      refreshTtl: 1,
      store,
      sessions: {
        revocation: 'strict',
        storeTimeout: `${options.timeoutMs}ms`,
        ...(sessions.listLimit !== undefined && { listLimit: sessions.listLimit }),
        ...(sessions.notBefore !== undefined && { notBefore: sessions.notBefore }),
      },
    });
    return {
      auth,
      redis,
      target: describeTarget(target),
      async close() {
        await auth.close();
        await redis.close();
      },
    };
  } catch (error) {
    await redis.close();
    if (error instanceof AuthConfigError)
      throw usageError(
        `${optionName(error.option)} ${error.message.replace(/^authjwt: option `[^`]*`: /, '')}`,
      );
    throw error;
  }
}

/** The store's refusals as the CLI's: `store_unavailable` is Redis not answering (exit 5). */
export function storeFailure(error: unknown, target: string): unknown {
  if (isAuthError(error) && error.reason === 'not_acknowledged') {
    // WAIT came back short: the master took the revocation, but a failover now could still lose it.
    return new CliError(
      'redis_unavailable',
      `${target} took the change, but fewer replicas than --revocation-acks confirmed it in time: run it again once the replicas are back`,
      { reason: 'not_acknowledged' },
    );
  }
  if (isAuthError(error) && error.code === 'store_unavailable') {
    const cause = error.cause === undefined ? error.reason : errorText(error.cause);
    return new CliError('redis_unavailable', `${target} did not answer (${cause ?? 'store_unavailable'})`);
  }
  return error;
}

function wholeNumber(option: string, value: string): number {
  if (!/^\d{1,2}$/.test(value)) throw usageError(`${option} must be a whole number`);
  return Number(value);
}

function optionName(option: string): string {
  const names: Record<string, string> = {
    prefix: '--prefix',
    userStateTtl: '--user-state-ttl',
    revocationAcks: '--revocation-acks',
    'sessions.listLimit': '--limit',
    'sessions.notBefore': '--not-before',
  };
  return names[option] ?? option;
}
