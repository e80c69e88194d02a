import { generateKeyPairSync, sign } from 'node:crypto';
import {
  AuthConfigError,
  createAuth,
  type ExternalIssuerOptions,
  type ExternalTokenContext,
  toPrometheusText,
} from 'authjwt';
import { createHttpAuth } from 'authjwt/http';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  claimsFor,
  closedAfterEach,
  compact,
  es256Key,
  es256Token,
  json,
  refusal,
  type SigningKey,
  startIssuer,
  startKeySetIssuer,
  type TestIssuer,
} from '../helpers/test-issuer.js';

/*
 * Issue 14, point 1: tokens of configured issuers under the standard JWT rules (RFC 7519, RFC 9068
 * for at+jwt), the options refused at construction, the context they make, and the guard's options.
 */

const secret = 'external-tokens-test-secret-0123456789abcdef';
const open = closedAfterEach();

async function issuerWith(keys: SigningKey[]): Promise<TestIssuer> {
  const issuer = await startKeySetIssuer(keys);
  open.push(issuer);
  return issuer;
}

function authFor(issuer: TestIssuer, extra: Partial<ExternalIssuerOptions> = {}, discover = false) {
  const auth = createAuth({
    signingKey: { alg: 'HS256', key: secret },
    externalIssuers: [
      {
        issuer: issuer.url,
        ...(!discover && { jwksUri: `${issuer.url}/jwks` }),
        audience: 'api',
        algorithms: ['ES256'],
        allowHttp: true,
        ...extra,
      },
    ],
  });
  open.push(auth);
  return auth;
}

const base = (options: Partial<ExternalIssuerOptions>) =>
  ({
    signingKey: { alg: 'HS256', key: secret },
    externalIssuers: [
      {
        issuer: 'https://login.example.com/',
        audience: 'api',
        algorithms: ['RS256'],
        ...options,
      } as ExternalIssuerOptions,
    ],
  }) as const;

describe('externalIssuers options, refused at construction', () => {
  const refused = (options: Partial<ExternalIssuerOptions>, option: string, message: RegExp) => {
    let error: unknown;
    try {
      createAuth(base(options));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AuthConfigError);
    expect((error as AuthConfigError).option).toBe(option);
    expect((error as AuthConfigError).message).toMatch(message);
  };

  it('refuses HMAC and none among the algorithms, and an empty list', () => {
    refused({ algorithms: ['HS256'] }, 'externalIssuers[0].algorithms', /symmetric/);
    refused({ algorithms: ['none' as never] }, 'externalIssuers[0].algorithms', /none is never accepted/);
    refused({ algorithms: [] }, 'externalIssuers[0].algorithms', /required/);
  });

  it('requires the audience', () => {
    refused({ audience: undefined as never }, 'externalIssuers[0].audience', /required/);
    refused({ audience: [] }, 'externalIssuers[0].audience', /required/);
  });

  it('fetches over HTTPS only: plain HTTP needs allowHttp, which is refused for any host but loopback', () => {
    refused({ issuer: 'http://login.example.com' }, 'externalIssuers[0].issuer', /must use https/);
    refused({ jwksUri: 'http://keys.example.com/jwks' }, 'externalIssuers[0].jwksUri', /must use https/);
    refused(
      { issuer: 'http://login.example.com', allowHttp: true },
      'externalIssuers[0].issuer',
      /loopback hosts only/,
    );
    refused(
      { jwksUri: 'https://user:pw@keys.example.com/jwks' },
      'externalIssuers[0].jwksUri',
      /credentials/,
    );
    expect(() => createAuth(base({ issuer: 'http://127.0.0.1:9', allowHttp: true }))).not.toThrow();
    expect(() => createAuth(base({ issuer: 'http://localhost:9', allowHttp: true }))).not.toThrow();
    // With a jwks_uri given, the issuer is only compared with `iss`: it need not be a URL.
    expect(() =>
      createAuth(base({ issuer: 'urn:issuer', jwksUri: 'https://keys.example.com/jwks' })),
    ).not.toThrow();
  });

  it("refuses an issuer configured twice, or one that is this instance's own", () => {
    expect(() =>
      createAuth({
        signingKey: { alg: 'HS256', key: secret },
        externalIssuers: [base({}).externalIssuers[0], base({}).externalIssuers[0]],
      }),
    ).toThrow(/configured twice/);
    expect(() => createAuth({ ...base({}), issuer: 'https://login.example.com/' })).toThrow(/own issuer/);
  });

  it('bounds the key-set settings: a cooldown under 100 ms, a body cap under 1 KiB', () => {
    refused({ jwks: { cooldown: '10ms' } }, 'externalIssuers[0].jwks.cooldown', /from 100ms/);
    refused({ jwks: { maxBytes: 10 } }, 'externalIssuers[0].jwks.maxBytes', /1024/);
  });

  it('requireExternal: needs externalIssuers, reads the header only, admits only configured issuers', () => {
    const plain = createHttpAuth({ auth: createAuth({ signingKey: { alg: 'HS256', key: secret } }) });
    expect(() => plain.requireExternal()).toThrow(/needs externalIssuers/);
    const http = createHttpAuth({ auth: createAuth(base({})), cookies: true });
    expect(() => http.requireExternal({ from: 'cookie' as never })).toThrow(/come in the header/);
    expect(() => http.requireExternal({ issuers: ['https://other.example.com/'] })).toThrow(
      /not one of externalIssuers/,
    );
    expect(http.requireExternal({ scopes: ['read'] })).toBe(http.requireExternal({ scopes: ['read'] }));
    expect(http.requireExternal().demand.locations).toEqual({ header: true, cookie: false });
  });
});

describe('standard JWT rules for tokens of other issuers', () => {
  it('requires iss (exactly a configured one), aud and exp; demands none of our own token types', async () => {
    const key = es256Key('k');
    const issuer = await issuerWith([key]);
    const auth = authFor(issuer);
    // No `type` claim, no `typ` header, no `jti`, no `sid`: an ordinary JWT of that issuer passes.
    const context = await auth.authenticateExternal(es256Token(key, claimsFor(issuer.url)));
    expect(context).toMatchObject({
      subject: 'svc',
      issuer: issuer.url,
      tokenType: 'external',
      sessionId: undefined,
    });
    // The verified header as the issuer wrote it, on the context (and again from the verified-token cache).
    const withHeader = es256Token(key, claimsFor(issuer.url), { 'x-tenant': 't1' });
    for (const _ of [1, 2]) {
      expect((await auth.authenticateExternal(withHeader)).header).toEqual({
        alg: 'ES256',
        kid: 'k',
        'x-tenant': 't1',
      });
    }
    const reasonOf = async (claims: Record<string, unknown>) =>
      (await refusal(auth.authenticateExternal(es256Token(key, claims)))).reason;
    expect(await reasonOf(claimsFor(`${issuer.url}/`))).toBe('issuer_unknown');
    expect(await reasonOf(claimsFor(issuer.url, { iss: undefined }))).toBe('issuer_unknown');
    expect(await reasonOf(claimsFor(issuer.url, { aud: undefined }))).toBe('aud');
    expect(await reasonOf(claimsFor(issuer.url, { aud: ['other', 'another'] }))).toBe('aud');
    expect(await reasonOf(claimsFor(issuer.url, { exp: undefined }))).toBe('exp');
    expect(await reasonOf(claimsFor(issuer.url, { sub: undefined }))).toBe('sub');
    const future = claimsFor(issuer.url, { nbf: Math.floor(Date.now() / 1000) + 600 });
    expect((await refusal(auth.authenticateExternal(es256Token(key, future)))).code).toBe(
      'token_not_yet_valid',
    );
  });

  it('at+jwt tokens carry what RFC 9068 requires (client_id, iat, jti); other typs are refused as another kind of JWT', async () => {
    const key = es256Key('k');
    const issuer = await issuerWith([key]);
    const auth = authFor(issuer);
    const access = claimsFor(issuer.url, { client_id: 'app', jti: 'j1' });
    await expect(
      auth.authenticateExternal(es256Token(key, access, { typ: 'at+jwt' })),
    ).resolves.toBeDefined();
    await expect(
      auth.authenticateExternal(es256Token(key, access, { typ: 'application/AT+JWT' })),
    ).resolves.toBeDefined();
    const reasonOf = async (claims: Record<string, unknown>, typ: string) =>
      (await refusal(auth.authenticateExternal(es256Token(key, claims, { typ })))).reason;
    expect(await reasonOf({ ...access, client_id: undefined }, 'at+jwt')).toBe('client_id');
    expect(await reasonOf({ ...access, jti: undefined }, 'at+jwt')).toBe('jti_missing');
    expect(await reasonOf({ ...access, iat: undefined }, 'at+jwt')).toBe('iat');
    for (const typ of ['rt+jwt', 'logout+jwt', 'dpop+jwt']) {
      const error = await refusal(auth.authenticateExternal(es256Token(key, access, { typ })));
      expect([error.code, error.reason]).toEqual(['wrong_token_type', 'typ_header']);
    }
  });

  it('verifies against the keys of the issuer that iss names, never a key the header carries', async () => {
    const key = es256Key('k');
    const issuer = await issuerWith([key]);
    const auth = authFor(issuer);
    const attacker = es256Key('k');
    const withJwk = es256Token(attacker, claimsFor(issuer.url), {
      jwk: attacker.jwk,
      jku: `${issuer.url}/evil`,
    });
    expect((await refusal(auth.authenticateExternal(withJwk))).reason).toBe('signature');
    expect(issuer.hitsOf('/evil')).toBe(0);
  });

  it('discovery: the document must name the configured issuer exactly', async () => {
    const key = es256Key('k');
    const honest = await issuerWith([key]);
    const discovered = authFor(honest, {}, true);
    await expect(
      discovered.authenticateExternal(es256Token(key, claimsFor(honest.url))),
    ).resolves.toBeDefined();
    expect(honest.hitsOf('/.well-known/openid-configuration')).toBe(1);

    const lying = await startIssuer((request, response) => {
      if (request.url === '/.well-known/openid-configuration') {
        json(response, { issuer: 'https://someone.else', jwks_uri: `${honest.url}/jwks` });
      } else json(response, { keys: [key.jwk] });
    });
    open.push(lying);
    const error = await refusal(
      authFor(lying, {}, true).authenticateExternal(es256Token(key, claimsFor(lying.url))),
    );
    expect(error.reason).toBe('jwks_unavailable');
    expect(String((error.cause as Error).message)).toContain('names another issuer');
    expect(honest.hitsOf('/jwks')).toBe(1);
  });

  it('RS256 and PS256 with one RSA key published without alg: each bound to its algorithm', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const issuer = await startIssuer((_request, response) =>
      json(response, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'rsa' }] }),
    );
    open.push(issuer);
    const auth = authFor(issuer, { algorithms: ['RS256', 'PS256'] });
    const rs = compact({ alg: 'RS256', kid: 'rsa' }, claimsFor(issuer.url), (input) =>
      sign('sha256', input, privateKey),
    );
    const ps = compact({ alg: 'PS256', kid: 'rsa' }, claimsFor(issuer.url, { jti: 'ps' }), (input) =>
      sign('sha256', input, { key: privateKey, padding: 6, saltLength: 32 }),
    );
    await expect(auth.authenticateExternal(rs)).resolves.toBeDefined();
    await expect(auth.authenticateExternal(ps)).resolves.toBeDefined();
    const es = compact({ alg: 'ES256', kid: 'rsa' }, claimsFor(issuer.url), () => Buffer.alloc(64));
    expect((await refusal(auth.authenticateExternal(es))).reason).toBe('alg_mismatch');
  });
});

describe('the context of an external token', () => {
  it('maps subject, roles and scopes as configured; requireRoles and requireScopes read them', async () => {
    const key = es256Key('k');
    const issuer = await issuerWith([key]);
    const auth = authFor(issuer, {
      claims: {
        subject: 'oid',
        roles: (claims) => (claims.realm_access as { roles: string[] }).roles,
        scopes: 'permissions',
      },
    });
    const token = es256Token(
      key,
      claimsFor(issuer.url, {
        oid: 'user-7',
        realm_access: { roles: ['admin'] },
        permissions: ['orders:read'],
        scope: 'ignored',
      }),
    );
    const context = await auth.authenticateExternal(token);
    expectTypeOf(context).toEqualTypeOf<ExternalTokenContext>();
    expect(context).toMatchObject({ subject: 'user-7', roles: ['admin'], scopes: ['orders:read'] });
    expect(() => auth.requireRoles(context, ['admin'])).not.toThrow();
    expect(() => auth.requireScopes(context, ['orders:read'])).not.toThrow();
    expect(() => auth.requireScopes(context, ['ignored'])).toThrow(
      expect.objectContaining({ code: 'insufficient_scope' }),
    );
    // A copy is not a context: the scopes checked are the ones the instance made.
    expect(() => auth.requireScopes({ ...context, scopes: ['ignored'] }, ['ignored'])).toThrow(
      expect.objectContaining({ reason: 'not_a_context' }),
    );
  });

  it('a context cannot change the scopes or roles a later request with the same token gets (verified-token cache)', async () => {
    const key = es256Key('k');
    const issuer = await issuerWith([key]);
    const auth = authFor(issuer);
    const token = es256Token(key, claimsFor(issuer.url, { scope: 'orders:read', roles: ['viewer'] }));
    await auth.authenticateExternal(token);
    // The second check is the first from the cache, whose mapping the third one reuses.
    const cached = await auth.authenticateExternal(token);
    expect(() => (cached.scopes as string[]).push('admin')).toThrow(TypeError);
    expect(() => (cached.roles as string[]).push('admin')).toThrow(TypeError);
    const later = await auth.authenticateExternal(token);
    expect(later).toMatchObject({ scopes: ['orders:read'], roles: ['viewer'] });
    expect(() => auth.requireScopes(later, ['admin'])).toThrow(
      expect.objectContaining({ code: 'insufficient_scope' }),
    );
  });

  it('has no session: logout, logoutOthers and refresh refuse it (wrong_token_type)', async () => {
    const key = es256Key('k');
    const issuer = await issuerWith([key]);
    const auth = authFor(issuer);
    const context = await auth.authenticateExternal(es256Token(key, claimsFor(issuer.url)));
    for (const attempt of [auth.logout(context), auth.logoutOthers(context), auth.refresh(context)]) {
      expect(await refusal(attempt)).toMatchObject({ code: 'wrong_token_type', reason: 'context' });
    }
  });

  it("own contexts carry their scopes too, and say they are the instance's own (issuer undefined)", async () => {
    const auth = createAuth({ signingKey: { alg: 'HS256', key: secret } });
    open.push(auth);
    const pair = await auth.login({ subject: 'alice', claims: { scp: ['a', 'b'] } });
    const context = await auth.authenticate(pair.accessToken);
    expect(context).toMatchObject({ issuer: undefined, tokenType: 'access', scopes: ['a', 'b'] });
    expect((await refusal(auth.authenticateExternal(pair.accessToken))).reason).toBe('issuer_unknown');
  });
});

describe('metrics of external tokens', () => {
  it('counts verifications by outcome and key-set fetches per issuer, and renders them for Prometheus', async () => {
    const key = es256Key('k');
    const issuer = await issuerWith([key]);
    const auth = authFor(issuer);
    await auth.authenticateExternal(es256Token(key, claimsFor(issuer.url)));
    await refusal(auth.authenticateExternal(es256Token(key, claimsFor(issuer.url, { aud: 'other' }))));
    await refusal(auth.authenticateExternal('not-a-token'));
    const failing = await startIssuer((_request, response) => json(response, { error: 'down' }, 500));
    open.push(failing);
    const down = authFor(failing);
    await refusal(down.authenticateExternal(es256Token(key, claimsFor(failing.url))));

    const snapshot = auth.metrics();
    expect(snapshot.externalVerifications).toEqual({ ok: 1, token_invalid: 2 });
    expect(snapshot.keySetFetches).toEqual({ [issuer.url]: { ok: 1, failed: 0 } });
    // Own-token verifications are counted apart.
    expect(snapshot.verifications).toEqual({ ok: 0 });
    expect(down.metrics().keySetFetches).toEqual({ [failing.url]: { ok: 0, failed: 1 } });
    expect(down.metrics().externalVerifications).toEqual({ token_invalid: 1 });
    const text = toPrometheusText(snapshot);
    expect(text).toContain('authjwt_external_verifications_total{outcome="token_invalid"} 2');
    expect(text).toContain(`authjwt_key_set_fetches_total{issuer="${issuer.url}",result="ok"} 1`);
  });
});
