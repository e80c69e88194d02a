import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { json, runCli } from './run-cli.js';

// Every test runs the CLI as child processes (about a second each, more on a loaded machine).
vi.setConfig({ testTimeout: 60_000 });

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('the command line itself', () => {
  it('has --help for every command, naming its options, and the exit codes at the top', async () => {
    const commands = [
      [[], ['keygen', 'inspect', 'sessions', 'users', 'doctor', 'Exit codes:', '6  sessions revoke']],
      [['keygen'], ['--alg <alg>', '--bits <bits>', '--out <file>']],
      [['inspect'], ['--key <file>', '--jwks <url>', '--alg <alg>', 'UNVERIFIED', 'never printed']],
      [
        ['sessions', 'list'],
        [
          '<userId>',
          '--limit <n>',
          '--redis <url>',
          '--redis-cluster <nodes>',
          '--sentinels <nodes>',
          '--prefix',
        ],
      ],
      [
        ['sessions', 'revoke'],
        ['<userId>', '<sessionId>', '--user-state-ttl', '--revocation-acks'],
      ],
      [
        ['sessions', 'revoke-all'],
        ['<userId>', 'REDIS_URL'],
      ],
      [
        ['users', 'deactivate'],
        ['<userId>', '--redis-client <library>'],
      ],
      [['users', 'activate'], ['<userId>']],
      [['doctor'], ['--redis <url>', 'Exit 0: every check passed; 3: warnings only']],
    ] as const;
    const runs = await Promise.all(commands.map(([words]) => runCli([...words, '--help'])));
    for (const [index, [words, expected]] of commands.entries()) {
      const run = runs[index];
      expect(run?.code, words.join(' ')).toBe(0);
      for (const text of expected) expect(run?.stdout, `${words.join(' ')}: ${text}`).toContain(text);
    }
  }, 60_000);

  it('prints its version, and exits 2 for an unknown command or option, with a --json document too', async () => {
    const [shown, unknown, unknownJson, missing] = await Promise.all([
      runCli(['--version']),
      runCli(['rotate-everything']),
      runCli(['sessions', 'list', 'u', '--no-such-option', '--json']),
      runCli(['sessions', 'revoke', 'only-a-user', '--redis', 'redis://127.0.0.1:1']),
    ]);
    expect(shown.stdout.trim()).toBe(version);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'rotate-everything'");
    expect(unknownJson.code).toBe(2);
    expect(json(unknownJson)).toEqual({
      error: { code: 'usage', message: "unknown option '--no-such-option'" },
    });
    expect(missing.code).toBe(2);
  });

  it('never echoes a token given where the parser did not expect one', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const runs = await Promise.all([runCli([token]), runCli(['keygen', token, '--alg', 'ES256', '--json'])]);
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).not.toContain(token);
      expect(run.stdout + run.stderr).not.toContain('c2lnbmF0dXJlLXNpZ25hdHVyZQ');
    }
  });
});
