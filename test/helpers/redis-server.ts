import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

/*
 * Real redis-server processes for the tests: each on a free port, in a temp dir, without persistence,
 * as a child of this process. Everything started here is killed in afterAll by the tests and, should
 * a test forget, when this process exits. A stopped server's dir goes with it (test workers may be
 * ended without an 'exit' event); a Cluster's node config survives restarts until the cluster stops.
 */

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kills the server at once (SIGKILL): no goodbye to its clients, like a crash. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: there is no persistence). */
  start(): Promise<void>;
  /** FLUSHALL. */
  flush(): Promise<void>;
  /** One command over a plain socket; replies of type simple string, error, integer or bulk string. */
  command(...args: string[]): Promise<string>;
}

/** Starts a standalone redis-server and waits until it answers PING. */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const dir = tempDir();
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child !== undefined) return;
      mkdirSync(dir, { recursive: true });
      child = spawnServer(port, dir, extraArgs);
      await waitForPing(port, child);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running !== undefined) await kill(running);
      removeDir(dir);
    },
    async flush() {
      await rawCommand(port, ['FLUSHALL']);
    },
    command: (...args) => rawCommand(port, args),
  };
  await server.start();
  return server;
}

export interface RedisCluster {
  /** The masters, as clients want them. */
  readonly nodes: readonly { host: string; port: number }[];
  readonly servers: readonly RedisServer[];
  /** FLUSHALL on every master. */
  flush(): Promise<void>;
  /** Kills every node. */
  stop(): Promise<void>;
}

/** Starts a 3-master Redis Cluster (no replicas) and waits until every node reports cluster_state:ok. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  const configDirs: string[] = [];
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const dir of configDirs) removeDir(dir);
  };
  try {
    for (let n = 0; n < 3; n += 1) {
      const dir = tempDir();
      configDirs.push(dir);
      servers.push(
        await startRedisServer([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, 'nodes.conf'),
          '--cluster-node-timeout',
          '2000',
        ]),
      );
    }
    requireRedisCommand('redis-cli');
    await promisify(execFile)(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...servers.map((s) => `127.0.0.1:${s.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { timeout: 20_000 },
    );
    await waitFor(async () => {
      const infos = await Promise.all(servers.map((s) => s.command('CLUSTER', 'INFO')));
      return infos.every((info) => info.includes('cluster_state:ok'));
    }, 20_000);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
    servers,
    async flush() {
      await Promise.all(servers.map((s) => s.flush()));
    },
    stop: stopAll,
  };
}

/** Polls `check` until it is true, or throws after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`waitFor: condition still false after ${timeoutMs} ms`);
    await sleep(25);
  }
}

export function spawnServer(port: number, dir: string, extraArgs: readonly string[]): ChildProcess {
  return spawnRedis([
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--dir',
    dir,
    '--logfile',
    join(dir, `redis-${port}.log`),
    ...extraArgs,
  ]);
}

/**
 * Throws one clear line when `command` (redis-server, or redis-cli for the Cluster) is not on PATH,
 * instead of a bare spawn ENOENT: the Redis tests never skip, CI must install it.
 */
export function requireRedisCommand(
  command: 'redis-server' | 'redis-cli',
  path = process.env.PATH ?? '',
): void {
  const found = path.split(delimiter).some((dir) => dir !== '' && isExecutableFile(join(dir, command)));
  if (!found) {
    throw new Error(
      `${command} is not installed (not found on PATH): the Redis tests need it; ` +
        'install it with `apt-get install redis-server` (it brings redis-cli too; .ci/run does it)',
    );
  }
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Why each child could not be started (spawn `error`), so waitForPing says it rather than time out. */
const spawnErrors = new WeakMap<ChildProcess, Error>();

/** Runs `redis-server` with these arguments as a child that is killed when this process exits. */
export function spawnRedis(args: readonly string[]): ChildProcess {
  requireRedisCommand('redis-server');
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  children.add(child);
  child.once('error', (error) => {
    spawnErrors.set(child, error);
    children.delete(child);
  });
  child.once('exit', () => children.delete(child));
  return child;
}

export async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || spawnErrors.has(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

export async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  await waitFor(async () => {
    if (spawnErrors.has(child)) return true; // reported below
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited (${child.exitCode})`);
    return (await rawCommand(port, ['PING'])) === 'PONG';
  }, 10_000);
  const failed = spawnErrors.get(child);
  if (failed !== undefined) throw new Error(`redis-server could not start: ${failed.message}`);
  if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited`);
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'authjwt-redis-'));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/**
 * A port that is free, and (for Cluster) whose bus port, +10000, is free too. Random rather than
 * ephemeral so parallel test files rarely collide, and checked by binding both.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await canBind(port)) && (await canBind(port + 10_000))) return port;
  }
  throw new Error('no free port found');
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** RESP over a plain socket, for the harness's own checks (no client library involved). */
export function rawCommand(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let buffer = Buffer.alloc(0);
    socket.setTimeout(2000, () => socket.destroy(new Error('raw command timed out')));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      let parsed: { value: string; end: number } | undefined;
      try {
        parsed = parseReply(buffer, 0);
      } catch (error) {
        socket.destroy();
        reject(error);
        return;
      }
      if (parsed === undefined) return;
      socket.end();
      resolve(parsed.value);
    });
  });
}

/**
 * One RESP2 reply from `at`, or undefined while incomplete. Arrays come back as their elements joined
 * by newlines: enough for the harness (PING, INFO, CLUSTER INFO, PUBSUB NUMSUB).
 */
function parseReply(buffer: Buffer, at: number): { value: string; end: number } | undefined {
  const line = buffer.indexOf('\r\n', at);
  if (line < 0) return undefined;
  const head = buffer.subarray(at, line).toString();
  const body = head.slice(1);
  switch (head[0]) {
    case '+':
    case ':':
      return { value: body, end: line + 2 };
    case '-':
      throw new Error(body);
    case '$': {
      const length = Number(body);
      if (length < 0) return { value: '', end: line + 2 };
      if (buffer.length < line + 2 + length + 2) return undefined;
      return { value: buffer.subarray(line + 2, line + 2 + length).toString(), end: line + 2 + length + 2 };
    }
    case '*': {
      const items: string[] = [];
      let end = line + 2;
      for (let n = 0; n < Number(body); n += 1) {
        const item = parseReply(buffer, end);
        if (item === undefined) return undefined;
        items.push(item.value);
        end = item.end;
      }
      return { value: items.join('\n'), end };
    }
    default:
      throw new Error(`unexpected reply ${head}`);
  }
}
