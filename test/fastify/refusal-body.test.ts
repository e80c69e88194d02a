import { AuthError, createAuth } from 'authjwt';
import { authjwtFastify, createAuthErrorHandler } from 'authjwt/fastify';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

/*
 * Issue 13, point 2: refusals customisable by the application in every adapter. On Fastify a guard's
 * refusal goes through the plugin's layer; an AuthError a route throws reaches the error handler,
 * which must give it the same body.
 */

describe('Fastify: the application refusal body for AuthErrors routes throw', () => {
  it('createAuthErrorHandler answers through the plugin layer: own body, the contract status and challenge', async () => {
    const auth = createAuth({
      signingKey: { alg: 'HS256', key: 'refusal-body-test-secret-0123456789abcdef' },
    });
    const app = Fastify();
    app.setErrorHandler(createAuthErrorHandler());
    await app.register(authjwtFastify, {
      auth,
      refusalBody: (error, body) => ({ problem: error.code, detail: body.message }),
    });
    app.get('/thrown', async () => {
      throw new AuthError('insufficient_role');
    });
    app.get('/guarded', { onRequest: app.authjwt.requireAccess() }, async () => ({}));
    const thrown = await app.inject({ url: '/thrown' });
    expect(thrown.statusCode).toBe(403);
    expect(thrown.headers['www-authenticate']).toBe('Bearer error="insufficient_scope"');
    expect(thrown.json()).toEqual({ problem: 'insufficient_role', detail: expect.any(String) });
    const guarded = await app.inject({ url: '/guarded' });
    expect([guarded.statusCode, guarded.json()]).toEqual([
      401,
      { problem: 'token_missing', detail: 'No token was sent' },
    ]);
    await app.close();
  });
});
