import type { Auth } from '../auth.js';
import { createAuth } from '../auth.js';
import type { HttpAuthOptions } from '../http/http-auth.js';
import type { ExternalIssuerOptions } from '../issuers/options.js';
import { memoryStore } from '../stores/memory.js';
import type { SessionStore } from '../stores/port.js';
import { idleConformanceIssuer, startConformanceIssuer } from './conformance-issuer.js';
import { openConformanceSocket } from './conformance-socket.js';
import type { ContractTestApi } from './contract-helpers.js';

/**
 * The routes an app under the conformance suite serves, each behind its adapter's guard of that name,
 * each answering 200 with the JSON `{ "subject": <the context's subject, or null> }`:
 *
 * | route | guard |
 * | --- | --- |
 * | `GET` and `POST /access` | `requireAccess()` |
 * | `GET /optional` | `optionalAccess()` |
 * | `POST /refresh` | `requireRefresh()` |
 * | `GET /fresh` | `requireFresh()` |
 * | `GET /admin` | `requireRoles('admin')` |
 * | `GET /cookie-only` | `requireAccess({ from: 'cookie' })` |
 * | `GET /scopes` | `requireScopes('read:items', 'write:items')` |
 * | `GET /claims` | `requireClaims((claims) => claims.tenant === 'acme')` |
 * | `GET /external` | `requireExternal({ scopes: ['read:items'] })` |
 *
 * The auth instance the suite gives has `externalIssuers` configured (a loopback issuer of its own
 * where the check needs one), so `requireExternal` can be built; and `GET /ws`, a WebSocket accepted through `createSocketSessions(options.auth)` (`authjwt/ws`) with
 * the adapter's upgrade credentials, sending `{ "type": "hello", "subject": <the context's subject> }`
 * once authenticated. `close()` also ends the app's sockets.
 */
export type ConformanceApp = (options: HttpAuthOptions) => Promise<{ url: string; close(): Promise<void> }>;

const secret = 'adapter-conformance-secret-0123456789abcdef';

/**
 * Registers the adapter conformance suite: over real HTTP, every guard, both token locations, CSRF
 * and Origin, refusal bodies and headers, sliding renewal in a header and in a cookie, 503 when the
 * store cannot answer, and WebSockets authenticated at the upgrade that close (4401) within a second
 * of their session's end. An adapter conforms when the whole suite passes; `build` starts an app of
 * your framework with your adapter, configured with the options given, serving the routes of
 * {@link ConformanceApp}.
 */
export function runAdapterConformance(name: string, build: ConformanceApp, api: ContractTestApi): void {
  const { describe, it, expect } = api;

  /** Runs `body` against a fresh app on `auth` (cookie mode on), and closes it. */
  async function withApp(
    auth: Auth,
    body: (url: string) => Promise<void>,
    extra: Partial<HttpAuthOptions> = {},
  ): Promise<void> {
    const app = await build({ auth, cookies: true, ...extra });
    try {
      await body(app.url);
    } finally {
      await app.close();
    }
  }
  const newAuth = (
    store: SessionStore = memoryStore(),
    renew = false,
    issuer: ExternalIssuerOptions = idleConformanceIssuer,
  ) =>
    createAuth({
      signingKey: { alg: 'HS256', key: secret },
      store,
      externalIssuers: [issuer],
      ...(renew && { renewAccessTokenWithin: 900 }),
    });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const cookieHeader = (setCookies: readonly string[]) =>
    setCookies.map((cookie) => cookie.split(';')[0]).join('; ');
  async function answer(response: Response) {
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  describe(`adapter conformance: ${name}`, () => {
    it('refuses a request without a token: 401 token_missing, the Bearer challenge, no-store, the contract body', async () => {
      await withApp(newAuth(), async (url) => {
        const { status, headers, body } = await answer(await fetch(`${url}/access`));
        expect(status).toBe(401);
        expect(headers.get('www-authenticate')).toBe('Bearer');
        expect(headers.get('cache-control')).toBe('no-store');
        expect(body).toEqual({
          statusCode: 401,
          code: 'token_missing',
          error: 'Unauthorized',
          message: body.message,
        });
      });
    });

    it('admits a bearer access token and refuses a forged one with the invalid_token challenge', async () => {
      const auth = newAuth();
      const pair = await auth.login({ subject: 'alice' });
      await withApp(auth, async (url) => {
        const ok = await answer(await fetch(`${url}/access`, { headers: bearer(pair.accessToken) }));
        expect(ok.status).toBe(200);
        expect(ok.body).toEqual({ subject: 'alice' });
        const forged = await answer(
          await fetch(`${url}/access`, { headers: bearer(`${pair.accessToken}x`) }),
        );
        expect(forged.status).toBe(401);
        expect(forged.body.code).toBe('token_invalid');
        expect(forged.headers.get('www-authenticate')?.includes('error="invalid_token"')).toBe(true);
      });
    });

    it('optional: no token gives a null context; a bad token is still refused', async () => {
      await withApp(newAuth(), async (url) => {
        expect((await answer(await fetch(`${url}/optional`))).body).toEqual({ subject: null });
        expect((await fetch(`${url}/optional`, { headers: bearer('not.a.token') })).status).toBe(401);
      });
    });

    it('refresh: takes the refresh token from the header only, never an access token or a cookie', async () => {
      const auth = newAuth();
      const pair = await auth.login({ subject: 'alice', csrf: true });
      await withApp(auth, async (url) => {
        const post = (headers: Record<string, string>) =>
          fetch(`${url}/refresh`, { method: 'POST', headers });
        expect((await answer(await post(bearer(pair.refreshToken)))).body).toEqual({ subject: 'alice' });
        expect((await post(bearer(pair.accessToken))).status).toBe(401);
        const cookie = cookieHeader(cookieValues(pair));
        const fromCookie = await answer(await post({ cookie, 'x-csrf-token': pair.csrfToken ?? '' }));
        expect(fromCookie.status).toBe(401);
        expect(fromCookie.body.code).toBe('token_missing');
      });
    });

    it('fresh and roles: 401 fresh_token_required for a refreshed token, 403 insufficient_role without the role', async () => {
      const auth = newAuth();
      const login = await auth.login({ subject: 'alice', claims: { roles: ['user'] } });
      const refreshed = await auth.refresh(login.refreshToken);
      const admin = await auth.login({ subject: 'root', claims: { roles: ['admin'] } });
      await withApp(auth, async (url) => {
        expect((await fetch(`${url}/fresh`, { headers: bearer(login.accessToken) })).status).toBe(200);
        const stale = await answer(await fetch(`${url}/fresh`, { headers: bearer(refreshed.accessToken) }));
        expect([stale.status, stale.body.code]).toEqual([401, 'fresh_token_required']);
        const user = await answer(await fetch(`${url}/admin`, { headers: bearer(login.accessToken) }));
        expect([user.status, user.body.code]).toEqual([403, 'insufficient_role']);
        expect((await fetch(`${url}/admin`, { headers: bearer(admin.accessToken) })).status).toBe(200);
      });
    });

    it('cookies: read on safe methods; unsafe ones need the CSRF header and an allowed Origin', async () => {
      const auth = newAuth();
      const pair = await auth.login({ subject: 'alice', csrf: true });
      const cookie = cookieHeader(cookieValues(pair));
      await withApp(auth, async (url) => {
        expect((await answer(await fetch(`${url}/access`, { headers: { cookie } }))).body).toEqual({
          subject: 'alice',
        });
        const post = (headers: Record<string, string>) =>
          fetch(`${url}/access`, { method: 'POST', headers: { cookie, ...headers } });
        const noCsrf = await answer(await post({ origin: url }));
        expect([noCsrf.status, noCsrf.body.code]).toEqual([403, 'csrf_failed']);
        const csrf = pair.csrfToken ?? '';
        expect((await post({ origin: 'https://evil.example', 'x-csrf-token': csrf })).status).toBe(403);
        expect((await post({ origin: url, 'x-csrf-token': csrf })).status).toBe(200);
        // A header-only token never needs CSRF: no cross-site page can set it.
        const headerPost = await fetch(`${url}/access`, {
          method: 'POST',
          headers: bearer(pair.accessToken),
        });
        expect(headerPost.status).toBe(200);
      });
    });

    it('scopes: every required scope, from `scope` or `scp`, else 403 insufficient_scope with its challenge', async () => {
      const auth = newAuth();
      const both = await auth.login({ subject: 'alice', claims: { scope: 'read:items write:items' } });
      const asArray = await auth.login({ subject: 'bob', claims: { scp: ['write:items', 'read:items'] } });
      const readOnly = await auth.login({ subject: 'carol', claims: { scope: 'read:items' } });
      await withApp(auth, async (url) => {
        expect((await fetch(`${url}/scopes`, { headers: bearer(both.accessToken) })).status).toBe(200);
        expect((await fetch(`${url}/scopes`, { headers: bearer(asArray.accessToken) })).status).toBe(200);
        const refused = await answer(await fetch(`${url}/scopes`, { headers: bearer(readOnly.accessToken) }));
        expect([refused.status, refused.body.code]).toEqual([403, 'insufficient_scope']);
        expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
      });
    });

    it('claims: a predicate of the verified claims admits or refuses (403 insufficient_role)', async () => {
      const auth = newAuth();
      const member = await auth.login({ subject: 'alice', claims: { tenant: 'acme' } });
      const stranger = await auth.login({ subject: 'mallory', claims: { tenant: 'other' } });
      await withApp(auth, async (url) => {
        expect((await fetch(`${url}/claims`, { headers: bearer(member.accessToken) })).status).toBe(200);
        const refused = await answer(await fetch(`${url}/claims`, { headers: bearer(stranger.accessToken) }));
        expect([refused.status, refused.body.code]).toEqual([403, 'insufficient_role']);
      });
    });

    it("external: another issuer's token with the scope passes requireExternal; without it 403, an own token 401, and requireAccess refuses the other issuer's (401)", async () => {
      const issuer = await startConformanceIssuer();
      try {
        const auth = newAuth(memoryStore(), false, issuer.options);
        const own = await auth.login({ subject: 'alice' });
        const external = issuer.token('read:items');
        await withApp(auth, async (url) => {
          const admitted = await answer(await fetch(`${url}/external`, { headers: bearer(external) }));
          expect([admitted.status, admitted.body]).toEqual([200, { subject: 'partner-service' }]);
          const noScope = await answer(
            await fetch(`${url}/external`, { headers: bearer(issuer.token('write:items')) }),
          );
          expect([noScope.status, noScope.body.code]).toEqual([403, 'insufficient_scope']);
          const ownToken = await answer(await fetch(`${url}/external`, { headers: bearer(own.accessToken) }));
          expect([ownToken.status, ownToken.body.code]).toEqual([401, 'token_invalid']);
          const onAccess = await answer(await fetch(`${url}/access`, { headers: bearer(external) }));
          expect([onAccess.status, onAccess.body.code]).toEqual([401, 'token_invalid']);
        });
      } finally {
        await issuer.close();
      }
    });

    it("the application's own refusal body: status and challenge stay the contract's", async () => {
      const seen: string[] = [];
      const refusalBody = (error: { code: string }, body: { message: string }) => {
        seen.push(error.code);
        return { problem: error.code, detail: body.message };
      };
      await withApp(
        newAuth(),
        async (url) => {
          const refused = await answer(await fetch(`${url}/access`));
          expect(refused.status).toBe(401);
          expect(refused.headers.get('www-authenticate')).toBe('Bearer');
          expect(refused.body).toEqual({ problem: 'token_missing', detail: 'No token was sent' });
          expect(seen).toEqual(['token_missing']);
        },
        { refusalBody },
      );
    });

    it('a cookie-only guard never reads the header', async () => {
      const auth = newAuth();
      const pair = await auth.login({ subject: 'alice' });
      await withApp(auth, async (url) => {
        const refused = await answer(
          await fetch(`${url}/cookie-only`, { headers: bearer(pair.accessToken) }),
        );
        expect([refused.status, refused.body.code]).toEqual([401, 'token_missing']);
      });
    });

    it('sliding renewal: a new access token in the renewal header, or in the access cookie for a cookie request', async () => {
      const auth = newAuth(memoryStore(), true);
      const pair = await auth.login({ subject: 'alice', csrf: true });
      await withApp(auth, async (url) => {
        const byHeader = await fetch(`${url}/access`, { headers: bearer(pair.accessToken) });
        expect(byHeader.headers.get('x-renewed-access-token')?.split('.').length).toBe(3);
        await byHeader.arrayBuffer();
        const byCookie = await fetch(`${url}/access`, {
          headers: { cookie: cookieHeader(cookieValues(pair)) },
        });
        const renewed = byCookie.headers.getSetCookie().filter((line) => line.startsWith('__Host-access='));
        expect(renewed.length).toBe(1);
        // A browser-session cookie: it must not outlive the browser of a session without "remember me".
        expect(/max-age|expires/i.test(renewed[0] ?? '')).toBe(false);
        expect(byCookie.headers.get('x-renewed-access-token')).toBe(null);
        await byCookie.arrayBuffer();
      });
    });

    it('a store that cannot answer: 503 store_unavailable with Retry-After, never a pass or a 500', async () => {
      const store = memoryStore();
      let down = false;
      const flaky = new Proxy(store, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (property !== 'getSessionState' || typeof value !== 'function') {
            return typeof value === 'function' ? value.bind(target) : value;
          }
          return (...args: unknown[]) =>
            down ? Promise.reject(new Error('store down')) : value.apply(target, args);
        },
      });
      const auth = newAuth(flaky);
      const pair = await auth.login({ subject: 'alice' });
      down = true;
      await withApp(auth, async (url) => {
        const refused = await answer(await fetch(`${url}/access`, { headers: bearer(pair.accessToken) }));
        expect([refused.status, refused.body.code]).toEqual([503, 'store_unavailable']);
        expect(refused.headers.get('retry-after')).toBe('1');
      });
    });
    it("WebSocket: a cookie upgrade from the app's origin is greeted, and closed with 4401 within a second of the logout", async () => {
      const auth = newAuth();
      const pair = await auth.login({ subject: 'alice', csrf: true });
      await withApp(auth, async (url) => {
        const socket = await openConformanceSocket(`${url.replace(/^http/, 'ws')}/ws`, {
          cookie: cookieHeader(cookieValues(pair)),
          origin: url,
        });
        expect(await socket.firstMessage).toEqual({ type: 'hello', subject: 'alice' });
        await auth.logout(pair.accessToken);
        const loggedOutAt = performance.now();
        const closed = await socket.closed;
        expect(closed.code).toBe(4401);
        expect(closed.at - loggedOutAt < 1000).toBe(true);
      });
    });

    it('WebSocket: a bearer upgrade is greeted; a forged token, or a cookie from a foreign origin, is closed with 4401', async () => {
      const auth = newAuth();
      const pair = await auth.login({ subject: 'bob', csrf: true });
      await withApp(auth, async (url) => {
        const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
        const byHeader = await openConformanceSocket(wsUrl, bearer(pair.accessToken));
        expect(await byHeader.firstMessage).toEqual({ type: 'hello', subject: 'bob' });
        const forged = await openConformanceSocket(wsUrl, bearer(`${pair.accessToken}x`));
        expect((await forged.closed).code).toBe(4401);
        const foreign = await openConformanceSocket(wsUrl, {
          cookie: cookieHeader(cookieValues(pair)),
          origin: 'https://evil.example',
        });
        expect((await foreign.closed).code).toBe(4401);
      });
    });
  });

  /** The `Set-Cookie` values cookie mode sets for a pair, as the app's own login would. */
  function cookieValues(pair: { accessToken: string; refreshToken: string; csrfToken?: string }): string[] {
    const names = { access: '__Host-access', refresh: '__Host-refresh', csrf: '__Host-csrf' };
    return [
      `${names.access}=${pair.accessToken}`,
      `${names.refresh}=${pair.refreshToken}`,
      ...(pair.csrfToken === undefined ? [] : [`${names.csrf}=${pair.csrfToken}`]),
    ];
  }
}
