import type { MetricsSnapshot } from './metrics.js';

/** Renders a snapshot in the Prometheus text exposition format (version 0.0.4). */
export function toPrometheusText(snapshot: MetricsSnapshot, prefix = 'authjwt_'): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'histogram', help: string) => {
    lines.push(`# HELP ${prefix}${name} ${help}`, `# TYPE ${prefix}${name} ${type}`);
  };
  const sample = (name: string, value: number, labels: Record<string, string | number> = {}) => {
    const pairs = Object.entries(labels).map(([key, label]) => `${key}="${escapeLabel(String(label))}"`);
    lines.push(`${prefix}${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${value}`);
  };

  metric('verifications_total', 'counter', 'Access-token verifications by outcome (ok or an error code).');
  for (const [outcome, count] of Object.entries(snapshot.verifications))
    sample('verifications_total', count, { outcome });
  metric(
    'external_verifications_total',
    'counter',
    'Verifications of tokens of the external issuers by outcome (ok or an error code).',
  );
  for (const [outcome, count] of Object.entries(snapshot.externalVerifications))
    sample('external_verifications_total', count, { outcome });
  metric(
    'key_set_fetches_total',
    'counter',
    "Fetches of an external issuer's key set (discovery included) by result (ok or failed).",
  );
  for (const [issuer, counts] of Object.entries(snapshot.keySetFetches)) {
    sample('key_set_fetches_total', counts.ok, { issuer, result: 'ok' });
    sample('key_set_fetches_total', counts.failed, { issuer, result: 'failed' });
  }
  metric(
    'session_cache_requests_total',
    'counter',
    'Session checks served from the local cache (hit) or the store (miss).',
  );
  sample('session_cache_requests_total', snapshot.sessionCache.hits, { result: 'hit' });
  sample('session_cache_requests_total', snapshot.sessionCache.misses, { result: 'miss' });
  metric('store_errors_total', 'counter', 'Store calls that failed or missed their deadline.');
  sample('store_errors_total', snapshot.store.errors);
  metric('store_call_duration_seconds', 'histogram', 'Store round trips and their latency.');
  for (const [bound, count] of snapshot.store.latency.buckets)
    sample('store_call_duration_seconds_bucket', count, { le: bound });
  sample('store_call_duration_seconds_bucket', snapshot.store.latency.count, { le: '+Inf' });
  sample('store_call_duration_seconds_sum', snapshot.store.latency.sum);
  sample('store_call_duration_seconds_count', snapshot.store.latency.count);
  metric('logins_total', 'counter', 'Sessions started.');
  sample('logins_total', snapshot.logins);
  metric('refreshes_total', 'counter', 'Refresh-token rotations.');
  sample('refreshes_total', snapshot.refreshes);
  metric(
    'refresh_reuse_detected_total',
    'counter',
    'Spent refresh tokens replayed (sessions ended as stolen).',
  );
  sample('refresh_reuse_detected_total', snapshot.refreshReuseDetected);
  metric('revocations_total', 'counter', 'Revocations by kind (session: one session; user: all of a user).');
  for (const [kind, count] of Object.entries(snapshot.revocations))
    sample('revocations_total', count, { kind });
  return `${lines.join('\n')}\n`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
