import { browser } from './browser.js';

/**
 * What the tabs of one origin share to act as one client: an exclusive lock (Web Locks), under which
 * exactly one tab at a time may renew the credentials, and a BroadcastChannel on which the winner
 * tells the others the result, and any tab tells the others the user has logged out.
 */

export interface HeaderTokens {
  accessToken: string;
  refreshToken: string;
}

export type TabMessage =
  | {
      type: 'session';
      generation: number;
      renewAt: number | null;
      expiresAt: number | null;
      /** Header mode only: the tokens themselves, handed from tab to tab, never stored. */
      tokens?: HeaderTokens;
    }
  | { type: 'logged-out'; generation: number; reason: string }
  /** A tab that has just opened (header mode) asks the others for the current tokens. */
  | { type: 'sync-request' };

export interface Tabs {
  /** Runs `task` while holding the lock every tab of this origin and name contends for. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  post(message: TabMessage): void;
  close(): void;
}

export function joinTabs(name: string, onMessage: (message: TabMessage) => void): Tabs {
  const channel = browser.BroadcastChannel === undefined ? undefined : new browser.BroadcastChannel(name);
  // Only tabs of this origin share the channel, and they run this same code.
  if (channel !== undefined) channel.onmessage = (event) => onMessage(event.data as TabMessage);
  const locks = browser.navigator?.locks;
  // Without Web Locks (an insecure context, an old browser) this tab still never runs two renewals
  // at once; other tabs may then renew too, each learning of the others' results by broadcast.
  let queue: Promise<unknown> = Promise.resolve();
  const lockName = `${name}:refresh`;
  return {
    exclusive<T>(task: () => Promise<T>): Promise<T> {
      // The lock is released when the task's promise settles; its result is the request's result.
      if (locks !== undefined) return locks.request(lockName, { mode: 'exclusive' }, task) as Promise<T>;
      const run = queue.then(task, task);
      queue = run.catch(() => undefined);
      return run;
    },
    post(message) {
      channel?.postMessage(message);
    },
    close() {
      channel?.close();
    },
  };
}
