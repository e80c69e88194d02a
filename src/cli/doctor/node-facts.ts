import type { NodeConnection } from '../redis/connection.js';

/** What doctor reads from one Redis node: INFO fields, and CONFIG values where CONFIG is allowed. */
export interface NodeFacts {
  readonly info: ReadonlyMap<string, string>;
  /** `undefined` when the server refuses CONFIG (managed services often rename or forbid it). */
  readonly config: ReadonlyMap<string, string> | undefined;
}

/** The CONFIG parameters the checks read. */
const configNames = [
  'save',
  'appendfsync',
  'notify-keyspace-events',
  'client-output-buffer-limit',
  'min-replicas-to-write',
];

export async function readNodeFacts(node: NodeConnection): Promise<NodeFacts> {
  const info = parseInfo(text(await node.command(['INFO'])));
  let config: Map<string, string> | undefined = new Map();
  for (const name of configNames) {
    try {
      for (const [key, value] of configPairs(await node.command(['CONFIG', 'GET', name])))
        config.set(key, value);
    } catch {
      config = undefined;
      break;
    }
  }
  return { info, config };
}

/** INFO's `key:value` lines; section headers and blank lines skipped. */
export function parseInfo(reply: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of reply.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** CONFIG GET answers a flat array under RESP2 and a map under RESP3, depending on the client. */
export function configPairs(reply: unknown): [string, string][] {
  if (reply instanceof Map) return [...reply].map(([key, value]) => [text(key), text(value)]);
  if (Array.isArray(reply)) {
    const pairs: [string, string][] = [];
    for (let n = 0; n + 1 < reply.length; n += 2) pairs.push([text(reply[n]), text(reply[n + 1])]);
    return pairs;
  }
  if (typeof reply === 'object' && reply !== null) {
    return Object.entries(reply).map(([key, value]) => [key, text(value)]);
  }
  return [];
}

export function text(reply: unknown): string {
  if (typeof reply === 'string') return reply;
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  return reply === null || reply === undefined ? '' : String(reply);
}
