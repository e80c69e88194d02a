export { readBearerToken } from './bearer.js';
export { bearerChallenge, type ChallengeOptions } from './challenge.js';
export {
  authErrorResponse,
  type ErrorBody,
  type ErrorResponse,
  errorBody,
  storeRetryAfterSeconds,
} from './error-response.js';
export {
  defaultTokenLocations,
  type ResolvedTokenLocations,
  resolveTokenLocations,
  type TokenLocation,
  type TokenLocations,
} from './token-locations.js';
