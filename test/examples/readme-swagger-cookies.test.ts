import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createAuth } from 'authjwt';
import { authjwtFastify, openApiSecuritySchemes } from 'authjwt/fastify';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

/*
 * Issue 13, point 7: the README's Swagger setup, `openApiSecuritySchemes()` with cookie mode on. The
 * plugin marks cookie-reading routes with the cookie scheme, which @fastify/swagger looks up in the
 * document's components for every route it renders: a scheme it cannot find made /docs/json a 500.
 */

type Document = {
  components: { securitySchemes: Record<string, Record<string, string>> };
  paths: Record<string, Record<string, { security?: unknown }>>;
};

async function docsApp(schemes: ReturnType<typeof openApiSecuritySchemes>, cookies: boolean) {
  const auth = createAuth({
    signingKey: { alg: 'HS256', key: 'readme-swagger-test-secret-0123456789abcdef' },
  });
  const app = Fastify();
  await app.register(swagger, { openapi: { components: { securitySchemes: schemes } } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authjwtFastify, { auth, cookies });
  app.get('/me', { onRequest: app.authjwt.requireAccess() }, async () => 'ok');
  app.post('/auth/refresh', { onRequest: app.authjwt.requireRefresh() }, async () => 'ok');
  if (cookies) {
    const onRequest = app.authjwt.requireRefresh({ from: 'cookie' });
    app.post('/auth/cookie/refresh', { onRequest }, async () => 'ok');
  }
  return app;
}

describe('Swagger with cookie mode, as the README sets it up', () => {
  it('serves /docs/json: every scheme a guarded route names is in the document', async () => {
    const app = await docsApp(openApiSecuritySchemes(), true);
    const response = await app.inject('/docs/json');
    expect(response.statusCode).toBe(200);
    const document = response.json() as Document;
    expect(document.components.securitySchemes.cookieAuth).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: '__Host-access',
    });
    expect(document.paths['/me']?.get?.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
    expect(document.paths['/auth/refresh']?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/auth/cookie/refresh']?.post?.security).toEqual([{ cookieAuth: [] }]);
    expect((await app.inject('/docs/yaml')).statusCode).toBe(200);
    await app.close();
  });

  it('leaves the cookie scheme out on request, for an API without cookies', async () => {
    const app = await docsApp(openApiSecuritySchemes({ accessCookie: false }), false);
    const document = (await app.inject('/docs/json')).json() as Document;
    expect(Object.keys(document.components.securitySchemes)).toEqual(['bearerAuth']);
    expect(document.paths['/me']?.get?.security).toEqual([{ bearerAuth: [] }]);
    await app.close();
  });
});
