import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { type Auth, createAuth } from 'authjwt';
import { authjwtFastify, openApiSecuritySchemes } from 'authjwt/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppConfig } from './config.js';
import { createAppErrorHandler } from './error-handler.js';
import { appLoggerOptions } from './logging.js';
import { accountRoutes } from './routes/account.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { cookieAuthRoutes } from './routes/cookie-auth.js';
import { homeRoutes } from './routes/home.js';
import { notFound } from './routes/not-found.js';
import { opsRoutes } from './routes/ops.js';
import { sessionRoutes } from './routes/sessions.js';
import { wsRoutes } from './routes/ws.js';
import { createAppStore } from './store.js';
import { createUsers } from './users/create-users.js';
import type { User, UserDirectory } from './users/directory.js';
import type { Passwords } from './users/passwords.js';

/** What the routes share. */
export interface AppContext {
  config: AppConfig;
  auth: Auth;
  users: UserDirectory;
  passwords: Passwords;
  storeKind: 'memory' | 'redis';
  startedAt: number;
}

/** Builds the reference app on the library's public API only. Listening is the caller's job. */
export async function buildApp(config: AppConfig): Promise<FastifyInstance> {
  const app = Fastify({
    // No token, CSRF value, password or session id in any line, at any level (see logging.ts).
    logger: appLoggerOptions(config.logLevel),
    // Strict bodies: no type coercion, so `{"username": 1}` is a 400, not the user "1".
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    bodyLimit: 16 * 1024,
  });
  for (const warning of config.warnings) app.log.warn(warning);

  const appStore = createAppStore(config.redis, app.log, { revocationAcks: config.revocationAcks });
  const { directory: users, passwords } = await createUsers(appStore, config);
  const auth = createAuth<User>({
    store: appStore.store,
    sessions: {
      maxSessions: config.maxSessions,
      refreshReuseGrace: config.refreshReuseGrace,
      revocation: config.revocation,
      ...(config.idleTimeout !== undefined && { idleTimeout: config.idleTimeout }),
      ...(config.sessionsNotBefore !== undefined && { notBefore: config.sessionsNotBefore }),
    },
    loginThrottle: {
      maxFailures: config.loginMaxFailures,
      window: config.loginWindow,
    },
    users: {
      load: async (id) => (await users.find(id))?.user ?? null,
      isActive: (user) => user.active,
      roles: (user) => user.roles,
    },
    signingKey: config.signingKey,
    accessTtl: config.accessTtl,
    refreshTtl: config.refreshTtl,
    freshTtl: config.freshTtl,
    ...(config.issuer !== undefined && { issuer: config.issuer }),
    ...(config.audience !== undefined && { audience: config.audience }),
  });
  const context: AppContext = {
    config,
    auth,
    users,
    passwords,
    storeKind: appStore.kind,
    startedAt: Date.now(),
  };
  app.addHook('onClose', async () => {
    await auth.close();
    await appStore.close();
  });

  app.setErrorHandler(createAppErrorHandler());
  // Fastify's own 404 logs and echoes the raw URL, query string included (`/x?access_token=...`).
  app.setNotFoundHandler((_request, reply) => notFound(reply, 'No such route'));
  await app.register(swagger, {
    openapi: {
      info: { title: 'authjwt reference app', version: '1.0.0' },
      components: { securitySchemes: openApiSecuritySchemes({ accessCookie: '__Host-access' }) },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Bearer header and cookies (header first); cookie-authenticated unsafe requests need X-CSRF-Token.
  await app.register(authjwtFastify, { auth, cookies: true });

  await app.register(authRoutes(context));
  await app.register(cookieAuthRoutes(context));
  await app.register(sessionRoutes(context));
  await app.register(accountRoutes(context));
  await app.register(adminRoutes(context));
  await app.register(opsRoutes(context));
  await app.register(homeRoutes());
  await app.register(wsRoutes(context));
  return app;
}
