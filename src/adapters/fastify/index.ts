export { createAuthErrorHandler } from './error-handler.js';
export { type AuthGuard, type GuardKind, sendAuthError } from './guards.js';
export {
  defaultOpenApiNames,
  type OpenApiNames,
  openApiSecuritySchemes,
  type SecurityScheme,
} from './openapi.js';
export { type AuthjwtDecorator, type AuthjwtFastifyOptions, authjwtFastify } from './plugin.js';
export {
  readUpgradeCredentials,
  type UpgradeCredentials,
  type UpgradeCredentialsOptions,
} from './websocket.js';
