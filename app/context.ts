import { type Auth, createAuth, type ExternalIssuerOptions } from 'authjwt';
import { auditLogEvents } from './audit-log.js';
import type { AppConfig, OidcConfig } from './config.js';
import type { AppLog } from './logging.js';
import { createAppStore } from './store.js';
import { createUsers } from './users/create-users.js';
import type { User, UserDirectory } from './users/directory.js';
import { externalUser } from './users/external-users.js';
import type { Passwords } from './users/passwords.js';

/** What the handlers share, whatever the framework. */
export interface AppContext {
  config: AppConfig;
  auth: Auth;
  users: UserDirectory;
  passwords: Passwords;
  storeKind: 'memory' | 'redis';
  startedAt: number;
  /** Ends the auth instance (its revocation channel), then the store and its Redis connection. */
  close(): Promise<void>;
}

/**
 * The session store, the user directory and the auth instance of the reference app, on the library's
 * public API only. Every framework's wiring starts from this; `log` is the app's logger (pino).
 */
export async function createAppContext(config: AppConfig, log: AppLog): Promise<AppContext> {
  for (const warning of config.warnings) log.warn(warning);
  const appStore = createAppStore(config.redis, log, { revocationAcks: config.revocationAcks });
  const { directory: users, passwords } = await createUsers(appStore, config);
  const auth = createAuth<User>({
    store: appStore.store,
    events: auditLogEvents(log),
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
      load: async (id) => externalUser(id) ?? (await users.find(id))?.user ?? null,
      isActive: (user) => user.active,
      roles: (user) => user.roles,
    },
    signingKey: config.signingKey,
    accessTtl: config.accessTtl,
    refreshTtl: config.refreshTtl,
    freshTtl: config.freshTtl,
    ...(config.issuer !== undefined && { issuer: config.issuer }),
    ...(config.audience !== undefined && { audience: config.audience }),
    ...(config.oidc !== undefined && { externalIssuers: [externalIssuer(config.oidc)] }),
  });
  return {
    config,
    auth,
    users,
    passwords,
    storeKind: appStore.kind,
    startedAt: Date.now(),
    async close() {
      await auth.close();
      await appStore.close();
    },
  };
}

/** The issuer of `OIDC_ISSUER`: found by discovery, any asymmetric algorithm its key set offers. */
function externalIssuer(oidc: OidcConfig): ExternalIssuerOptions {
  return {
    issuer: oidc.issuer,
    algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
    allowHttp: oidc.allowHttp,
    ...(oidc.audience !== undefined && { audience: oidc.audience }),
    ...(oidc.clientId !== undefined && { clientId: oidc.clientId }),
  };
}
