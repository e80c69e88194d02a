import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  kill,
  rawCommand,
  removeDir,
  spawnRedis,
  spawnServer,
  tempDir,
  waitFor,
  waitForPing,
} from './redis-server.js';

/*
 * A real Sentinel group for the tests: a master, one replica and three Sentinels (`redis-server
 * --sentinel`, so nothing beyond the redis-server package is needed), each a child of this process on
 * a free loopback port. Short timings make a failover take a few seconds: a master is down after 2 s
 * without an answer, and two Sentinels must agree (1 s made a loaded 2-core machine fail over a
 * healthy master now and then, right after a replica's full sync).
 */

export interface Address {
  readonly host: string;
  readonly port: number;
}

/** One redis-server of the group; which one is master changes with each failover. */
export interface DataNode {
  readonly port: number;
  /** One command over a plain socket (see redis-server.ts). */
  command(...args: string[]): Promise<string>;
}

export interface SentinelGroup {
  /** The name the Sentinels monitor the master under. */
  readonly name: string;
  readonly sentinels: readonly Address[];
  /** The Sentinels as `REDIS_SENTINELS` takes them: `host:port,host:port,host:port`. */
  readonly sentinelList: string;
  /** The node every Sentinel names as master now. */
  master(): Promise<DataNode>;
  /**
   * Makes the master fail, killed (SIGKILL, like a crash) or frozen (SIGSTOP: its connections stay
   * open and silent), and resolves once every Sentinel names the replica and it has taken the role.
   */
  failover(how: 'kill' | 'freeze'): Promise<{ failed: DataNode; promoted: DataNode }>;
  /** Brings the failed node back, empty, as a replica of the master, and waits until the Sentinels see it. */
  heal(): Promise<void>;
  /**
   * Freezes one Sentinel (SIGSTOP): it still accepts connections but answers nothing, as a stalled
   * one does, and the others carry on (a failover meanwhile is theirs). Returns what thaws it.
   */
  freezeSentinel(index: number): () => void;
  /**
   * Waits until the replica has applied every write the master had taken when called, so that a
   * failover loses none of them (the tests do not depend on acknowledged writes, a feature of its own).
   */
  replicated(): Promise<void>;
  /** FLUSHALL on the master (the replica follows). */
  flush(): Promise<void>;
  /** Kills every process of the group. */
  stop(): Promise<void>;
}

const name = 'mymaster';

interface Node extends DataNode {
  child: ChildProcess | undefined;
  readonly dir: string;
}

/** Starts the group and waits until every Sentinel sees the master, the replica and the other two. */
export async function startSentinelGroup(): Promise<SentinelGroup> {
  const nodes: Node[] = [];
  const sentinels: { port: number; dir: string; child: ChildProcess; frozen?: boolean }[] = [];
  const stop = async () => {
    await Promise.all([...nodes, ...sentinels].map(async (p) => p.child && kill(p.child)));
    for (const p of [...nodes, ...sentinels]) removeDir(p.dir);
  };
  try {
    const master = await startNode(undefined);
    nodes.push(master);
    nodes.push(await startNode(master.port));
    for (let n = 0; n < 3; n += 1) sentinels.push(await startSentinel(master.port));
    await waitFor(() => groupIsWhole(sentinels, master.port), 20_000);
  } catch (error) {
    await stop();
    throw error;
  }

  // The first Sentinel that is not frozen speaks for the group.
  const live = () => sentinels.filter((s) => s.frozen !== true);
  const masterPort = () => namedMaster(live()[0]?.port ?? 0);
  const nodeOn = (port: number) => {
    const node = nodes.find((n) => n.port === port);
    if (node === undefined) throw new Error(`no node of the group on port ${port}`);
    return node;
  };
  let failed: Node | undefined;
  const replicated = async () => {
    const master = nodeOn(await masterPort());
    const replica = nodes.find((n) => n !== master && n !== failed);
    if (replica === undefined) throw new Error('the group has no replica');
    const written = replicationOffset(await master.command('INFO', 'replication'), 'master_repl_offset');
    await waitFor(
      async () =>
        replicationOffset(await replica.command('INFO', 'replication'), 'slave_repl_offset') >= written,
      10_000,
    );
  };

  return {
    name,
    sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
    sentinelList: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    master: async () => nodeOn(await masterPort()),
    async failover(how) {
      const old = nodeOn(await masterPort());
      const next = nodes.find((n) => n !== old);
      if (next === undefined || old.child === undefined)
        throw new Error('the group has no replica to promote');
      failed = old;
      if (how === 'kill') {
        await kill(old.child);
        old.child = undefined;
      } else {
        old.child.kill('SIGSTOP');
      }
      await waitFor(async () => {
        const named = await Promise.all(live().map((s) => namedMaster(s.port)));
        if (!named.every((port) => port === next.port)) return false;
        return (await next.command('ROLE')).startsWith('master');
      }, 30_000);
      return { failed: old, promoted: next };
    },
    async heal() {
      const node = failed;
      if (node === undefined) return;
      failed = undefined;
      if (node.child !== undefined) await kill(node.child);
      const current = await masterPort();
      node.child = spawnServer(node.port, node.dir, [
        ...replicationArgs,
        '--replicaof',
        '127.0.0.1',
        String(current),
      ]);
      await waitForPing(node.port, node.child);
      // On a loaded machine the Sentinels may fail over once more meanwhile: whole under whichever
      // master they name is healed.
      await waitFor(async () => groupIsWhole(sentinels, await masterPort()), 30_000).catch(
        async (error: Error) => {
          throw new Error(`${error.message}; the Sentinels see: ${await views(sentinels)}`);
        },
      );
      // The Sentinels' view may be seconds old: wait until the node itself has loaded the master's
      // data and caught up, so that a WAIT right after a heal is not answered by a replica mid-sync.
      await waitFor(async () => {
        const info = await node.command('INFO', 'replication');
        return info.includes('master_link_status:up') && !info.includes('master_sync_in_progress:1');
      }, 30_000);
      await replicated();
    },
    replicated,
    freezeSentinel(index) {
      const sentinel = sentinels[index];
      if (sentinel === undefined) throw new Error(`no Sentinel ${index}`);
      sentinel.frozen = true;
      sentinel.child.kill('SIGSTOP');
      return () => {
        sentinel.child.kill('SIGCONT');
        sentinel.frozen = false;
      };
    },
    async flush() {
      await rawCommand(await masterPort(), ['FLUSHALL']);
    },
    stop,
  };
}

/** Full syncs at once: the default waits 5 s for more replicas to share one. */
const replicationArgs = ['--repl-diskless-sync-delay', '0'];

async function startNode(replicaOf: number | undefined): Promise<Node> {
  const port = await freePort();
  const dir = tempDir();
  const args =
    replicaOf === undefined
      ? replicationArgs
      : [...replicationArgs, '--replicaof', '127.0.0.1', String(replicaOf)];
  const child = spawnServer(port, dir, args);
  await waitForPing(port, child);
  if (replicaOf !== undefined) {
    await waitFor(
      async () => (await rawCommand(port, ['INFO', 'replication'])).includes('master_link_status:up'),
      10_000,
    );
  }
  return { port, dir, child, command: (...a) => rawCommand(port, a) };
}

async function startSentinel(
  masterPort: number,
): Promise<{ port: number; dir: string; child: ChildProcess }> {
  const port = await freePort();
  const dir = tempDir();
  const config = join(dir, 'sentinel.conf');
  // The config file must be writable: a Sentinel rewrites it with what it learns.
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'daemonize no',
      `dir ${dir}`,
      `logfile ${join(dir, 'sentinel.log')}`,
      'sentinel resolve-hostnames no',
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${name} 2000`,
      // Also the pause before another Sentinel may try again if an election fails: keep it short.
      `sentinel failover-timeout ${name} 3000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'),
  );
  const child = spawnRedis([config, '--sentinel']);
  await waitForPing(port, child);
  return { port, dir, child };
}

/** The port of the master this Sentinel names. */
async function namedMaster(sentinelPort: number): Promise<number> {
  const [, port] = (await rawCommand(sentinelPort, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name])).split(
    '\n',
  );
  return Number(port);
}

/** Every Sentinel names `masterPort` as a healthy master with one healthy replica and two other Sentinels. */
async function groupIsWhole(sentinels: readonly { port: number }[], masterPort: number): Promise<boolean> {
  for (const sentinel of sentinels) {
    const master = fields(await rawCommand(sentinel.port, ['SENTINEL', 'MASTER', name]));
    if (master.get('port') !== String(masterPort) || master.get('flags') !== 'master') return false;
    if (master.get('num-other-sentinels') !== '2') return false;
    const replica = fields(await rawCommand(sentinel.port, ['SENTINEL', 'REPLICAS', name]));
    if (replica.get('flags') !== 'slave' || replica.get('master-link-status') !== 'ok') return false;
  }
  return true;
}

function replicationOffset(info: string, field: string): number {
  const match = new RegExp(`${field}:(\\d+)`).exec(info);
  if (match?.[1] === undefined) throw new Error(`no ${field} in INFO replication`);
  return Number(match[1]);
}

/** What each Sentinel knows of the group, for a failure's message. */
async function views(sentinels: readonly { port: number }[]): Promise<string> {
  const view = async (port: number) => {
    const master = fields(await rawCommand(port, ['SENTINEL', 'MASTER', name]).catch(String));
    const replica = fields(await rawCommand(port, ['SENTINEL', 'REPLICAS', name]).catch(String));
    const [m, r] = [master, replica].map((f) =>
      ['port', 'flags', 'master-link-status', 'num-other-sentinels'].map((k) => `${k}=${f.get(k)}`).join(' '),
    );
    return `sentinel ${port}: master ${m}; replica ${r}`;
  };
  return (await Promise.all(sentinels.map((s) => view(s.port)))).join(' | ');
}

/** A field/value reply (one level; rawCommand joins the items by newlines) as a map. */
function fields(reply: string): Map<string, string> {
  const items = reply.split('\n');
  const map = new Map<string, string>();
  for (let n = 0; n + 1 < items.length; n += 2) map.set(items[n] ?? '', items[n + 1] ?? '');
  return map;
}
