import { redisStore } from '../../stores/redis/index.js';
import type { OperatorRedis } from '../redis/connection.js';
import type { CheckResult } from './check-result.js';

/**
 * The store's own proof that revocations reach running instances: `subscribe()` reports `up` only once
 * the store's heartbeat script (EVALSHA/EVAL, PUBLISH on `<prefix>revocations`) has been heard back on
 * a subscriber connection of its own. It fails where an ACL refuses scripts, PUBLISH or SUBSCRIBE, or a
 * proxy does not carry pub/sub. Then the session scripts are run read-only for a user that does not
 * exist. The heartbeat writes the store's generation marker when absent, as every instance does.
 */
export async function checkChannel(
  redis: OperatorRedis,
  prefix: string,
  timeoutMs: number,
): Promise<CheckResult[]> {
  const store = redisStore({ client: redis.client, prefix, commandTimeout: timeoutMs / 1000 });
  try {
    const proven = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const unsubscribe = store.subscribe((event) => {
        if (event !== 'up') return;
        clearTimeout(timer);
        unsubscribe();
        resolve(true);
      });
    });
    const channel: CheckResult = proven
      ? {
          check: 'channel',
          status: 'ok',
          message: `revocations published on ${prefix}revocations by the store's script came back on a subscriber`,
        }
      : {
          check: 'channel',
          status: 'fail',
          message: `no revocation published on ${prefix}revocations came back within ${timeoutMs} ms: running instances in cached mode would serve every request from Redis; check that the ACL allows EVALSHA, EVAL, PUBLISH and SUBSCRIBE on the prefix, and that no proxy drops pub/sub`,
        };
    let scripts: CheckResult;
    try {
      await store.listSessions('authjwt doctor: no such user', Date.now(), 1);
      scripts = { check: 'scripts', status: 'ok', message: "the store's session scripts run" };
    } catch (error) {
      const cause =
        error instanceof Error && error.cause instanceof Error ? error.cause.message : 'no answer';
      scripts = {
        check: 'scripts',
        status: 'fail',
        message: `the store's session scripts do not run: ${cause}`,
      };
    }
    return [channel, scripts];
  } finally {
    await store.close();
  }
}
