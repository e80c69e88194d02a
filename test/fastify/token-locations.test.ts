import { AuthConfigError, createAuth } from 'authjwt';
import { type AuthGuard, type AuthjwtDecorator, authjwtFastify, type GuardOptions } from 'authjwt/fastify';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';

/*
 * Each guard reads only the locations it was given (`from`), with secure defaults: access-type guards
 * the header then the cookie (cookie mode), `requireRefresh()` the header only. Driven through
 * Fastify's inject() for every guard and location.
 */

const secret = 'token-locations-test-secret-0123456789';

let current: FastifyInstance | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function makeApp(cookies: boolean) {
  const auth = createAuth({ signingKey: { alg: 'HS256', key: secret } });
  const app = Fastify();
  current = app;
  await app.register(authjwtFastify, { auth, realm: 'test', cookies, jwksPath: false });
  return { app, auth };
}

type Factory = 'requireAccess' | 'optionalAccess' | 'requireRefresh' | 'requireFresh' | 'requireRoles';
const factories: Factory[] = [
  'requireAccess',
  'optionalAccess',
  'requireRefresh',
  'requireFresh',
  'requireRoles',
];

function guardOf(authjwt: AuthjwtDecorator, factory: Factory, options?: GuardOptions): AuthGuard {
  if (factory === 'requireRoles')
    return options === undefined ? authjwt.requireRoles('user') : authjwt.requireRoles('user', options);
  return authjwt[factory](options);
}

const froms: { label: string; options: GuardOptions | undefined }[] = [
  { label: 'default', options: undefined },
  { label: 'header', options: { from: 'header' } },
  { label: 'cookie', options: { from: 'cookie' } },
  { label: 'both', options: { from: ['header', 'cookie'] } },
  { label: 'both-reversed', options: { from: ['cookie', 'header'] } },
];

/** What each guard reads: the `from` it was given, or its default. */
function reads(factory: Factory, label: string): { header: boolean; cookie: boolean } {
  if (label === 'default') return { header: true, cookie: factory !== 'requireRefresh' };
  return { header: label !== 'cookie', cookie: label !== 'header' };
}

describe('guard token locations (cookie mode)', () => {
  it('reads only the guard’s own locations, for every guard and location', async () => {
    const { app, auth } = await makeApp(true);
    for (const factory of factories) {
      for (const { label, options } of froms) {
        app.get(
          `/${factory}/${label}`,
          { onRequest: guardOf(app.authjwt, factory, options) },
          async (request) => ({
            sub: request.auth?.subject ?? null,
          }),
        );
      }
    }
    await app.ready();
    // Two users, so the answer shows which location was read.
    const byHeader = await auth.login({ subject: 'header-user', claims: { roles: ['user'] } });
    const byCookie = await auth.login({ subject: 'cookie-user', claims: { roles: ['user'] }, csrf: true });

    for (const factory of factories) {
      const refresh = factory === 'requireRefresh';
      const header = { authorization: `Bearer ${refresh ? byHeader.refreshToken : byHeader.accessToken}` };
      const cookie = {
        cookie: refresh ? `__Host-refresh=${byCookie.refreshToken}` : `__Host-access=${byCookie.accessToken}`,
      };
      const requests = { none: {}, header, cookie, both: { ...header, ...cookie } };
      for (const { label } of froms) {
        const where = reads(factory, label);
        for (const [sent, headers] of Object.entries(requests)) {
          const response = await app.inject({ url: `/${factory}/${label}`, headers });
          const winner =
            (sent === 'header' || sent === 'both') && where.header
              ? 'header-user'
              : (sent === 'cookie' || sent === 'both') && where.cookie
                ? 'cookie-user'
                : undefined;
          const context = `${factory} from ${label}, sent ${sent}`;
          if (winner !== undefined || factory === 'optionalAccess') {
            expect(response.statusCode, context).toBe(200);
            expect(response.json(), context).toEqual({ sub: winner ?? null });
          } else {
            expect(response.statusCode, context).toBe(401);
            expect(response.json().code, context).toBe('token_missing');
            // RFC 6750 section 3.1: no error parameter when no usable token was sent.
            expect(response.headers['www-authenticate'], context).toBe('Bearer realm="test"');
          }
        }
      }
    }
  });

  it('a header-only guard answers 401 token_missing to a request carrying only our cookies', async () => {
    const { app, auth } = await makeApp(true);
    app.post('/refresh', { onRequest: app.authjwt.requireRefresh() }, async (request) =>
      auth.refresh(request.auth),
    );
    const pair = await auth.login({ subject: 'alice', csrf: true });
    const response = await app.inject({
      method: 'POST',
      url: '/refresh',
      headers: {
        cookie: `__Host-access=${pair.accessToken}; __Host-refresh=${pair.refreshToken}; __Host-csrf=${pair.csrfToken}`,
        'x-csrf-token': pair.csrfToken as string,
      },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('token_missing');
    expect(response.body).not.toContain(pair.refreshToken);
    expect(response.body).not.toContain('accessToken');
  });

  it('a cookie-only guard ignores the Authorization header, even a malformed one, and still checks CSRF', async () => {
    const { app, auth } = await makeApp(true);
    app.post(
      '/cookie-logout',
      { onRequest: app.authjwt.requireAccess({ from: 'cookie' }) },
      async (request) => ({
        sub: request.auth?.subject,
      }),
    );
    app.post('/header', { onRequest: app.authjwt.requireAccess({ from: 'header' }) }, async () => ({
      ok: true,
    }));
    const pair = await auth.login({ subject: 'alice', csrf: true });
    const cookie = `__Host-access=${pair.accessToken}`;
    const csrf = pair.csrfToken as string;
    const ok = await app.inject({
      method: 'POST',
      url: '/cookie-logout',
      headers: { cookie, 'x-csrf-token': csrf, authorization: 'Bearer two tokens' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ sub: 'alice' });
    const noCsrf = await app.inject({ method: 'POST', url: '/cookie-logout', headers: { cookie } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().code).toBe('csrf_failed');
    // The header guard parses its header: malformed is token_invalid, and a header token needs no CSRF.
    const malformed = await app.inject({
      method: 'POST',
      url: '/header',
      headers: { authorization: 'Bearer a b' },
    });
    expect(malformed.json().code).toBe('token_invalid');
    const bearer = await app.inject({
      method: 'POST',
      url: '/header',
      headers: { authorization: `Bearer ${pair.accessToken}` },
    });
    expect(bearer.statusCode).toBe(200);
  });

  it('makes one guard per distinct demand: the same options give the same guard', async () => {
    const { app } = await makeApp(true);
    const { authjwt } = app;
    expect(authjwt.requireAccess()).toBe(authjwt.requireAccess({ from: ['cookie', 'header'] }));
    expect(authjwt.requireAccess({ from: 'header' })).toBe(authjwt.requireAccess({ from: ['header'] }));
    expect(authjwt.requireAccess({ from: 'header' })).not.toBe(authjwt.requireAccess());
    expect(authjwt.requireRefresh()).toBe(authjwt.requireRefresh({ from: 'header' }));
    expect(authjwt.requireRefresh({ from: 'cookie' })).not.toBe(authjwt.requireRefresh());
    expect(authjwt.requireRoles('admin')).toBe(authjwt.requireRoles('admin', { from: ['header', 'cookie'] }));
    expect(authjwt.requireRoles('admin', { from: 'cookie' })).not.toBe(authjwt.requireRoles('admin'));
    expect(authjwt.requireRoles('admin')).not.toBe(authjwt.requireRoles('staff'));
  });

  it('refuses an unknown, empty or mistyped location at construction (AuthConfigError naming the option)', async () => {
    const { app } = await makeApp(true);
    const { authjwt } = app;
    const attempts: [() => unknown, RegExp][] = [
      [() => authjwt.requireAccess({ from: 'query' as never }), /requireAccess\.from.*"query"/],
      [() => authjwt.optionalAccess({ from: [] }), /optionalAccess\.from/],
      [() => authjwt.requireRefresh({ from: ['header', 'body' as never] }), /requireRefresh\.from/],
      [() => authjwt.requireFresh({ from: 42 as never }), /requireFresh\.from.*number/],
      [() => authjwt.requireRoles('admin', { from: 'url' as never }), /requireRoles\.from/],
      [() => authjwt.requireAccess('cookie' as never), /requireAccess/],
      [() => authjwt.requireAccess(null as never), /requireAccess/],
    ];
    for (const [attempt, message] of attempts) {
      expect(attempt).toThrow(AuthConfigError);
      expect(attempt).toThrow(message);
    }
  });

  it('decides at once from a cached cookie or header token (done called, no promise), per location', async () => {
    const { app, auth } = await makeApp(true);
    const pair = await auth.login({ subject: 'alice', csrf: true });
    const call = (guard: AuthGuard, headers: Record<string, string>) => {
      const request = { headers, method: 'GET' } as unknown as FastifyRequest;
      let done = false;
      const returned = guard(request, {} as FastifyReply, () => {
        done = true;
      });
      return { request, returned, done };
    };
    const cases: [AuthGuard, Record<string, string>][] = [
      [app.authjwt.requireAccess({ from: 'cookie' }), { cookie: `__Host-access=${pair.accessToken}` }],
      [app.authjwt.requireAccess({ from: 'header' }), { authorization: `Bearer ${pair.accessToken}` }],
    ];
    for (const [guard, headers] of cases) {
      await call(guard, headers).returned; // cold: through the store
      const warm = call(guard, headers);
      expect(warm.returned).toBeUndefined();
      expect(warm.done).toBe(true);
      expect(warm.request.auth?.subject).toBe('alice');
    }
  });
});

describe('guard token locations (header mode)', () => {
  it('reads the header only by default and refuses `cookie` at construction', async () => {
    const { app, auth } = await makeApp(false);
    app.get('/me', { onRequest: app.authjwt.requireAccess() }, async (request) => ({
      sub: request.auth?.subject,
    }));
    const pair = await auth.login({ subject: 'alice' });
    const cookieOnly = await app.inject({
      url: '/me',
      headers: { cookie: `__Host-access=${pair.accessToken}` },
    });
    expect(cookieOnly.json().code).toBe('token_missing');
    expect(
      (await app.inject({ url: '/me', headers: { authorization: `Bearer ${pair.accessToken}` } })).statusCode,
    ).toBe(200);
    for (const attempt of [
      () => app.authjwt.requireAccess({ from: 'cookie' }),
      () => app.authjwt.requireRefresh({ from: ['header', 'cookie'] }),
      () => app.authjwt.requireRoles('admin', { from: 'cookie' }),
    ]) {
      expect(attempt).toThrow(AuthConfigError);
      expect(attempt).toThrow(/cookie mode/);
    }
    expect(app.authjwt.requireAccess({ from: 'header' })).toBe(app.authjwt.requireAccess());
  });
});
