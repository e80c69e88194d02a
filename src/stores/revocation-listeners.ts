import type { RevocationEvent } from './port.js';

/** What a `subscribe()` listener receives. */
export type RevocationSignal = RevocationEvent | 'down' | 'up';

interface Subscription {
  readonly listener: (signal: RevocationSignal) => void;
}

/**
 * The local side of a store's revocation channel: the listeners of one store and whether the channel
 * is up. Each delivery runs in its own microtask, so a listener never runs inside the store step that
 * caused it, and one that throws neither breaks the store nor starves the others (its error becomes a
 * process warning). A listener added while the channel is up hears `'up'` first; one added while it
 * is down hears `'up'` once the channel is established, and must not trust any cache before that.
 */
export class RevocationListeners {
  readonly #subscriptions = new Set<Subscription>();
  #up: boolean;

  constructor(up: boolean) {
    this.#up = up;
  }

  get size(): number {
    return this.#subscriptions.size;
  }

  get up(): boolean {
    return this.#up;
  }

  add(listener: (signal: RevocationSignal) => void): () => void {
    // One object per call, so subscribing the same function twice gives two independent subscriptions.
    const subscription: Subscription = { listener };
    this.#subscriptions.add(subscription);
    if (this.#up) this.#deliver(subscription, 'up');
    return () => {
      this.#subscriptions.delete(subscription);
    };
  }

  /** Records the channel's state and tells every listener when it changes. */
  setUp(up: boolean): void {
    if (this.#up === up) return;
    this.#up = up;
    this.emit(up ? 'up' : 'down');
  }

  emit(signal: RevocationSignal): void {
    for (const subscription of this.#subscriptions) this.#deliver(subscription, signal);
  }

  clear(): void {
    this.#subscriptions.clear();
  }

  #deliver(subscription: Subscription, signal: RevocationSignal): void {
    queueMicrotask(() => {
      // Unsubscribed between the emit and this microtask: it asked for no more events.
      if (!this.#subscriptions.has(subscription)) return;
      try {
        subscription.listener(signal);
      } catch (error) {
        process.emitWarning(error instanceof Error ? error : new Error(String(error)), {
          type: 'AuthjwtListenerError',
        });
      }
    });
  }
}
