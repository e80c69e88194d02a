import type { NodeKind, OperatorRedis } from '../redis/connection.js';
import { formatAddress, type RedisAddress, type RedisTarget } from '../redis/target.js';
import type { CheckResult } from './check-result.js';
import { configPairs, parseInfo, text } from './node-facts.js';

/** A data node of the deployment, as its topology names it. */
export interface DataNode {
  readonly address: RedisAddress;
  readonly role: 'master' | 'replica';
}

/** The nodes to check, and the findings about the topology itself (cluster state, Sentinel quorum). */
export interface Topology {
  readonly nodes: readonly DataNode[];
  readonly findings: readonly CheckResult[];
}

/**
 * Every data node doctor checks: a standalone server and the replicas it reports; every node of a
 * Cluster (CLUSTER NODES, failed ones reported); the master and replicas a Sentinel names. A replica
 * may become the master, so its settings matter as much.
 */
export async function discoverNodes(redis: OperatorRedis, target: RedisTarget): Promise<Topology> {
  switch (target.topology) {
    case 'standalone':
      return standalone(redis, target.address);
    case 'cluster':
      return cluster(redis, target.nodes);
    case 'sentinel':
      return sentinel(redis, target.sentinels, target.name);
  }
}

async function standalone(redis: OperatorRedis, address: RedisAddress): Promise<Topology> {
  const node = await redis.openNode(address);
  try {
    const info = parseInfo(text(await node.command(['INFO', 'replication'])));
    const role = info.get('role') === 'slave' ? 'replica' : 'master';
    const replicas: DataNode[] = [];
    for (const [key, value] of info) {
      // slave0:ip=127.0.0.1,port=6380,state=online,offset=...,lag=0
      if (!/^slave\d+$/.test(key)) continue;
      const fields = new Map(value.split(',').map((pair) => pair.split('=') as [string, string]));
      const port = Number(fields.get('port'));
      const host = fields.get('ip');
      if (host !== undefined && Number.isInteger(port))
        replicas.push({ address: { host, port }, role: 'replica' });
    }
    return { nodes: [{ address, role }, ...replicas], findings: [] };
  } finally {
    await node.close();
  }
}

async function cluster(redis: OperatorRedis, seeds: readonly RedisAddress[]): Promise<Topology> {
  const { value: lines, seed } = await firstAnswer(redis, seeds, 'data', async (node) => {
    const state = parseInfo(text(await node.command(['CLUSTER', 'INFO']))).get('cluster_state');
    return { state, nodes: text(await node.command(['CLUSTER', 'NODES'])) };
  });
  const findings: CheckResult[] = [
    lines.state === 'ok'
      ? { check: 'cluster', status: 'ok', message: `cluster_state ok (asked ${formatAddress(seed)})` }
      : {
          check: 'cluster',
          status: 'fail',
          message: `cluster_state ${lines.state ?? 'unknown'}: some slots have no master; the users on them get 503`,
        },
  ];
  const nodes: DataNode[] = [];
  for (const line of lines.nodes.split(/\r?\n/)) {
    // <id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slots...>
    const [, endpoint, flags] = line.split(' ');
    if (endpoint === undefined || flags === undefined) continue;
    const match = /^(.*):(\d+)@/.exec(endpoint);
    if (match === null) continue;
    const address = { host: match[1] as string, port: Number(match[2]) };
    const flagList = flags.split(',');
    if (flagList.includes('fail') || flagList.includes('noaddr') || flagList.includes('handshake')) {
      findings.push({
        check: 'cluster',
        status: 'fail',
        message: `node ${formatAddress(address)} is marked ${flags}`,
      });
      continue;
    }
    nodes.push({ address, role: flagList.includes('master') ? 'master' : 'replica' });
  }
  return { nodes, findings };
}

async function sentinel(
  redis: OperatorRedis,
  sentinels: readonly RedisAddress[],
  name: string,
): Promise<Topology> {
  const { value, seed } = await firstAnswer(redis, sentinels, 'sentinel', async (node) => {
    const master = await node.command(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name]);
    const replicas = await node.command(['SENTINEL', 'REPLICAS', name]);
    let quorum: string | Error;
    try {
      quorum = text(await node.command(['SENTINEL', 'CKQUORUM', name]));
    } catch (error) {
      quorum = error instanceof Error ? error : new Error(String(error));
    }
    return { master, replicas, quorum };
  });
  const masterReply = Array.isArray(value.master) ? value.master.map(text) : [];
  const findings: CheckResult[] = [
    value.quorum instanceof Error
      ? {
          check: 'sentinel',
          status: 'fail',
          message: `the Sentinels cannot fail over "${name}": ${value.quorum.message}`,
        }
      : {
          check: 'sentinel',
          status: 'ok',
          message: `${value.quorum.replace(/^OK /, '')} (asked ${formatAddress(seed)})`,
        },
  ];
  const nodes: DataNode[] = [];
  if (masterReply.length === 2)
    nodes.push({ address: { host: masterReply[0] as string, port: Number(masterReply[1]) }, role: 'master' });
  else
    findings.push({ check: 'sentinel', status: 'fail', message: `the Sentinels name no master "${name}"` });
  for (const replica of Array.isArray(value.replicas) ? value.replicas : []) {
    const fields = new Map(configPairs(replica));
    const host = fields.get('ip');
    const port = Number(fields.get('port'));
    const flags = fields.get('flags') ?? '';
    if (host === undefined || !Number.isInteger(port)) continue;
    if (/s_down|o_down|disconnected/.test(flags)) {
      findings.push({
        check: 'sentinel',
        status: 'warn',
        message: `replica ${host}:${port} is ${flags}: a failover has nowhere to go`,
      });
      continue;
    }
    nodes.push({ address: { host, port }, role: 'replica' });
  }
  return { nodes, findings };
}

/** Asks each address in turn until one answers; the last failure if none does. */
async function firstAnswer<T>(
  redis: OperatorRedis,
  addresses: readonly RedisAddress[],
  kind: NodeKind,
  ask: (node: Awaited<ReturnType<OperatorRedis['openNode']>>) => Promise<T>,
): Promise<{ value: T; seed: RedisAddress }> {
  let failure: unknown;
  for (const address of addresses) {
    try {
      const node = await redis.openNode(address, kind);
      try {
        return { value: await ask(node), seed: address };
      } finally {
        await node.close();
      }
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}
