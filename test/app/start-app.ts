import { type Framework, frameworks, loadConfig } from '../../app/config.js';
import { buildAppServer } from '../../app/start.js';
import { waitFor } from '../helpers/redis-server.js';

export { type Framework, frameworks };

export interface RunningApp {
  url: string;
  framework: Framework;
  close(): Promise<void>;
}

/**
 * Starts the reference app in this process on a free loopback port, configured like `npm start`; on
 * the framework `env.APP_FRAMEWORK` names, else the one of the test run's own `APP_FRAMEWORK`
 * (`APP_FRAMEWORK=hono npx vitest run test/ws` runs those suites on Hono), else Fastify.
 */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const framework = process.env.APP_FRAMEWORK;
  const app = await buildAppServer(
    loadConfig({
      LOG_LEVEL: 'silent',
      ...(framework !== undefined && { APP_FRAMEWORK: framework }),
      ...env,
      HOST: '127.0.0.1',
      PORT: '0',
    }),
  );
  const url = await app.listen('127.0.0.1', 0);
  return { url, framework: app.framework, close: () => app.close() };
}

/**
 * `count` instances of the reference app with the same environment (one service when they share a
 * Redis), started at once and returned once each answers /healthz (its store is reachable).
 */
export async function startInstances(env: Record<string, string>, count = 2): Promise<RunningApp[]> {
  const apps = await Promise.all(Array.from({ length: count }, () => startApp(env)));
  for (const app of apps) await waitUntilHealthy(app.url);
  return apps;
}
/** Waits until /healthz answers 200: the app listens and its store answers. */
export async function waitUntilHealthy(base: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(async () => (await call(base, 'GET', '/healthz')).status === 200, timeoutMs);
}

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are checked field by field.
  body: any;
}

/** A JSON request over real HTTP. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(options.body !== undefined && {
      body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}
