import { exitCodes } from '../exit-codes.js';
import type { CommandResult } from '../output.js';
import { connectRedis } from '../redis/connect.js';
import { errorText } from '../redis/connection.js';
import { describeTarget, formatAddress, type RedisTarget } from '../redis/target.js';
import { checkChannel } from './channel-check.js';
import type { CheckResult } from './check-result.js';
import { discoverNodes } from './discover-nodes.js';
import { checkNode } from './node-checks.js';
import { readNodeFacts } from './node-facts.js';

export interface DoctorOptions {
  readonly prefix: string;
  readonly redisClient?: string | undefined;
  readonly timeoutMs: number;
}

/**
 * Checks a deployment's Redis for authjwt: each node's version, persistence, eviction policy,
 * keyspace-event and pub/sub buffer settings and replication, the topology (cluster state, Sentinel
 * quorum), and the revocation channel end to end. Exit 0 when all pass, 3 with warnings only, 1 with a
 * failure; 5 when Redis cannot be reached at all.
 */
export async function doctor(target: RedisTarget, options: DoctorOptions): Promise<CommandResult> {
  const redis = await connectRedis(target, { preferred: options.redisClient, timeoutMs: options.timeoutMs });
  const results: CheckResult[] = [];
  try {
    const topology = await discoverNodes(redis, target);
    results.push(...topology.findings);
    for (const { address, role } of topology.nodes) {
      const name = formatAddress(address);
      try {
        const node = await redis.openNode(address);
        try {
          results.push(...checkNode(await readNodeFacts(node), name, role));
        } finally {
          await node.close();
        }
      } catch (error) {
        results.push({
          check: 'reachable',
          status: 'fail',
          message: `not reachable: ${errorText(error)}`,
          node: name,
          role,
        });
      }
    }
    results.push(...(await checkChannel(redis, options.prefix, options.timeoutMs)));
  } finally {
    await redis.close();
  }
  const failures = results.filter((result) => result.status === 'fail').length;
  const warnings = results.filter((result) => result.status === 'warn').length;
  const exitCode = failures > 0 ? exitCodes.failed : warnings > 0 ? exitCodes.warnings : exitCodes.ok;
  const summary = `${failures} failure${failures === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  const where = `${describeTarget(target)}, through ${redis.library === 'redis' ? 'node-redis' : 'ioredis'}`;
  const text = [
    `authjwt doctor: ${where}`,
    ...results.map((result) => {
      const subject = result.node === undefined ? '' : `${result.node} (${result.role}) `;
      return `${result.status.toUpperCase().padEnd(4)}  ${result.check}: ${subject}${result.message}`;
    }),
    summary,
  ].join('\n');
  return {
    exitCode,
    text,
    json: {
      target: describeTarget(target),
      client: redis.library,
      ok: failures === 0 && warnings === 0,
      failures,
      warnings,
      checks: results,
    },
  };
}
