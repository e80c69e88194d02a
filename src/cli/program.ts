import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CliError, exitCodes, usageError } from './exit-codes.js';
import { readAll, seconds, wholeNumber, withoutTokens } from './input.js';
import { type CommandResult, printError, printResult, type Streams } from './output.js';
import {
  type RedisOptions,
  type StoreFlags,
  withRedisOptions,
  withStore,
  withStoreOptions,
} from './redis-command.js';

/** What a run of the CLI reads and writes: the process's in main.ts, others in tests. */
export interface CliIo extends Streams {
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
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
      .argument('<sessionId>', "the session id, from `sessions list` (or a token's sid)")
      .addHelpText(
        'after',
        "\nAn id that begins with '-' goes after --, which ends the options: authjwt sessions revoke --redis URL -- USER ID",
      ),
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
