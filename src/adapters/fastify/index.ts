export type { TokenLocation, TokenLocations } from '../../http/token-locations.js';
export { createAuthErrorHandler } from './error-handler.js';
export { type AuthGuard, type GuardKind, sendAuthError } from './guards.js';
export {
  defaultOpenApiNames,
  type OpenApiNames,
  openApiSecuritySchemes,
  type SecurityScheme,
} from './openapi.js';
export {
  type AuthjwtDecorator,
  type AuthjwtFastifyOptions,
  authjwtFastify,
  type ExternalGuardOptions,
  type GuardOptions,
} from './plugin.js';
export {
  readUpgradeCredentials,
  type UpgradeCredentials,
  type UpgradeCredentialsOptions,
} from './websocket.js';
