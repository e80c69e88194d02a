import type { ExitCode } from './exit-codes.js';

/** What a command produced: its text for a person, its document for `--json`, and the exit code. */
export interface CommandResult {
  readonly text: string;
  readonly json: unknown;
  readonly exitCode: ExitCode;
}

/** Where results go; the tests and main.ts give process.stdout and process.stderr. */
export interface Streams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export function printResult(result: CommandResult, json: boolean, streams: Streams): void {
  if (json) streams.stdout.write(`${JSON.stringify(result.json, null, 2)}\n`);
  else if (result.text !== '')
    streams.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
}

/** A refusal: one JSON document on stdout with `--json` (so a script parses one stream), a line on stderr otherwise. */
export function printError(
  error: { code: string; message: string; details?: Readonly<Record<string, unknown>> },
  json: boolean,
  streams: Streams,
): void {
  if (json) {
    const document = { error: { code: error.code, message: error.message, ...error.details } };
    streams.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    streams.stderr.write(`authjwt: ${error.message}\n`);
  }
}
