import { isAuthError, toPrometheusText } from 'authjwt';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../build-app.js';

/** Health and the OpenAPI document. */
export function opsRoutes({ auth, storeKind }: AppContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      { schema: { tags: ['ops'], summary: 'Liveness and the session store state' } },
      async (_request, reply) => {
        try {
          await auth.checkStore();
          return { status: 'ok', store: storeKind };
        } catch (error) {
          if (!isAuthError(error)) throw error;
          return reply.code(503).header('retry-after', '1').send({ status: 'unavailable', store: storeKind });
        }
      },
    );
    app.get(
      '/metrics',
      { schema: { tags: ['ops'], summary: 'Prometheus metrics' } },
      async (_request, reply) =>
        reply.type('text/plain; version=0.0.4; charset=utf-8').send(toPrometheusText(auth.metrics())),
    );
    app.get('/openapi.json', { schema: { hide: true } as object }, async () => app.swagger());
  };
}
