import { isAuthError, toPrometheusText } from 'authjwt';
import type { AppContext } from '../context.js';
import type { AppRoute } from './types.js';

/** Health (with the store's state and the framework) and metrics. */
export function opsRoutes({ auth, storeKind, config }: AppContext): AppRoute[] {
  const tags = ['ops'];
  const health = { store: storeKind, framework: config.framework };
  return [
    {
      method: 'GET',
      path: '/healthz',
      schema: { tags, summary: 'Liveness, the session store state and the framework' },
      async handle() {
        try {
          await auth.checkStore();
          return { status: 200, json: { status: 'ok', ...health } };
        } catch (error) {
          if (!isAuthError(error)) throw error;
          return { status: 503, headers: { 'retry-after': '1' }, json: { status: 'unavailable', ...health } };
        }
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      schema: { tags, summary: 'Prometheus metrics' },
      handle: () => ({
        status: 200,
        text: { type: 'text/plain; version=0.0.4; charset=utf-8', body: toPrometheusText(auth.metrics()) },
      }),
    },
  ];
}
