import { AuthConfigError, AuthError } from '../errors.js';
import { type Duration, parseDuration } from '../internal/duration.js';
import type { LoginAttempt, LoginAttemptLimits, SessionStore } from '../stores/port.js';

/** How many failed logins an account and a client may make in a window before refusals. */
export interface LoginThrottleOptions {
  /** Failed logins per account from one client within the window. Default 10. */
  maxFailures?: number;
  /** Failed logins per client, whatever the account, within the window. Default ten times `maxFailures`. */
  maxFailuresPerClient?: number;
  /** Default 15 minutes. */
  window?: Duration;
}

export interface LoginThrottle {
  /**
   * Runs the application's credential check for one login attempt and returns what it found. Refuses
   * with 429 `too_many_attempts` (and a `retryAfter`) before running it while the account at this
   * client, or the client, is over its limit; a check that finds nothing (`null`/`undefined`) is a
   * failed attempt, refused as `invalid_credentials`; a success clears the account's failures here.
   */
  check<User>(attempt: LoginAttempt, verify: () => Promise<User | null | undefined>): Promise<User>;
}

type Call = <T>(operation: () => Promise<T>) => Promise<T>;

export function createLoginThrottle(
  options: LoginThrottleOptions,
  store: SessionStore,
  call: Call,
): LoginThrottle {
  const maxPerAccount = options.maxFailures ?? 10;
  checkCount('loginThrottle.maxFailures', maxPerAccount);
  const maxPerClient = options.maxFailuresPerClient ?? maxPerAccount * 10;
  checkCount('loginThrottle.maxFailuresPerClient', maxPerClient);
  if (maxPerClient < maxPerAccount) {
    throw new AuthConfigError('loginThrottle.maxFailuresPerClient', 'must be at least maxFailures');
  }
  const windowMs = parseDuration('loginThrottle.window', options.window ?? '15m', { max: 86_400 }) * 1000;
  const limits: LoginAttemptLimits = { maxPerAccount, maxPerClient, windowMs };

  return {
    async check(attempt, verify) {
      if (typeof attempt?.account !== 'string' || typeof attempt.client !== 'string') {
        throw new TypeError('authjwt: a login attempt needs { account, client } strings');
      }
      // Counted before the check, so a burst of concurrent guesses cannot all pass a limit of 10.
      const counted = await call(() => store.countLoginAttempt(attempt, limits));
      if (!counted.allowed) {
        throw new AuthError('too_many_attempts', { retryAfter: Math.ceil(counted.retryAfterMs / 1000) });
      }
      const user = await verify();
      if (user === null || user === undefined) throw new AuthError('invalid_credentials');
      await call(() => store.forgetLoginAttempt(attempt));
      return user;
    },
  };
}

function checkCount(option: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > 1_000_000) {
    throw new AuthConfigError(option, 'must be a whole number from 1 to 1000000');
  }
}
