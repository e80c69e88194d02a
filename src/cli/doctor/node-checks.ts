import type { CheckResult, CheckStatus } from './check-result.js';
import type { NodeFacts } from './node-facts.js';

type Finding = { readonly check: string; readonly status: CheckStatus; readonly message: string };

/** The store's Lua scripts carry Redis 7 script flags (`#!lua flags=no-writes`). */
export const minimumVersion = [7, 0, 0] as const;

/** The per-node checks, each reasoned from what the Redis store writes and needs (see the README's "Running Redis"). */
export function checkNode(facts: NodeFacts, node: string, role: 'master' | 'replica'): CheckResult[] {
  return [
    versionCheck(facts),
    persistenceCheck(facts),
    evictionCheck(facts),
    keyspaceEventsCheck(facts),
    pubsubBufferCheck(facts),
    ...(role === 'master' ? [replicationCheck(facts)] : []),
  ].map((finding) => ({ ...finding, node, role }));
}

function versionCheck(facts: NodeFacts): Finding {
  const version = facts.info.get('redis_version') ?? '';
  const parts = version.split('.').map(Number);
  const known = parts.length >= 2 && parts.every(Number.isInteger);
  if (!known)
    return {
      check: 'version',
      status: 'fail',
      message: 'INFO names no redis_version: not a Redis authjwt knows',
    };
  const tooOld = compare(parts, minimumVersion) < 0;
  return tooOld
    ? {
        check: 'version',
        status: 'fail',
        message: `Redis ${version}: the store needs ${minimumVersion.join('.')} or later (its scripts use Redis 7 script flags)`,
      }
    : {
        check: 'version',
        status: 'ok',
        message: `Redis ${version} (the store needs ${minimumVersion.join('.')} or later)`,
      };
}

/**
 * Sessions are an allow list, so losing data only logs people out; what must never happen is an ended
 * session, or a lifted deactivation, coming back from older data.
 */
function persistenceCheck(facts: NodeFacts): Finding {
  const aof = facts.info.get('aof_enabled') === '1';
  const fsync = facts.config?.get('appendfsync');
  const save = facts.config?.get('save');
  const restore =
    'after any restart or restore on older data, set sessions.notBefore (the reference app: SESSIONS_NOT_BEFORE) to that moment';
  if (aof && (fsync === 'everysec' || fsync === 'always')) {
    return { check: 'persistence', status: 'ok', message: `AOF on, appendfsync ${fsync}` };
  }
  if (aof && fsync === undefined) {
    return {
      check: 'persistence',
      status: 'warn',
      message:
        'AOF on, but CONFIG is not allowed, so appendfsync is unknown: make sure it is everysec or always',
    };
  }
  if (aof) {
    return {
      check: 'persistence',
      status: 'warn',
      message: `AOF on with appendfsync ${fsync}: the OS decides when writes reach the disk, so a crash can undo recent revocations; use everysec`,
    };
  }
  if (save === undefined) {
    return {
      check: 'persistence',
      status: 'warn',
      message: `AOF off, and CONFIG is not allowed, so RDB snapshots are unknown: a restart returns to the last snapshot at best, reviving sessions ended since; enable appendonly yes; ${restore}`,
    };
  }
  if (save.trim() !== '') {
    return {
      check: 'persistence',
      status: 'warn',
      message: `RDB snapshots only (save ${save}): a restart loads data up to a snapshot interval old, in which sessions ended since are alive again; enable appendonly yes (appendfsync everysec); ${restore}`,
    };
  }
  return {
    check: 'persistence',
    status: 'warn',
    message:
      'no persistence (no AOF, no RDB): a restart empties Redis, which logs everyone out (safe) but forgets every deactivation, so a deactivated user can log in again; enable appendonly yes (appendfsync everysec)',
  };
}

/**
 * Every key the store writes has an expiry (sessions, user state, profiles, login-attempt counters),
 * so `volatile-*` policies can evict all of them, as `allkeys-*` can. Evicting a session logs a user
 * out (safe); evicting a user's state lifts a deactivation; evicting a login-attempt counter resets
 * throttling. Only `noeviction` keeps them: at the limit writes fail, and authjwt answers 503.
 */
function evictionCheck(facts: NodeFacts): Finding {
  const policy = facts.info.get('maxmemory_policy') ?? 'unknown';
  const maxmemory = Number(facts.info.get('maxmemory') ?? '0');
  const consequence =
    'every key the store writes has an expiry, so volatile-* policies evict them like allkeys-*: an evicted user state lifts a deactivation, an evicted login-attempt counter resets throttling (an evicted session only logs a user out)';
  if (policy === 'noeviction') {
    return {
      check: 'eviction',
      status: 'ok',
      message: `maxmemory-policy noeviction${maxmemory > 0 ? `, maxmemory ${maxmemory} bytes: at the limit writes fail and authjwt answers 503 (fails closed); size memory at about 270 bytes per session` : ', no memory limit'}`,
    };
  }
  if (maxmemory === 0) {
    return {
      check: 'eviction',
      status: 'warn',
      message: `maxmemory-policy ${policy} with no memory limit: nothing is evicted now, but once maxmemory is set ${consequence}; set maxmemory-policy noeviction`,
    };
  }
  return {
    check: 'eviction',
    status: 'fail',
    message: `maxmemory-policy ${policy} with maxmemory ${maxmemory} bytes: Redis evicts at the limit, and ${consequence}; set maxmemory-policy noeviction`,
  };
}

/** The store publishes its own revocation messages from its scripts; it never reads keyspace events. */
function keyspaceEventsCheck(facts: NodeFacts): Finding {
  const events = facts.config?.get('notify-keyspace-events');
  const need =
    'the store publishes its own revocations on <prefix>revocations and needs no keyspace notifications';
  if (events === undefined)
    return { check: 'keyspace-events', status: 'ok', message: `${need} (CONFIG not allowed: not read)` };
  if (events === '') return { check: 'keyspace-events', status: 'ok', message: `off; ${need}` };
  return {
    check: 'keyspace-events',
    status: 'ok',
    message: `notify-keyspace-events "${events}": ${need}; these cost Redis a message per matching write, for other users of this Redis`,
  };
}

/** Below these a burst of revocations (a logout-all over many users) can drop an instance's subscriber. */
const minimumPubsubHard = 1024 * 1024;
const minimumPubsubSoft = 256 * 1024;

/**
 * Each instance keeps one subscriber on the revocation channel. Redis drops a subscriber whose output
 * buffer passes `client-output-buffer-limit pubsub`; the instance then counts its channel as down and
 * serves every request from Redis until it has subscribed again: safe, but a load spike on every
 * instance at once.
 */
function pubsubBufferCheck(facts: NodeFacts): Finding {
  const limits = facts.config?.get('client-output-buffer-limit');
  if (limits === undefined) {
    return {
      check: 'pubsub-buffer',
      status: 'ok',
      message: 'CONFIG not allowed: client-output-buffer-limit pubsub not read',
    };
  }
  const match = /pubsub (\d+) (\d+) (\d+)/.exec(limits);
  if (match === null)
    return {
      check: 'pubsub-buffer',
      status: 'warn',
      message: `client-output-buffer-limit "${limits}" names no pubsub class`,
    };
  const hard = Number(match[1]);
  const soft = Number(match[2]);
  const described = `client-output-buffer-limit pubsub ${match[1]} ${match[2]} ${match[3]}`;
  if ((hard > 0 && hard < minimumPubsubHard) || (soft > 0 && soft < minimumPubsubSoft)) {
    return {
      check: 'pubsub-buffer',
      status: 'warn',
      message: `${described}: a burst of revocations can overflow it, and Redis then drops the subscriber of every instance (their caches are bypassed until they resubscribe, a load spike); keep the default 32mb 8mb 60`,
    };
  }
  return { check: 'pubsub-buffer', status: 'ok', message: described };
}

/** A master with replicas: whether a failover can lose revocations the master had acknowledged. */
function replicationCheck(facts: NodeFacts): Finding {
  const replicas = Number(facts.info.get('connected_slaves') ?? '0');
  if (replicas === 0) return { check: 'replication', status: 'ok', message: 'no replicas' };
  const minReplicas = facts.config?.get('min-replicas-to-write');
  if (minReplicas !== undefined && Number(minReplicas) >= 1) {
    return {
      check: 'replication',
      status: 'ok',
      message: `${replicas} replica(s), min-replicas-to-write ${minReplicas}`,
    };
  }
  return {
    check: 'replication',
    status: 'warn',
    message: `${replicas} replica(s)${minReplicas === undefined ? ' (min-replicas-to-write unknown: CONFIG not allowed)' : ', min-replicas-to-write 0'}: a failover can lose the last revocations the master acknowledged; set min-replicas-to-write 1 and redisStore({ revocationAcks: 1 }) (the CLI: --revocation-acks 1)`,
  };
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let n = 0; n < Math.max(a.length, b.length); n += 1) {
    const difference = (a[n] ?? 0) - (b[n] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
