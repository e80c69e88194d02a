/**
 * Verifying tokens of another issuer (createAuth({ externalIssuers })) with its keys at hand, against
 * a raw node:crypto floor and jose, measured in one run on this machine. `npm run bench:external`.
 *
 * The issuer is a loopback HTTP server publishing a JWKS; each authjwt instance fetches it once for
 * real (auth.checkExternalIssuers()) and is then measured warm. Method as bench/tokens.ts: every
 * verifier in a worker thread of its own, warmed up and calibrated, then paired rounds that run each
 * verifier once, back to back, in a rotating order; ratios are medians of the per-round ratios.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { arch, cpus, platform } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Algorithm, algorithms } from 'authjwt';
import * as jose from 'jose';
import { parseArgs } from './lib/args.js';
import { type ExternalSetup, externalVerifiers } from './lib/external-cases.js';
import { type AccessHeader, population, randomId, subjects } from './lib/fixture.js';
import { IsolatedLibrary } from './lib/isolated.js';
import { type KeyMaterial, keyMaterial } from './lib/keys.js';
import { median } from './lib/measure.js';
import { goalRatio, type Measured, opsText, rangeText, ratio, ratioText } from './lib/report.js';
import { writeMarkedSection } from './lib/sections.js';

const args = parseArgs(process.argv.slice(2));
// Per CPU second of the process unless told otherwise: on shared cores, wall-time rounds measured
// authjwt RS256 at 0.71-1.25x raw (interquartile range) where CPU time gave 0.82-0.97x, same median.
const clock = args.clock ?? 'cpu';
const log = (message: string) => process.stderr.write(`${message}\n`);
// No algorithm named: the common ones of OpenID providers. HMAC is never an external issuer's.
const chosen = (
  args.algorithms.length === algorithms.length ? ['RS256', 'PS256', 'ES256', 'EdDSA'] : args.algorithms
).filter((alg) => !alg.startsWith('HS')) as Algorithm[];

const keys = new Map<Algorithm, KeyMaterial>(chosen.map((alg) => [alg, keyMaterial(alg)]));
const headerOf = (alg: Algorithm): AccessHeader => ({ alg, typ: 'at+jwt', kid: `key-${alg}` });
// One published set with every algorithm's key, so a token must name its key by kid, as with real issuers.
const jwks: jose.JSONWebKeySet = {
  keys: chosen.map((alg) => ({
    ...(keys.get(alg) as KeyMaterial).verificationKey.export({ format: 'jwk' }),
    kid: headerOf(alg).kid,
    alg,
    use: 'sig',
  })),
};
let fetches = 0;
const server = createServer((request, response) => {
  if (request.url !== '/jwks') return void response.writeHead(404).end();
  fetches++;
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const audience = 'https://api.example.com';

/** An RFC 9068 access token of the issuer; `claims` overrides to make one every verifier refuses. */
function issue(km: KeyMaterial, sub: string, claims: jose.JWTPayload = {}): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const payload = { iss: issuer, sub, aud: audience, client_id: 'bench-client', scope: 'orders:read' };
  return new jose.SignJWT({ ...payload, iat, exp: iat + 900, jti: randomId(), ...claims })
    .setProtectedHeader({ ...headerOf(km.alg) })
    .sign(km.signingKey);
}

interface Result {
  readonly alg: Algorithm;
  readonly rows: readonly { readonly label: string; readonly verify: Measured }[];
}

async function benchAlgorithm(alg: Algorithm): Promise<Result> {
  const km = keys.get(alg) as KeyMaterial;
  // 64 distinct tokens, each presented again in turn, as the clients of one API do.
  const tokens = await Promise.all(subjects.slice(0, population).map((sub) => issue(km, sub)));
  const refused = await Promise.all([
    issue(km, 'usr_x', { aud: 'https://other.example.com' }),
    issue(km, 'usr_x', { iss: 'https://other.example.com' }),
    issue(km, 'usr_x', { exp: Math.floor(Date.now() / 1000) - 60 }),
  ]);
  const options: ExternalSetup = { issuer, audience, jwksUri: `${issuer}/jwks`, jwks, refused };
  const casesModule = new URL('./lib/external-cases.ts', import.meta.url).href;
  const running = externalVerifiers.map((verifier) => ({
    verifier,
    isolated: new IsolatedLibrary({
      libraryId: verifier.id,
      km,
      header: headerOf(alg),
      tokens,
      casesModule,
      options,
      clock,
    }),
    samples: [] as number[],
  }));
  try {
    for (const entry of running) await entry.isolated.warmUp(args.warmupMs, ['verify']);
    for (let round = 0; round < args.rounds; round++) {
      if (round % 10 === 0) log(`  ${alg} verify: round ${round + 1}/${args.rounds}`);
      for (let index = 0; index < running.length; index++) {
        const entry = running[(index + round) % running.length] as (typeof running)[number];
        entry.samples.push(await entry.isolated.round('verify', args.roundMs));
      }
    }
  } finally {
    await Promise.all(running.map((entry) => entry.isolated.close()));
  }
  const rows = running.map(({ verifier, samples }) => ({
    label: verifier.label,
    verify: { median: median(samples), samples },
  }));
  return { alg, rows };
}

const headings = ['Alg', 'Verifier', 'verify ops/s', 'µs/verify', 'vs raw', 'IQR of the ratio'];
function cells({ alg, rows }: Result): string[][] {
  const raw = rows[0]?.verify;
  return rows.map(({ label, verify }) => [
    alg,
    label,
    opsText(verify.median),
    (1e6 / verify.median).toFixed(2),
    ratioText(ratio(verify, raw)),
    rangeText(ratio(verify, raw)),
  ]);
}

const started = process.hrtime.bigint();
const cpuList = cpus();
const cpu = `${cpuList[0]?.model.trim() ?? 'unknown CPU'} (${cpuList.length} cores)`;
const method =
  `Every verifier in a worker thread of its own, one running at a time; warm-up ${args.warmupMs} ms, then ` +
  `${args.rounds} paired rounds of ${args.roundMs} ms per verifier, back to back in a rotating order ` +
  `(the cores are shared with other work: pairing cancels its drift); ops/s = median over rounds of calls per ` +
  `${clock === 'cpu' ? "second of the process's CPU time (process.cpuUsage)" : 'second'}, ratios = median of ` +
  'the per-round ratios.';
console.log(`authjwt external-token benchmark: Node ${process.version}, ${cpu}\n${method}\n`);
const results: Result[] = [];
try {
  for (const alg of chosen) {
    const result = await benchAlgorithm(alg);
    results.push(result);
    for (const row of cells(result)) console.log(row.join('  '));
    console.log('');
  }
} finally {
  server.close();
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
// Two authjwt instances per algorithm, each fetching once; a refetch would mean a cold path measured.
console.log(`JWKS fetches: ${fetches} (expected ${2 * chosen.length}). Whole run: ${seconds.toFixed(0)} s.`);
if (fetches !== 2 * chosen.length) process.exitCode = 1;

const goal = results.map(({ alg, rows }) => {
  const paired = ratio(rows[1]?.verify, rows[0]?.verify);
  return `${alg} ${ratioText(paired)} ${paired !== undefined && paired.median >= goalRatio ? 'pass' : '**FAIL**'}`;
});
const section = [
  '<!-- external:start -->',
  '## Tokens of another issuer (warm key set)',
  '',
  `Written by \`npm run bench:external\` (bench/external.ts) on ${new Date().toISOString().slice(0, 10)}: ` +
    `Node ${process.version}, ${cpu}, ${platform()} ${arch()}. ${method} Whole run: ${Math.round(seconds)} s.`,
  '',
  'RFC 9068 access tokens (typ `at+jwt`, kid) of an issuer served on loopback, 64 distinct tokens in turn;',
  'authjwt fetched the JWKS once (`checkExternalIssuers()`) and is called through',
  '`auth.authenticateExternalNow(token)`, context included. Raw: split, `crypto.verify` with a ready',
  'KeyObject, JSON.parse, check exp, iss and aud. jose: `jwtVerify` with issuer, audience, algorithm and',
  'typ, against `createLocalJWKSet`, awaited call by call. Every verifier refuses a tampered signature, a',
  'wrong aud, a wrong iss and an expired token before timing starts.',
  '',
  `| ${headings.join(' | ')} |`,
  `|---|---|${headings
    .slice(2)
    .map(() => '---:')
    .join('|')}|`,
  ...results.flatMap(cells).map((row) => `| ${row.join(' | ')} |`),
  '',
  `Goal, authjwt with the cache off >= ${goalRatio}x raw: ${goal.join(', ')}.`,
  '<!-- external:end -->',
].join('\n');
if (args.write) {
  writeMarkedSection(fileURLToPath(new URL('./RESULTS.md', import.meta.url)), 'external', section);
  console.log('Wrote the "external" section of bench/RESULTS.md.');
} else console.log('bench/RESULTS.md not written (partial or quick run; pass --write to write it).');
