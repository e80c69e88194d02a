/*
 * The browser APIs the client uses beyond fetch, declared here as module-scoped interfaces instead of
 * through the DOM library. Why: the package is compiled as one program (tsconfig.build.json, which
 * test/package/exports.test.ts runs), and adding the DOM library to it, by a `/// <reference lib>` or
 * in the config, gives the Node code DOM globals and DOM typings that conflict with Node's (tried:
 * src/issuers/fetch.ts no longer compiles). These interfaces stay inside this folder. The client is
 * also type-checked against the real DOM library, without Node types (src/client/tsconfig.json, run
 * by `npm run typecheck`), so it uses no Node-only API.
 */

export interface LockManagerLike {
  request<T>(name: string, options: { mode: 'exclusive' }, task: () => Promise<T>): Promise<T>;
}

export interface IdbRequestLike<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}

export interface IdbOpenRequestLike extends IdbRequestLike<IdbDatabaseLike> {
  onupgradeneeded: (() => void) | null;
}

export interface IdbDatabaseLike {
  createObjectStore(name: string): unknown;
  transaction(store: string, mode?: 'readonly' | 'readwrite'): IdbTransactionLike;
}

export interface IdbTransactionLike {
  readonly error: unknown;
  objectStore(name: string): {
    get(key: string): IdbRequestLike<unknown>;
    put(value: unknown, key: string): unknown;
  };
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void;
  close(code?: number): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { readonly code: number }) => void): void;
}

export interface BroadcastChannelLike {
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

interface BrowserGlobals {
  document?: { readonly cookie: string };
  location?: { readonly href: string };
  navigator?: { readonly locks?: LockManagerLike };
  indexedDB?: { open(name: string, version: number): IdbOpenRequestLike };
  WebSocket?: { new (url: string): WebSocketLike; readonly OPEN: number };
  BroadcastChannel?: new (name: string) => BroadcastChannelLike;
}

/** The page's globals, each possibly missing (the module also loads in Node, and in old browsers). */
export const browser = globalThis as unknown as BrowserGlobals;
