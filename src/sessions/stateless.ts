import { AuthConfigError, AuthError } from '../errors.js';
import type { UserState } from '../stores/port.js';
import type { TokenClaims } from '../tokens/claims.js';
import { randomId } from '../tokens/random-id.js';
import { issueTokenPair, signFreshToken } from './issue-tokens.js';
import type { SessionDependencies } from './stateful.js';
import type { SessionManager } from './types.js';

// Without session records, the refresh token carries the application claims so a refresh can
// re-issue them; they sit in one claim so they cannot shadow registered ones.
const carriedClaimsName = 'app';

/**
 * No session records: tokens are checked against a deny list of token ids (each entry expiring with
 * its token) and a per-user revoke-all epoch. Cheaper to store, weaker to operate: a logout ends the
 * tokens it is shown, and two refreshes racing with one token can both win. Stateful mode has
 * neither limit.
 */
export function createStatelessSessions({
  tokens,
  store,
  options,
  call,
  clockMs,
  events,
}: SessionDependencies): SessionManager {
  function jtiOf(claims: TokenClaims): string {
    if (typeof claims.jti !== 'string') throw new AuthError('token_invalid', { reason: 'jti_missing' });
    return claims.jti;
  }

  function refuseIfRevoked(
    claims: TokenClaims,
    state: { denied: boolean; user: UserState },
    reused = false,
  ): void {
    if (!state.user.active) throw new AuthError('user_inactive');
    if (state.denied) throw new AuthError(reused ? 'refresh_token_reused' : 'token_revoked');
    // Tokens issued in or before the second of a revoke-all are refused (see `login` for the other side).
    if (claims.iat <= state.user.epoch) throw new AuthError('token_revoked', { reason: 'epoch' });
    if (claims.iat * 1000 < options.notBeforeMs)
      throw new AuthError('token_revoked', { reason: 'not_before' });
  }

  async function activeUser(userId: string): Promise<UserState> {
    const state = await call(() => store.getTokenState(userId, randomId()));
    if (!state.user.active) throw new AuthError('user_inactive');
    return state.user;
  }

  /** A token issued in the same second as a revoke-all would be refused; wait for the next second. */
  async function afterEpoch(user: UserState): Promise<void> {
    const wait = (user.epoch + 1) * 1000 - clockMs();
    if (wait > 0 && wait <= 1000) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  function pair(
    subject: string,
    claims: Readonly<Record<string, unknown>> | undefined,
    fresh: boolean,
    csrf: boolean,
  ) {
    const now = clockMs();
    return issueTokenPair(tokens, {
      subject,
      sessionId: randomId(),
      refreshJti: randomId(),
      accessClaims: claims,
      refreshClaims: claims === undefined ? undefined : { [carriedClaimsName]: claims },
      fresh,
      csrf: csrf ? randomId() : undefined,
      sessionEndsAt: now + tokens.refreshTtl * 1000,
      nowMs: now,
    });
  }

  return {
    async login(input) {
      await afterEpoch(await activeUser(input.subject));
      events.login();
      return pair(input.subject, input.claims, input.fresh ?? true, input.csrf === true);
    },

    async refresh(claims) {
      const state = await call(() => store.getTokenState(claims.sub, jtiOf(claims)));
      refuseIfRevoked(claims, state, true);
      await call(() => store.denyToken(claims.sub, jtiOf(claims), claims.exp * 1000));
      events.refresh();
      const carried = claims[carriedClaimsName];
      const applicationClaims =
        carried !== null && typeof carried === 'object' && !Array.isArray(carried)
          ? (carried as Record<string, unknown>)
          : undefined;
      return pair(claims.sub, applicationClaims, false, claims.csrf !== undefined);
    },

    // The deny list and the epoch live in the store alone.
    checkLocally: () => undefined,

    async check(claims) {
      refuseIfRevoked(claims, await call(() => store.getTokenState(claims.sub, jtiOf(claims))));
      return undefined;
    },

    async freshAccessToken(input) {
      await afterEpoch(await activeUser(input.subject));
      const sessionId = input.sessionId ?? randomId();
      return signFreshToken(tokens, input, sessionId);
    },

    async logout(claims) {
      await call(() => store.denyToken(claims.sub, jtiOf(claims), claims.exp * 1000));
    },

    logoutAll: (userId) => call(() => store.revokeAllSessions(userId, tokens.now())),

    async logoutOthers() {
      // The epoch that ends a user's tokens would end the caller's own too: there is no session to keep.
      throw new AuthConfigError('sessions.mode', 'logoutOthers needs stateful sessions');
    },

    listSessions: async () => [],

    revokeSession: async () => false,

    setUserActive: (userId, active) => call(() => store.setUserActive(userId, active, clockMs())),
  };
}
