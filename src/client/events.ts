/** Why and where the session ended, as every tab is told. */
export interface LoggedOutEvent {
  /** `logout` (this client's logout()), the refusal's code (`token_revoked`, `refresh_token_reused`, ...), or the reason given to markLoggedOut(). */
  reason: string;
  /** True when another tab saw it happen and told this one. */
  elsewhere: boolean;
}

export interface AuthClientEvents {
  /** The session is over: every tab gets this at once. */
  'logged-out': LoggedOutEvent;
  /** A login, in this tab or another. */
  'logged-in': { elsewhere: boolean };
  /** New credentials, renewed by this tab or another (open sockets reconnect with them). */
  renewed: { elsewhere: boolean };
}

export type Listener<E extends keyof AuthClientEvents> = (event: AuthClientEvents[E]) => void;

/** A tiny typed emitter: a listener that throws never stops the others, nor the client. */
export function createEmitter() {
  const listeners = new Map<keyof AuthClientEvents, Set<(event: never) => void>>();
  return {
    on<E extends keyof AuthClientEvents>(event: E, listener: Listener<E>): () => void {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    emit<E extends keyof AuthClientEvents>(event: E, detail: AuthClientEvents[E]): void {
      for (const listener of [...(listeners.get(event) ?? [])]) {
        try {
          (listener as Listener<E>)(detail);
        } catch (error) {
          queueMicrotask(() => {
            throw error; // reported like any uncaught error, without breaking the client
          });
        }
      }
    },
  };
}
