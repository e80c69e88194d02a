export { readBearerToken } from './bearer.js';
export { bearerChallenge, type ChallengeOptions } from './challenge.js';
export {
  authErrorResponse,
  type ErrorBody,
  type ErrorResponse,
  errorBody,
  storeRetryAfterSeconds,
} from './error-response.js';
