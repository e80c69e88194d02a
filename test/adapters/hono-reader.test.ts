import { createAuth } from 'authjwt';
import { authjwtHono } from 'authjwt/hono';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';

/*
 * The Hono reader reads headers from Node's request under @hono/node-server (the conformance suite
 * covers that); on any other runtime there is no Node request, and it must read Hono's own. Here the
 * app answers `app.request()` in process, as a test client or an edge runtime would drive it.
 */

describe('the Hono request reader without @hono/node-server', () => {
  it("reads the Authorization header and the cookie mode's Origin from Hono's request", async () => {
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: 'hono-reader-test-secret-0123456789abcdef' },
    });
    const authjwt = authjwtHono({ auth, cookies: true });
    const app = new Hono();
    app.get('/me', authjwt.requireAccess(), (c) => c.json({ subject: c.var.auth.subject }));
    app.post('/me', authjwt.requireAccess(), (c) => c.json({ subject: c.var.auth.subject }));
    const pair = await auth.login({ subject: 'alice', csrf: true });
    const byHeader = await app.request('/me', { headers: { authorization: `Bearer ${pair.accessToken}` } });
    expect([byHeader.status, await byHeader.json()]).toEqual([200, { subject: 'alice' }]);
    expect((await app.request('/me')).status).toBe(401);
    const cookie = `__Host-access=${pair.accessToken}`;
    const foreign = await app.request('http://app.example/me', {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'x-csrf-token': pair.csrfToken ?? '' },
    });
    expect(foreign.status).toBe(403);
  });
});
