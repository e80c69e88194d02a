import { describe, expect, it } from 'vitest';
import { checkNode } from '../../src/cli/doctor/node-checks.js';
import type { NodeFacts } from '../../src/cli/doctor/node-facts.js';

// The per-node rules in process, for the server versions and settings the real test servers do not have.
/** `config: null` stands for a server that refuses CONFIG. */
function facts(info: Record<string, string>, config: Record<string, string> | null = {}): NodeFacts {
  const defaults = {
    redis_version: '7.2.4',
    aof_enabled: '1',
    maxmemory: '0',
    maxmemory_policy: 'noeviction',
  };
  const settings = {
    appendfsync: 'everysec',
    save: '',
    'client-output-buffer-limit': 'normal 0 0 0 replica 268435456 67108864 60 pubsub 33554432 8388608 60',
  };
  return {
    info: new Map(Object.entries({ ...defaults, ...info })),
    config: config === null ? undefined : new Map(Object.entries({ ...settings, ...config })),
  };
}

function statusOf(node: NodeFacts, name: string) {
  return checkNode(node, '127.0.0.1:6379', 'master').find((result) => result.check === name);
}

describe('doctor: the per-node rules', () => {
  it('fails a Redis older than 7.0, whose Lua lacks the script flags the store uses', () => {
    expect(statusOf(facts({ redis_version: '6.2.14' }), 'version')).toMatchObject({ status: 'fail' });
    expect(statusOf(facts({ redis_version: '7.0.0' }), 'version')).toMatchObject({ status: 'ok' });
    expect(statusOf(facts({ redis_version: '8.0.2' }), 'version')).toMatchObject({ status: 'ok' });
    expect(statusOf(facts({ redis_version: 'x' }), 'version')).toMatchObject({ status: 'fail' });
  });

  it('warns about AOF with appendfsync no (the OS decides when revocations reach the disk)', () => {
    expect(statusOf(facts({}, { appendfsync: 'no' }), 'persistence')).toMatchObject({ status: 'warn' });
    expect(statusOf(facts({}, { appendfsync: 'always' }), 'persistence')).toMatchObject({ status: 'ok' });
  });

  it('fails every evicting policy once a limit is set (allkeys-*, volatile-*), and passes noeviction', () => {
    for (const policy of [
      'allkeys-lru',
      'allkeys-lfu',
      'allkeys-random',
      'volatile-lru',
      'volatile-lfu',
      'volatile-random',
      'volatile-ttl',
    ]) {
      expect(statusOf(facts({ maxmemory: '1000000', maxmemory_policy: policy }), 'eviction')).toMatchObject({
        status: 'fail',
      });
    }
    expect(statusOf(facts({ maxmemory: '1000000' }), 'eviction')).toMatchObject({ status: 'ok' });
  });

  it('warns on a master with replicas unless min-replicas-to-write is set; a replica is not asked', () => {
    expect(
      statusOf(facts({ connected_slaves: '1' }, { 'min-replicas-to-write': '0' }), 'replication'),
    ).toMatchObject({ status: 'warn' });
    expect(
      statusOf(facts({ connected_slaves: '1' }, { 'min-replicas-to-write': '1' }), 'replication'),
    ).toMatchObject({ status: 'ok' });
    const replica = checkNode(facts({ connected_slaves: '0' }), '127.0.0.1:6380', 'replica');
    expect(replica.some((result) => result.check === 'replication')).toBe(false);
  });

  it('without CONFIG, judges what INFO tells and warns about what it cannot see', () => {
    expect(statusOf(facts({ aof_enabled: '0' }, null), 'persistence')).toMatchObject({ status: 'warn' });
    expect(statusOf(facts({}, null), 'persistence')).toMatchObject({ status: 'warn' });
    expect(statusOf(facts({}, null), 'eviction')).toMatchObject({ status: 'ok' });
  });
});
