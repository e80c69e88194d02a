import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createAuth, type ExternalIssuerOptions, type JwksOptions } from 'authjwt';
import { authjwtFastify } from 'authjwt/fastify';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  claimsFor,
  closedAfterEach,
  compact,
  es256Key,
  es256Token,
  eventually,
  json,
  refusal,
  type SigningKey,
  sleep,
  startIssuer,
  type TestIssuer,
} from '../helpers/test-issuer.js';

/*
 * Issue 14, point 2: a key-set cache an attacker can't turn into traffic or an outage. Small node:http
 * servers play the issuer, honest or hostile: random-kid floods (fetches counted), an issuer that
 * hangs, one that serves a huge or malformed set, redirects, offers an `oct` key or keys of the wrong
 * use, or goes away; and tokens with `alg: none` or HMAC.
 */

const secret = 'hostile-issuers-test-secret-0123456789abcdef';
const open = closedAfterEach();

async function issuerServing(keys: SigningKey[] | (() => unknown)): Promise<TestIssuer> {
  const body = typeof keys === 'function' ? keys : () => ({ keys: keys.map((key) => key.jwk) });
  const issuer = await startIssuer((_request, response) => json(response, body()));
  open.push(issuer);
  return issuer;
}

function authFor(issuer: TestIssuer, jwks: JwksOptions = {}, extra: Partial<ExternalIssuerOptions> = {}) {
  const auth = createAuth({
    signingKey: { alg: 'HS256', key: secret },
    externalIssuers: [
      {
        issuer: issuer.url,
        jwksUri: `${issuer.url}/jwks`,
        audience: 'api',
        algorithms: ['ES256'],
        allowHttp: true,
        jwks: { cooldown: '300ms', timeout: '300ms', ...jwks },
        ...extra,
      },
    ],
  });
  open.push(auth);
  return auth;
}

const randomKid = () => randomBytes(12).toString('base64url');

describe('random-kid floods', () => {
  it('make at most one fetch per cooldown, single-flight, each token refused 401 kid_unknown', async () => {
    const key = es256Key('good');
    const issuer = await issuerServing([key]);
    const auth = authFor(issuer);
    await auth.authenticateExternal(es256Token(key, claimsFor(issuer.url)));
    expect(issuer.hitsOf('/jwks')).toBe(1);
    await sleep(350);

    // A burst of 1000 at once, past the cooldown: one fetch, which they all wait for, then refusals.
    const burst = await Promise.all(
      Array.from({ length: 1000 }, () =>
        refusal(auth.authenticateExternal(es256Token(key, claimsFor(issuer.url), { kid: randomKid() }))),
      ),
    );
    expect(new Set(burst.map((error) => `${error.statusCode} ${error.code} ${error.reason}`))).toEqual(
      new Set(['401 token_invalid kid_unknown']),
    );
    expect(issuer.hitsOf('/jwks')).toBe(2);

    // A steady flood for a second: at most one fetch per 300 ms cooldown.
    const started = performance.now();
    let sent = 0;
    while (performance.now() - started < 1000) {
      const batch = Array.from({ length: 50 }, () =>
        refusal(auth.authenticateExternal(es256Token(key, claimsFor(issuer.url), { kid: randomKid() }))),
      );
      sent += batch.length;
      for (const error of await Promise.all(batch)) expect(error.reason).toBe('kid_unknown');
      await sleep(10);
    }
    const elapsed = performance.now() - started;
    const flooded = issuer.hitsOf('/jwks') - 2;
    expect(sent).toBeGreaterThan(500);
    expect(flooded).toBeGreaterThanOrEqual(1);
    expect(flooded).toBeLessThanOrEqual(Math.floor(elapsed / 300) + 1);
    // The real key kept working throughout.
    await expect(auth.authenticateExternal(es256Token(key, claimsFor(issuer.url)))).resolves.toMatchObject({
      subject: 'svc',
    });
  });
});

describe('an issuer that hangs', () => {
  it('is refused within the fetch timeout (401 jwks_unavailable), then at once during the cooldown, over HTTP a 401 and never a 500', async () => {
    // Accepts the connection and never answers.
    const issuer = await startIssuer(() => undefined);
    open.push(issuer);
    const auth = authFor(issuer, { cooldown: '5s', timeout: '300ms' });
    const token = es256Token(es256Key('any'), claimsFor(issuer.url));
    const started = performance.now();
    const error = await refusal(auth.authenticateExternal(token));
    const waited = performance.now() - started;
    expect([error.statusCode, error.code, error.reason]).toEqual([401, 'token_invalid', 'jwks_unavailable']);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(1500);
    expect(error.cause).toBeInstanceOf(Error);

    const app = Fastify();
    await app.register(authjwtFastify, { auth });
    app.get('/external', { onRequest: app.authjwt.requireExternal() }, async () => ({ ok: true }));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    open.push(app);
    const again = performance.now();
    const response = await fetch(`${url}/external`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('token_invalid');
    // No second connection: the cooldown refused at once, rather than after another timeout.
    expect(performance.now() - again).toBeLessThan(1000);
    expect(issuer.hitsOf('/jwks')).toBe(1);
  });

  it('that sends headers and then stalls the body is cut off by the same timeout', async () => {
    const issuer = await startIssuer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"keys":[');
    });
    open.push(issuer);
    const auth = authFor(issuer, { timeout: '300ms' });
    const started = performance.now();
    const error = await refusal(auth.authenticateExternal(es256Token(es256Key('a'), claimsFor(issuer.url))));
    expect(error.reason).toBe('jwks_unavailable');
    expect(performance.now() - started).toBeLessThan(1500);
  });
});

describe('what an issuer serves', () => {
  it('a huge JWKS is refused: a large Content-Length before reading, a long stream at the cap', async () => {
    let written = 0;
    const issuer = await startIssuer((request, response) => {
      if (request.url === '/declared') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1 << 30) });
        response.write('{"keys":[');
        return;
      }
      // An endless set: written as fast as the client reads, until it stops reading.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"keys":[');
      const chunk = Buffer.alloc(65_536, 0x20);
      const pump = () => {
        while (!response.destroyed && written < 512 * 1024 * 1024) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
      };
      pump();
    });
    open.push(issuer);
    const heapBefore = process.memoryUsage().heapUsed;
    const streamed = authFor(issuer, { maxBytes: 65_536, timeout: '5s' });
    const error = await refusal(
      streamed.authenticateExternal(es256Token(es256Key('a'), claimsFor(issuer.url))),
    );
    expect(error.reason).toBe('jwks_unavailable');
    expect(String((error.cause as Error).message)).toContain('more than 65536 bytes');
    // What left the server is what the sockets buffer, not the half gigabyte on offer.
    expect(written).toBeLessThan(16 * 1024 * 1024);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);

    const declared = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      externalIssuers: [
        {
          issuer: issuer.url,
          jwksUri: `${issuer.url}/declared`,
          audience: 'api',
          algorithms: ['ES256'],
          allowHttp: true,
        },
      ],
    });
    open.push(declared);
    const started = performance.now();
    const refused = await refusal(
      declared.authenticateExternal(es256Token(es256Key('a'), claimsFor(issuer.url))),
    );
    expect(refused.reason).toBe('jwks_unavailable');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('malformed JSON, or JSON that is not a key set, is refused (401 jwks_unavailable)', async () => {
    for (const body of ['{"keys": [', '["not", "a", "set"]', '{"keys": "none"}']) {
      const issuer = await startIssuer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(body);
      });
      open.push(issuer);
      const error = await refusal(
        authFor(issuer).authenticateExternal(es256Token(es256Key('a'), claimsFor(issuer.url))),
      );
      expect([error.statusCode, error.code, error.reason]).toEqual([
        401,
        'token_invalid',
        'jwks_unavailable',
      ]);
    }
  });

  it('a redirect is not followed (to another origin, or any): refused, and the other origin is never asked', async () => {
    const key = es256Key('a');
    const elsewhere = await issuerServing([key]);
    const issuer = await startIssuer((request, response) => {
      const target = request.url === '/jwks' ? `${elsewhere.url}/jwks` : '/jwks';
      response.writeHead(302, { location: target });
      response.end();
    });
    open.push(issuer);
    const error = await refusal(authFor(issuer).authenticateExternal(es256Token(key, claimsFor(issuer.url))));
    expect(error.reason).toBe('jwks_unavailable');
    expect(String((error.cause as Error).message)).toContain('redirects are not followed');
    expect(elsewhere.hitsOf('/jwks')).toBe(0);
  });

  it('an oct key in the set is ignored: an HS256 token signed with it is refused (alg_mismatch) without a fetch', async () => {
    const key = es256Key('ec');
    const octSecret = randomBytes(32);
    const issuer = await issuerServing(() => ({
      keys: [key.jwk, { kty: 'oct', kid: 'shared', k: octSecret.toString('base64url'), alg: 'HS256' }],
    }));
    const auth = authFor(issuer);
    await auth.authenticateExternal(es256Token(key, claimsFor(issuer.url)));
    await sleep(350);
    const hmacToken = compact({ alg: 'HS256', kid: 'shared' }, claimsFor(issuer.url), (input) =>
      createHmac('sha256', octSecret).update(input).digest(),
    );
    const error = await refusal(auth.authenticateExternal(hmacToken));
    expect([error.code, error.reason]).toEqual(['token_invalid', 'alg_mismatch']);
    // Even with the issuer's own EC kid, HS256 is not this issuer's algorithm (nor any JWKS's).
    const confused = compact({ alg: 'HS256', kid: 'ec' }, claimsFor(issuer.url), (input) =>
      createHmac('sha256', octSecret).update(input).digest(),
    );
    expect((await refusal(auth.authenticateExternal(confused))).reason).toBe('alg_mismatch');
    expect(issuer.hitsOf('/jwks')).toBe(1);
  });

  it('alg none is refused, with or without a signature, without a fetch', async () => {
    const key = es256Key('ec');
    const issuer = await issuerServing([key]);
    const auth = authFor(issuer);
    await auth.authenticateExternal(es256Token(key, claimsFor(issuer.url)));
    await sleep(350);
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: 'ec' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claimsFor(issuer.url))).toString('base64url');
    const unsigned = await refusal(auth.authenticateExternal(`${header}.${payload}.`));
    expect([unsigned.code, unsigned.reason]).toEqual(['token_invalid', 'empty_segment']);
    const withSignature = await refusal(auth.authenticateExternal(`${header}.${payload}.c2ln`));
    expect([withSignature.code, withSignature.reason]).toEqual(['token_invalid', 'alg_mismatch']);
    const noKid = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    expect((await refusal(auth.authenticateExternal(`${noKid}.${payload}.c2ln`))).reason).toBe(
      'alg_mismatch',
    );
    expect(issuer.hitsOf('/jwks')).toBe(1);
  });

  it('keys of the wrong use or type are ignored: use=enc, key_ops without verify, a P-384 key, RSA under 2048 bits', async () => {
    const good = es256Key('good');
    const enc = es256Key('enc', { use: 'enc' });
    const wrapOnly = es256Key('wrap', { use: undefined, key_ops: ['wrapKey'] });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const issuer = await issuerServing(() => ({
      keys: [good.jwk, enc.jwk, wrapOnly.jwk, { ...p384, kid: 'p384' }, { ...rsa1024, kid: 'rsa1024' }],
    }));
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: secret },
      externalIssuers: [
        {
          issuer: issuer.url,
          jwksUri: `${issuer.url}/jwks`,
          audience: 'api',
          algorithms: ['ES256', 'RS256'],
          allowHttp: true,
        },
      ],
    });
    open.push(auth);
    await expect(auth.authenticateExternal(es256Token(good, claimsFor(issuer.url)))).resolves.toBeDefined();
    for (const key of [enc, wrapOnly]) {
      expect((await refusal(auth.authenticateExternal(es256Token(key, claimsFor(issuer.url))))).reason).toBe(
        'kid_unknown',
      );
    }
    const p384Token = es256Token(good, claimsFor(issuer.url), { kid: 'p384' });
    expect((await refusal(auth.authenticateExternal(p384Token))).reason).toBe('kid_unknown');
    const rsaToken = compact({ alg: 'RS256', kid: 'rsa1024' }, claimsFor(issuer.url), () =>
      Buffer.alloc(128),
    );
    expect((await refusal(auth.authenticateExternal(rsaToken))).reason).toBe('kid_unknown');
  });

  it('a set of more than one key needs the kid (kid_missing); a set of one key takes a token without it', async () => {
    const one = es256Key('one');
    const two = es256Key('two');
    let served = [one];
    const issuer = await issuerServing(() => ({ keys: served.map((key) => key.jwk) }));
    const auth = authFor(issuer, { cooldown: '100ms' });
    const withoutKid = es256Token(one, claimsFor(issuer.url), { kid: undefined });
    await expect(auth.authenticateExternal(withoutKid)).resolves.toMatchObject({ subject: 'svc' });
    served = [one, two];
    await sleep(150);
    // Refetched for two's kid; from then on the set has two keys.
    await auth.authenticateExternal(es256Token(two, claimsFor(issuer.url)));
    const again = es256Token(one, claimsFor(issuer.url, { jti: 'another' }), { kid: undefined });
    expect((await refusal(auth.authenticateExternal(again))).reason).toBe('kid_missing');
  });
});

describe('an issuer that goes away', () => {
  it('the last good set serves for maxAge + staleIfError, refreshed in the background; an unknown kid is refused at once; then jwks_unavailable', async () => {
    const key = es256Key('good');
    let up = true;
    const issuer = await startIssuer((request, response) => {
      if (up) json(response, { keys: [key.jwk] });
      else request.socket.destroy();
    });
    open.push(issuer);
    const auth = authFor(issuer, { cooldown: '100ms', maxAge: '300ms', staleIfError: '1200ms' });
    const token = es256Token(key, claimsFor(issuer.url));
    await auth.authenticateExternal(token);
    const fetchedAt = performance.now();
    up = false;
    await sleep(400);
    // Past maxAge: answered at once from the old set while a refresh is tried (and fails).
    const stale = auth.authenticateExternalNow(token);
    expect(stale).not.toBeInstanceOf(Promise);
    await eventually(() => issuer.hitsOf('/jwks') === 2);
    await sleep(150);
    const started = performance.now();
    const unknown = await refusal(
      auth.authenticateExternal(es256Token(es256Key('new'), claimsFor(issuer.url))),
    );
    expect([unknown.statusCode, unknown.reason]).toEqual([401, 'kid_unknown']);
    expect(performance.now() - started).toBeLessThan(300);
    expect(auth.authenticateExternalNow(token)).not.toBeInstanceOf(Promise);
    // Past maxAge + staleIfError (1.5 s after the fetch): no set serves any more.
    await sleep(1600 - (performance.now() - fetchedAt));
    const gone = await refusal(auth.authenticateExternal(token));
    expect([gone.statusCode, gone.code, gone.reason]).toEqual([401, 'token_invalid', 'jwks_unavailable']);
    // Back up: the next attempt after the cooldown loads it again.
    up = true;
    await sleep(150);
    await expect(auth.authenticateExternal(token)).resolves.toMatchObject({ subject: 'svc' });
  });

  it('a background refresh replaces the set: a key the issuer withdrew stops verifying, even a token verified before', async () => {
    const first = es256Key('first');
    const second = es256Key('second');
    let served = [first, second];
    const issuer = await issuerServing(() => ({ keys: served.map((key) => key.jwk) }));
    const auth = authFor(issuer, { cooldown: '100ms', maxAge: '200ms' });
    const token = es256Token(first, claimsFor(issuer.url));
    await auth.authenticateExternal(token);
    // Warm: answered without a promise, from the verified-token cache.
    expect(auth.authenticateExternalNow(token)).not.toBeInstanceOf(Promise);
    served = [second];
    await sleep(250);
    expect(auth.authenticateExternalNow(token)).not.toBeInstanceOf(Promise);
    await eventually(() => issuer.hitsOf('/jwks') === 2);
    await sleep(100);
    const withdrawn = await refusal(auth.authenticateExternal(token));
    expect(withdrawn.reason).toBe('kid_unknown');
    await expect(auth.authenticateExternal(es256Token(second, claimsFor(issuer.url)))).resolves.toBeDefined();
  });
});
