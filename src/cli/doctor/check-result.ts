/** The outcome of one check: `ok`, `warn` (works, with a risk the operator should weigh) or `fail`. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** `version`, `persistence`, `eviction`, `keyspace-events`, `pubsub-buffer`, `replication`, ... */
  readonly check: string;
  readonly status: CheckStatus;
  /** What was found and, for `warn` and `fail`, what it means for authjwt and what to change. */
  readonly message: string;
  /** The node it concerns (`host:port`), or absent for a check of the whole deployment. */
  readonly node?: string;
  readonly role?: 'master' | 'replica';
}
