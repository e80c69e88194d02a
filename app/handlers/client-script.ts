import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const entry = fileURLToPath(new URL('../../src/client/index.ts', import.meta.url));
let bundled: string | undefined;

/**
 * The browser client (authjwt/client, src/client) as one ES module for the demo page, bundled from
 * the source with esbuild (which tsx, the app's runner, brings) once per process: the page then runs
 * exactly the code the tests check, with no build step before `npm start`.
 */
export function clientScript(): string {
  bundled ??= buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
  }).outputFiles[0]?.text;
  if (bundled === undefined) throw new Error('esbuild produced no client bundle');
  return bundled;
}
