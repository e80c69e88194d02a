/**
 * `authjwt/http`: the framework-free HTTP layer. It decides everything about a request that does not
 * depend on a framework (where the token is read per guard, CSRF and Origin, fresh and role admission,
 * sliding-renewal delivery, token cookies, refusals with their challenges, WebSocket upgrade
 * credentials), so an adapter for a framework only reads the request, runs a guard and writes the
 * answer. See the README, "An adapter for any framework".
 */
export { readBearerToken } from './bearer.js';
export { bearerChallenge, type ChallengeOptions } from './challenge.js';
export { type CookieJar, type CookieOptions, createCookieJar, type TokenCookies } from './cookies.js';
export { type CsrfOptions, type CsrfPolicy, createCsrfPolicy, type RequestOrigin } from './csrf.js';
export {
  authErrorResponse,
  type ErrorBody,
  type ErrorResponse,
  errorBody,
  storeRetryAfterSeconds,
} from './error-response.js';
export type { Admission, GuardDemand, GuardKind, HttpGuard } from './guard.js';
export {
  type CookieMode,
  createHttpAuth,
  type ExternalGuardOptions,
  type GuardOptions,
  type HttpAuth,
  type HttpAuthOptions,
  type HttpGuards,
  type Protection,
  type ProtectOptions,
  type Refusal,
} from './http-auth.js';
export { type OpenPaths, openPathTest } from './protect.js';
export { firstValue, nodeRequestReader, type RequestReader } from './request.js';
export {
  defaultTokenLocations,
  type ResolvedTokenLocations,
  resolveTokenLocations,
  type TokenLocation,
  type TokenLocations,
} from './token-locations.js';
export { readUpgradeCredentials, type UpgradeCredentials, type UpgradeSettings } from './upgrade.js';
