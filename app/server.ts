import type { Framework } from './config.js';

/** The reference app on one framework, built and ready to listen. */
export interface AppServer {
  readonly framework: Framework;
  /** Listens on `host` and `port` (0: any free port); resolves with the app's URL. */
  listen(host: string, port: number): Promise<string>;
  /**
   * Stops listening, closes the WebSockets (1001) and idle connections, lets requests in flight
   * finish, then closes the auth instance and the store.
   */
  close(): Promise<void>;
}
