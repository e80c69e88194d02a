/**
 * The HTTP scenarios, shared by the harnesses (bench/http.ts, bench/frameworks.ts) and the server
 * processes (bench/http/server.ts). Numbers follow the Benchmarks section of issue 5.
 */

export type ScenarioId =
  | 'bare'
  | 'bare-header'
  | 'middleware'
  | 'middleware-exists'
  | 'authjwt-tokens'
  | 'authjwt-tokens-uncached'
  | 'authjwt-cached'
  | 'authjwt-cached-middleware'
  | 'authjwt-strict'
  | 'login'
  | 'refresh';

export interface Scenario {
  readonly id: ScenarioId;
  /** The number for it: 1 to 6, 1b, 4b, 4c, or login / refresh (4, stateless mode, is gone). */
  readonly number: string;
  readonly label: string;
  /** `get`: GET /me with a bearer access token; `login`: POST /login; `refresh`: POST /refresh with a refresh token. */
  readonly load: 'get' | 'login' | 'refresh';
  readonly redis: boolean;
  /** One line on what the server does per request, for the results page. */
  readonly what: string;
}

export const scenarios: readonly Scenario[] = [
  {
    id: 'bare',
    number: '1',
    label: 'bare Fastify route',
    load: 'get',
    redis: false,
    what: 'GET /me answers `{sub}` without looking at the token (the same request bytes as the others): the ceiling.',
  },
  {
    id: 'bare-header',
    number: '1b',
    label: 'bare route reading the header',
    load: 'get',
    redis: false,
    what: '(1) that also reads `request.headers.authorization`, and nothing else: what any check of a bearer token does before checking it.',
  },
  {
    id: 'middleware',
    number: '2',
    label: '@fastify/jwt verify',
    load: 'get',
    redis: false,
    what: '`await request.jwtVerify()` in an onRequest hook (HS256, algorithms pinned), as its README shows.',
  },
  {
    id: 'middleware-exists',
    number: '3',
    label: '@fastify/jwt + Redis EXISTS',
    load: 'get',
    redis: true,
    what: '(2) plus `EXISTS peer-session:<sid>` on a node-redis client per request, refusing when the key is gone: a typical hand-made revocation check (the harness writes the key with each session and deletes it to revoke).',
  },
  {
    id: 'authjwt-tokens',
    number: '4b',
    label: 'authjwt tokens only',
    load: 'get',
    redis: false,
    what: '`createTokenService().verifyAccessToken()` of the bearer token in an onRequest hook: the pure verify cost, no sessions.',
  },
  {
    id: 'authjwt-tokens-uncached',
    number: '4c',
    label: 'authjwt tokens, no verify cache',
    load: 'get',
    redis: false,
    what: '(4b) with `verifiedTokenCache: 0`: every request checks the HMAC and parses the token again (the harness cycles 64 tokens, so with the default cache the others verify each token once).',
  },
  {
    id: 'authjwt-cached',
    number: '5',
    label: 'authjwt Redis sessions, cached',
    load: 'get',
    redis: true,
    what: "`redisStore` (node-redis) sessions with `revocation: 'cached'`, the `requireAccess()` guard.",
  },
  {
    id: 'authjwt-cached-middleware',
    number: '5m',
    label: 'authjwt Redis sessions, cached, guard as middleware',
    load: 'get',
    redis: true,
    what: "As (5), with Hono's guard as a middleware before the handler rather than `guard.handle(handler)` (Hono only).",
  },
  {
    id: 'authjwt-strict',
    number: '6',
    label: 'authjwt Redis sessions, strict',
    load: 'get',
    redis: true,
    what: "`redisStore` (node-redis) sessions with `revocation: 'strict'`: one store round trip per request.",
  },
  {
    id: 'login',
    number: 'login',
    label: 'authjwt login (Redis)',
    load: 'login',
    redis: true,
    what: 'POST /login calls `auth.login()` (a new session in Redis, a token pair signed), no password hashing; a new user each time.',
  },
  {
    id: 'refresh',
    number: 'refresh',
    label: 'authjwt refresh (Redis)',
    load: 'refresh',
    redis: true,
    what: 'POST /refresh with the refresh token (`requireRefresh()` guard, `auth.refresh()`: rotation in Redis, a new pair); every connection follows its own rotation chain.',
  },
];

export function scenarioById(id: string): Scenario {
  const scenario = scenarios.find((candidate) => candidate.id === id);
  if (scenario === undefined) throw new Error(`unknown scenario "${id}"`);
  return scenario;
}

export type Framework = 'fastify' | 'express' | 'hono';

/** What the harness passes to a server process (as JSON in BENCH_SERVER_CONFIG). */
export interface ServerConfig {
  readonly scenario: ScenarioId;
  /** Fastify when absent; Express and Hono serve bare, middleware(-exists) and authjwt-cached and -strict. */
  readonly framework?: Framework;
  /** The HS256 secret shared by every scenario (text, as applications configure it). */
  readonly secret: string;
  readonly redisUrl: string | undefined;
  /**
   * Key prefix (and revocation channel) of the authjwt store, shared by the servers of a run and the
   * harness that logs their users in; also the prefix of the peers' session keys.
   */
  readonly prefix: string;
  /**
   * bench:instructions: the authjwt app exactly as it is, but `/me` without its guard (it answers
   * `{sub}` of no one), so that the guard is the only difference from the guarded one.
   */
  readonly unguarded?: boolean;
}

/** The key whose EXISTS the peers' hand-made revocation check asks: there while the session lives. */
export const peerSessionKey = (prefix: string, sessionId: string) => `${prefix}peer-session:${sessionId}`;

/** The one message a server process sends over IPC once it listens. */
export interface ReadyMessage {
  readonly ready: true;
  readonly port: number;
  /** Whether `sessions.revocation` is an option of this source tree's AuthOptions (cached mode exists). */
  readonly revocationOption: boolean;
}

/** The harness asks a server for its counters with this message... */
export const statsRequest = 'stats';

/** ...and the server answers with this one. */
export interface StatsMessage {
  readonly stats: { readonly roundTrips: number };
}

/** Whether the scenario's route checks the token (the bare routes answer without looking at it). */
export function checksToken(id: ScenarioId): boolean {
  return id !== 'bare' && id !== 'bare-header';
}

/** Whether the scenario's route refuses a token whose session ended (it asks Redis, or its cache). */
export function checksSession(scenario: Scenario): boolean {
  return scenario.load === 'get' && scenario.redis;
}
