import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { CliError, exitCodes, usageError } from './exit-codes.js';
import { type CommandResult, printError, printResult, type Streams } from './output.js';
import type { RedisTargetOptions } from './redis/target.js';

/** What a run of the CLI reads and writes: the process's in main.ts, others in tests. */
export interface CliIo extends Streams {
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

interface RedisOptions extends RedisTargetOptions {
  readonly prefix: string;
  readonly redisClient?: string;
  readonly timeout: string;
  readonly json?: boolean;
}

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const exitCodeHelp = `
Exit codes:
  0  done; doctor: every check passed
  1  doctor: a check failed; inspect: the JWKS could not be fetched; no Redis
     client library installed; or an unexpected error
  2  usage: unknown command or option, a bad value, an unreadable file
  3  doctor: warnings only
  4  inspect: the token is malformed or was refused
  5  Redis could not be reached or did not answer in time
  6  sessions revoke: no such live session

Every command takes --json: one JSON document on stdout, for success and for errors.`;

const redisHelp = `
Redis (as the reference app's REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS and
REDIS_SENTINEL_NAME, which are read when no option names it):
  --redis redis://[user:password@]host:port[/db]   one server (rediss:// for TLS)
  --redis-cluster host:port,host:port              a Redis Cluster, by any of its nodes
  --sentinels host:port,... [--sentinel-name mymaster]   the master a Sentinel group names
Prefer the environment for a URL with a password: arguments are visible to other local users.
Cluster nodes and the nodes Sentinels name take REDIS_USERNAME and REDIS_PASSWORD from the environment.
--prefix and --user-state-ttl must match the application's redisStore options.`;

/** Runs one command line; resolves to the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let result: CommandResult | undefined;
  const program = buildProgram(io, (produced) => {
    result = produced;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    const json = argv.includes('--json');
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return exitCodes.ok;
      // The parser has said why on stderr; a script reading --json output gets its document too.
      if (json)
        printError(
          { code: 'usage', message: withoutTokens(error.message.replace(/^error: /, '')) },
          true,
          io,
        );
      return exitCodes.usage;
    }
    if (error instanceof CliError) {
      printError({ code: error.code, message: error.message, details: error.details }, json, io);
      return error.exitCode;
    }
    printError(
      {
        code: 'failed',
        message: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
      },
      json,
      io,
    );
    return exitCodes.failed;
  }
  if (result === undefined) return exitCodes.ok;
  printResult(result, program.opts<{ json?: boolean }>().json === true, io);
  return result.exitCode;
}

function buildProgram(io: CliIo, done: (result: CommandResult) => void): Command {
  const program = new Command('authjwt')
    .description(
      "authjwt's operator command line: keys, tokens, sessions and users in Redis, and a Redis check-up",
    )
    .version(version)
    .option('--json', 'print one JSON document on stdout (results and errors)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // The parser quotes what it could not place (`unknown command 'eyJ...'`): a token given in the
      // wrong place must not come back in its message.
      writeErr: (text) => io.stderr.write(withoutTokens(text)),
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', exitCodeHelp);

  program
    .command('keygen')
    .description(
      'a new signing key: a private key (PEM) and its public JWK with kid, or for HS* a random secret',
    )
    .requiredOption('--alg <alg>', 'HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA')
    .option('--bits <bits>', 'RSA modulus length for RS*/PS*: 2048, 3072 or 4096 (default 2048)')
    .option('--out <file>', 'write the private key or secret to this new file (mode 0600), not to stdout')
    .addHelpText(
      'after',
      '\nThe kid is the one an auth instance with this key uses: the RFC 7638 thumbprint (for a secret, an id derived from it).',
    )
    .action(async (options: { alg: string; bits?: string; out?: string }) => {
      const { keygen } = await import('./keygen.js');
      done(keygen(options));
    });

  program
    .command('inspect')
    .description("a token's header and claims: UNVERIFIED unless --key or --jwks is given")
    .argument('[token]', 'the token; "-" or none reads it from stdin (keeps it out of shell history)')
    .option(
      '--key <file>',
      'verify with this file: a PEM key or certificate, a JWK, a JWK Set, or an HMAC secret',
    )
    .option(
      '--jwks <url>',
      'verify with the keys at this JWKS URL (asymmetric algorithms only; https, or http to loopback)',
    )
    .option('--alg <alg>', 'accept only this algorithm')
    .option('--issuer <iss>', 'require this iss')
    .option('--audience <aud>', 'require this aud')
    .option('--timeout <seconds>', 'how long to wait for the JWKS', '5')
    .addHelpText(
      'after',
      '\nThe token and its signature are never printed, not even in errors; a csrf claim is shown redacted.',
    )
    .action(async (token: string | undefined, options: Record<string, string | undefined>) => {
      const { inspect } = await import('./inspect/inspect.js');
      const fromStdin = token === undefined || token === '-';
      if (fromStdin && (io.stdin as { isTTY?: boolean }).isTTY === true) {
        throw usageError('give the token as an argument, or pipe it on stdin');
      }
      const text = fromStdin ? await readAll(io.stdin) : token;
      done(
        await inspect(text.trim(), {
          key: options.key,
          jwks: options.jwks,
          alg: options.alg,
          issuer: options.issuer,
          audience: options.audience,
          timeoutMs: seconds('--timeout', options.timeout ?? '5'),
          now: Date.now(),
        }),
      );
    });

  const sessions = program.command('sessions').description("a user's sessions in the Redis store");
  withStoreOptions(
    sessions
      .command('list')
      .description("the user's live sessions, newest first: id, created, last seen, end, IP, user agent")
      .argument('<userId>', "the user id (the tokens' sub)")
      .option('--limit <n>', 'at most this many, the newest (1 to 1000)', '100')
      .option(
        '--not-before <unixSeconds>',
        "hide sessions created before it, as the app's sessions.notBefore does (env SESSIONS_NOT_BEFORE)",
      ),
  ).action(
    async (userId: string, options: RedisOptions & StoreFlags & { limit: string; notBefore?: string }) => {
      const notBefore = options.notBefore ?? io.env.SESSIONS_NOT_BEFORE;
      const listing = {
        listLimit: wholeNumber('--limit', options.limit),
        ...(notBefore !== undefined && { notBefore: wholeNumber('--not-before', notBefore) }),
      };
      done(await withStore(options, io, (store, ops) => ops.sessions.listSessions(store, userId), listing));
    },
  );
  withStoreOptions(
    sessions
      .command('revoke')
      .description('end one session on every instance (exit 6 when it is not live)')
      .argument('<userId>', 'the user id')
      .argument('<sessionId>', "the session id, from `sessions list` (or a token's sid)"),
  ).action(async (userId: string, sessionId: string, options: RedisOptions & StoreFlags) => {
    done(await withStore(options, io, (store, ops) => ops.sessions.revokeSession(store, userId, sessionId)));
  });
  withStoreOptions(
    sessions
      .command('revoke-all')
      .description('end every session of the user on every instance')
      .argument('<userId>', 'the user id'),
  ).action(async (userId: string, options: RedisOptions & StoreFlags) => {
    done(await withStore(options, io, (store, ops) => ops.sessions.revokeAllSessions(store, userId)));
  });

  const users = program.command('users').description('user state in the Redis store');
  withStoreOptions(
    users
      .command('deactivate')
      .description('soft delete: end every session at once and refuse logins until activated')
      .argument('<userId>', 'the user id'),
  ).action(async (userId: string, options: RedisOptions & StoreFlags) => {
    done(await withStore(options, io, (store, ops) => ops.users.setUserActive(store, userId, false)));
  });
  withStoreOptions(
    users
      .command('activate')
      .description('lift a deactivation (sessions it ended stay ended)')
      .argument('<userId>', 'the user id'),
  ).action(async (userId: string, options: RedisOptions & StoreFlags) => {
    done(await withStore(options, io, (store, ops) => ops.users.setUserActive(store, userId, true)));
  });

  withRedisOptions(
    program
      .command('doctor')
      .description(
        'check a Redis for authjwt: version, persistence, eviction, keyspace and pub/sub settings, the revocation channel',
      ),
  )
    .addHelpText(
      'after',
      '\nExit 0: every check passed; 3: warnings only; 1: a check failed; 5: Redis not reachable.',
    )
    .action(async (options: RedisOptions) => {
      const [{ doctor }, { redisTarget }] = await Promise.all([
        import('./doctor/doctor.js'),
        import('./redis/target.js'),
      ]);
      done(
        await doctor(redisTarget(options, io.env), {
          prefix: options.prefix,
          redisClient: options.redisClient,
          timeoutMs: seconds('--timeout', options.timeout),
        }),
      );
    });
  return program;
}

interface StoreFlags {
  readonly userStateTtl: string;
  readonly revocationAcks: string;
}

function withRedisOptions(command: Command): Command {
  return command
    .option('--redis <url>', 'one Redis server: redis://[user:password@]host:port[/db] (env REDIS_URL)')
    .option('--redis-cluster <nodes>', 'a Redis Cluster: host:port,host:port,... (env REDIS_CLUSTER_NODES)')
    .option('--sentinels <nodes>', 'Sentinels: host:port,host:port,... (env REDIS_SENTINELS)')
    .option('--sentinel-name <name>', 'the master the Sentinels name (env REDIS_SENTINEL_NAME)', undefined)
    .option('--prefix <prefix>', "the store's key prefix, as given to redisStore", 'authjwt:')
    .addOption(
      new Option(
        '--redis-client <library>',
        'the Redis client to use (default: redis if installed, else ioredis)',
      ).choices(['redis', 'ioredis']),
    )
    .option('--timeout <seconds>', 'how long Redis has to connect and answer', '5')
    .addHelpText('after', redisHelp);
}

function withStoreOptions(command: Command): Command {
  return withRedisOptions(command)
    .option(
      '--user-state-ttl <duration>',
      "how long a deactivation is kept, as the app's redisStore userStateTtl",
      '30d',
    )
    .option(
      '--revocation-acks <n>',
      "replicas that must acknowledge each revocation (WAIT), as the app's revocationAcks",
      '0',
    );
}

type Operations = {
  sessions: typeof import('./sessions.js');
  users: typeof import('./users.js');
};

/** Opens the store the options name, runs `operation`, and closes it whatever happened. */
async function withStore(
  options: RedisOptions & StoreFlags,
  io: CliIo,
  operation: (store: import('./store-access.js').OperatorStore, ops: Operations) => Promise<CommandResult>,
  listing: { listLimit?: number; notBefore?: number } = {},
): Promise<CommandResult> {
  const [{ redisTarget }, access, sessions, users] = await Promise.all([
    import('./redis/target.js'),
    import('./store-access.js'),
    import('./sessions.js'),
    import('./users.js'),
  ]);
  const target = redisTarget(options, io.env);
  const store = await access.openOperatorStore(
    target,
    {
      prefix: options.prefix,
      userStateTtl: options.userStateTtl,
      revocationAcks: options.revocationAcks,
      redisClient: options.redisClient,
      timeoutMs: seconds('--timeout', options.timeout),
    },
    listing,
  );
  try {
    return await operation(store, { sessions, users });
  } catch (error) {
    throw access.storeFailure(error, store.target);
  } finally {
    await store.close();
  }
}

function seconds(option: string, value: string): number {
  const number = Number(value);
  if (!/^\d{1,2}$/.test(value) || number < 1 || number > 60)
    throw usageError(`${option} must be whole seconds from 1 to 60`);
  return number * 1000;
}

function wholeNumber(option: string, value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw usageError(`${option} must be a whole number`);
  return Number(value);
}

/** Anything shaped like a JWS compact token (three base64url parts), replaced. */
function withoutTokens(text: string): string {
  return text.replace(/[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[a token, not shown]');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    length += bytes.length;
    // Far past any token; stops a mistaken pipe of a large file early.
    if (length > 1_048_576) throw usageError('stdin holds more than 1 MiB: not a token');
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}
