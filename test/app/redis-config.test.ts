import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';
import { spawnApp } from './process.js';

const base = { JWT_SECRET: 'redis-config-test-secret-0123456789abcdef' };
const redisOf = (env: Record<string, string>) => loadConfig({ ...base, ...env }).redis;

describe('the reference app names its Redis with one variable per topology', () => {
  it('none set: the embedded store', () => {
    expect(redisOf({})).toBeUndefined();
  });

  it('REDIS_URL: one server', () => {
    expect(redisOf({ REDIS_URL: 'redis://127.0.0.1:6379/0' })).toEqual({
      topology: 'standalone',
      url: 'redis://127.0.0.1:6379/0',
    });
  });

  it('REDIS_CLUSTER_NODES: a Cluster, from any of its nodes (spaces around entries allowed, IPv6 in brackets)', () => {
    expect(redisOf({ REDIS_CLUSTER_NODES: '127.0.0.1:7000, redis-b:7001,[::1]:7002' })).toEqual({
      topology: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
  });

  it('REDIS_SENTINELS: the master named mymaster, or REDIS_SENTINEL_NAME', () => {
    const sentinels = [
      { host: '127.0.0.1', port: 26379 },
      { host: '127.0.0.1', port: 26380 },
    ];
    expect(redisOf({ REDIS_SENTINELS: '127.0.0.1:26379,127.0.0.1:26380' })).toEqual({
      topology: 'sentinel',
      sentinels,
      name: 'mymaster',
    });
    expect(
      redisOf({ REDIS_SENTINELS: '127.0.0.1:26379,127.0.0.1:26380', REDIS_SENTINEL_NAME: 'sessions-1' }),
    ).toEqual({ topology: 'sentinel', sentinels, name: 'sessions-1' });
  });

  it.each([
    ['REDIS_URL', 'REDIS_CLUSTER_NODES'],
    ['REDIS_URL', 'REDIS_SENTINELS'],
    ['REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'],
  ])('refuses %s together with %s: instances choosing differently would not be one service', (a, b) => {
    expect(() => redisOf({ [a]: 'redis://127.0.0.1:6379', [b]: '127.0.0.1:7000' })).toThrow(
      `set one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS, not ${a} and ${b}`,
    );
  });

  it.each([
    ['REDIS_CLUSTER_NODES', '127.0.0.1'],
    ['REDIS_CLUSTER_NODES', '127.0.0.1:0'],
    ['REDIS_CLUSTER_NODES', '127.0.0.1:65536'],
    ['REDIS_CLUSTER_NODES', '127.0.0.1:7000,'],
    ['REDIS_CLUSTER_NODES', '127.0.0.1:port'],
    ['REDIS_CLUSTER_NODES', '::1:7000'],
    ['REDIS_SENTINELS', 'redis://:hunter2-secret@127.0.0.1:26379'],
    ['REDIS_SENTINELS', '127.0.0.1:26379 127.0.0.1:26380'],
  ])(
    'refuses a malformed %s (%s) at start-up, naming the variable and never echoing the value',
    (name, value) => {
      let message = '';
      try {
        redisOf({ [name]: value });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(
        new RegExp(`^${name} must be host:port,host:port,\\.\\.\\. \\(entry \\d+ is not host:port\\)$`),
      );
      expect(message).not.toContain(value);
    },
  );

  it('refuses a REDIS_SENTINEL_NAME that no Sentinel could monitor', () => {
    expect(() => redisOf({ REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_NAME: 'my master' })).toThrow(
      /^REDIS_SENTINEL_NAME must be/,
    );
  });

  it('npm start exits at once, with the reason, when two topologies are given', async () => {
    const started = spawnApp({
      ...base,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_SENTINELS: '127.0.0.1:26379',
    });
    const error = await started.then(
      async (app) => {
        await app.stop();
        return undefined;
      },
      (reason: Error) => reason,
    );
    expect(error?.message).toMatch(/the app exited with 1/);
    expect(error?.message).toContain('set one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS');
  });
});
