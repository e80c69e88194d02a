import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../build-app.js';

/** Health and the OpenAPI document. */
export function opsRoutes(_context: AppContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', { schema: { tags: ['ops'], summary: 'Liveness and the store state' } }, async () => ({
      status: 'ok',
      // No session store yet: tokens are checked statelessly.
      store: 'none',
    }));
    app.get('/openapi.json', { schema: { hide: true } as object }, async () => app.swagger());
  };
}
