import type { AppConfig } from './config.js';
import { buildExpressApp } from './express/app.js';
import { buildFastifyApp } from './fastify/app.js';
import { buildHonoApp } from './hono/app.js';
import type { AppServer } from './server.js';

/** The reference app built on the framework `config.framework` (`APP_FRAMEWORK`) names. */
export async function buildAppServer(config: AppConfig): Promise<AppServer> {
  switch (config.framework) {
    case 'fastify': {
      const app = await buildFastifyApp(config);
      return {
        framework: 'fastify',
        listen: (host, port) => app.listen({ host, port }),
        close: () => app.close(),
      };
    }
    case 'express':
      return buildExpressApp(config);
    case 'hono':
      return buildHonoApp(config);
  }
}
