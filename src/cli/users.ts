import { exitCodes } from './exit-codes.js';
import type { CommandResult } from './output.js';
import { checkUserId } from './sessions.js';
import type { OperatorStore } from './store-access.js';

/**
 * Soft delete, as `auth.deactivateUser`: the user's state and the end of all their sessions in one
 * atomic step, then the cached profile dropped; every instance hears both. Logins are refused until
 * `users activate`. The state is kept `--user-state-ttl` after this change (the application's setting).
 */
export async function setUserActive(
  store: OperatorStore,
  userId: string,
  active: boolean,
): Promise<CommandResult> {
  checkUserId(userId);
  if (active) await store.auth.activateUser(userId);
  else await store.auth.deactivateUser(userId);
  const state = active ? 'active' : 'deactivated';
  return {
    exitCode: exitCodes.ok,
    text: active
      ? `user ${JSON.stringify(userId)} is active again (sessions ended by the deactivation stay ended)`
      : `user ${JSON.stringify(userId)} is deactivated: every session ended, logins refused until activated`,
    json: { userId, state },
  };
}
