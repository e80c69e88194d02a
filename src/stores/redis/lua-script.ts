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

/** Shared helpers a script's body may use. */
export type LuaHelpers =
  /** None: the body stands alone. */
  | 'none'
  /** The packed-session codec and small helpers (lua-prelude.ts). */
  | 'codec'
  /** Those and the two forms of a user's sessions (lua-sessions.ts). */
  | 'sessions';

export interface LuaScriptOptions {
  /** Which helpers go before the body. Every helper is a closure Redis makes on each call (measured: the
   * session helpers added about 4 µs of Redis CPU to the per-request read), so a script takes only
   * what it uses. */
  readonly helpers: LuaHelpers;
  /** Carries the Redis 7 `no-writes` flag: Redis refuses any write in the script and may run it on a replica. */
  readonly readOnly?: boolean;
}

const helperSources: Readonly<Record<LuaHelpers, string>> = {
  none: '',
  codec: `${luaPrelude}\n`,
  sessions: `${luaPrelude}\n${luaSessions}\n`,
};

/** Builds a script from its body, after the helpers it names. */
export function luaScript(
  name: string,
  keyCount: number,
  body: string,
  options: LuaScriptOptions,
): LuaScript {
  const source = `${options.readOnly === true ? '#!lua flags=no-writes\n' : ''}${helperSources[options.helpers]}${body.trim()}\n`;
  return { name, source, sha: createHash('sha1').update(source).digest('hex'), keyCount };
}
