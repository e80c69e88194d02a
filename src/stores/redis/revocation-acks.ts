import { AuthError } from '../../errors.js';
import type { Commands } from './commands.js';

/**
 * Acknowledged revocations: after a revoking step the store waits (`WAIT`) until `replicas` replicas
 * have every write this connection made, so a failover cannot bring back a session whose end the
 * caller was told about. Not acknowledged in time: `store_unavailable` (503), and the caller knows the
 * revocation may be lost. WAIT must follow the write on the same connection (it counts that
 * connection's writes), so it is routed by the same key.
 */
export interface RevocationAcks {
  /** Resolves once enough replicas hold the revocation just written for `routingKey`'s user. */
  confirm(routingKey: string): Promise<void>;
}

const none: RevocationAcks = { confirm: async () => {} };

export function revocationAcks(commands: Commands, replicas: number, timeoutMs: number): RevocationAcks {
  if (replicas === 0) return none;
  const args = ['WAIT', String(replicas), String(timeoutMs)];
  return {
    async confirm(routingKey) {
      const acknowledged = Number(await commands.send(args, routingKey));
      if (!(acknowledged >= replicas)) {
        throw new AuthError('store_unavailable', {
          reason: 'not_acknowledged',
          message: 'The revocation was not acknowledged by enough replicas in time; it may be lost',
        });
      }
    },
  };
}
