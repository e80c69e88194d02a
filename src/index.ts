export {
  type Auth,
  type AuthContext,
  type AuthenticateOptions,
  type AuthOptions,
  createAuth,
  type ExternalTokenContext,
  type Operations,
  type OwnTokenContext,
  type RequestChecks,
  type SessionControl,
  type SignIn,
  type UserControl,
} from './auth.js';
export {
  AuthConfigError,
  AuthError,
  type AuthErrorCode,
  type AuthErrorReason,
  isAuthError,
  statusForCode,
} from './errors.js';
export type { Duration } from './internal/duration.js';
export type { ExternalIdentity } from './issuers/external-tokens.js';
export type { ExternalUser, IdTokenLoginInput } from './issuers/id-token-login.js';
export type { ExternalClaimMapping, ExternalIssuerOptions, JwksOptions } from './issuers/options.js';
export type { MetricEvent, MetricName, MetricsOptions, MetricsSnapshot } from './metrics/metrics.js';
export { toPrometheusText } from './metrics/prometheus.js';
export type { Register, RegisteredUser } from './register.js';
export type {
  AuthEvent,
  AuthEvents,
  LoginEvent,
  RefreshEvent,
  RequestDevice,
  ReuseDetectedEvent,
  RevokeEvent,
  RevokeReason,
  SessionExpiredEvent,
} from './sessions/events.js';
export type { LoginThrottleOptions } from './sessions/login-throttle.js';
export type { SessionOptions, UserOptions } from './sessions/options.js';
export type { FreshToken, FreshTokenInput, LoginInput, SessionView, TokenPair } from './sessions/types.js';
export { type MemoryStoreOptions, memoryStore } from './stores/memory.js';
export type {
  CreateSessionOptions,
  CreateSessionResult,
  LoginAttempt,
  LoginAttemptLimits,
  LoginAttemptResult,
  RevocationEvent,
  RotateRefreshInput,
  RotateRefreshResult,
  SessionEndReason,
  SessionRecord,
  SessionState,
  SessionStore,
  SessionUpdate,
  UserChangeReason,
  UserState,
} from './stores/port.js';
export { type Algorithm, algorithms } from './tokens/algorithms.js';
export {
  type RegisteredClaims,
  reservedClaimNames,
  type TokenClaims,
  type TokenType,
} from './tokens/claims.js';
export type { ExternalClaims } from './tokens/external-claims.js';
export type { VerifiedHeader } from './tokens/jws.js';
export type { KeyRingOptions } from './tokens/key-ring.js';
export type { KeyInput } from './tokens/keys.js';
export { scopesOf } from './tokens/scopes.js';
export {
  createTokenService,
  type IssuedToken,
  type SignAccessTokenInput,
  type SignTokenInput,
  type TokenOptions,
  type TokenService,
} from './tokens/token-service.js';
