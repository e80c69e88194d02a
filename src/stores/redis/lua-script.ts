import { createHash } from 'node:crypto';
import { luaPrelude } from './lua-prelude.js';
import { luaSessions } from './lua-sessions.js';

/** A Lua script and its SHA-1, for EVALSHA (with EVAL when the server has not seen it yet). */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
  /** Keys first: every script names all its keys, and they share one hash tag (Cluster). */
  readonly keyCount: number;
}

/**
 * Builds a script from its body, after the shared helpers. `readOnly` scripts carry the Redis 7
 * `no-writes` flag, so Redis refuses any write in them and may run them on a replica.
 */
export function luaScript(name: string, keyCount: number, body: string, readOnly = false): LuaScript {
  const source = `${readOnly ? '#!lua flags=no-writes\n' : ''}${luaPrelude}\n${luaSessions}\n${body.trim()}\n`;
  return { name, source, sha: createHash('sha1').update(source).digest('hex'), keyCount };
}
