import swagger from '@fastify/swagger';
import { createAuth } from 'authjwt';
import { authjwtFastify, openApiSecuritySchemes } from 'authjwt/fastify';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

describe('OpenAPI marking', () => {
  it('marks guarded routes with the bearer scheme and leaves open routes alone', async () => {
    const auth = createAuth({ signingKey: { alg: 'HS256', key: 'openapi-test-secret-0123456789abcdef' } });
    const app = Fastify();
    await app.register(swagger, { openapi: { components: { securitySchemes: openApiSecuritySchemes() } } });
    await app.register(authjwtFastify, { auth });
    app.get('/open', async () => 'ok');
    app.get('/private', { onRequest: app.authjwt.requireAccess() }, async () => 'ok');
    app.get('/maybe', { onRequest: [app.authjwt.optionalAccess()] }, async () => 'ok');
    app.get('/admin', { preHandler: app.authjwt.requireRoles('admin') }, async () => 'ok');
    app.get(
      '/own',
      { onRequest: app.authjwt.requireAccess(), schema: { security: [] } as object },
      async () => 'ok',
    );
    await app.ready();
    const document = app.swagger() as {
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
      paths: Record<string, { get: { security?: unknown } }>;
    };
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.paths['/open']?.get.security).toBeUndefined();
    expect(document.paths['/private']?.get.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/maybe']?.get.security).toEqual([{}, { bearerAuth: [] }]);
    expect(document.paths['/admin']?.get.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/own']?.get.security).toEqual([]);
    await app.close();
  });

  it('marks each route with its guard’s own locations in cookie mode', async () => {
    const auth = createAuth({ signingKey: { alg: 'HS256', key: 'openapi-test-secret-0123456789abcdef' } });
    const app = Fastify();
    await app.register(swagger, {
      openapi: { components: { securitySchemes: openApiSecuritySchemes({ accessCookie: '__Host-access' }) } },
    });
    await app.register(authjwtFastify, { auth, cookies: true });
    app.get('/me', { onRequest: app.authjwt.requireAccess() }, async () => 'ok');
    app.post('/refresh', { onRequest: app.authjwt.requireRefresh() }, async () => 'ok');
    app.post(
      '/cookie/refresh',
      { onRequest: app.authjwt.requireRefresh({ from: 'cookie' }) },
      async () => 'ok',
    );
    app.post('/fresh', { onRequest: app.authjwt.optionalAccess({ from: 'header' }) }, async () => 'ok');
    await app.ready();
    const paths = (app.swagger() as { paths: Record<string, Record<string, { security?: unknown }>> }).paths;
    expect(paths['/me']?.get?.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
    expect(paths['/refresh']?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(paths['/cookie/refresh']?.post?.security).toEqual([{ cookieAuth: [] }]);
    expect(paths['/fresh']?.post?.security).toEqual([{}, { bearerAuth: [] }]);
    await app.close();
  });
});
