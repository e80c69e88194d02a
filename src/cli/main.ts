#!/usr/bin/env node
import { runCli } from './program.js';

/*
 * `npx authjwt`: the operator's command line (see `authjwt --help` and the README's "Operator's CLI").
 * The exit code is set, not forced: output written to a pipe is flushed before the process ends.
 */
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});
