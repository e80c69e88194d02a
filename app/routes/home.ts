import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

const publicDir = new URL('../public/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, publicDir), 'utf8');

// No inline script or style anywhere, so the policy can stay strict. `connect-src 'self'` (from
// default-src) also allows the page's WebSocket to its own host: CSP Level 3 matches ws: and wss:
// against 'self', as Chromium, Firefox and Safari do.
const contentSecurityPolicy = [
  "default-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

function send(reply: FastifyReply, type: string, body: string) {
  return reply
    .type(type)
    .header('content-security-policy', contentSecurityPolicy)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .send(body);
}

/**
 * The demo page: plain HTML, one script and one style sheet from app/public, read once at start-up.
 * No build step and no static-file plugin: four fixed files need four routes, nothing more.
 */
export function homeRoutes(): FastifyPluginAsync {
  return async (app) => {
    // The page schedules its background cookie refresh from the access token's lifetime.
    const page = read('index.html').replace('%ACCESS_TTL%', String(app.authjwt.auth.tokens.accessTtl));
    const files: Record<string, [type: string, body: string]> = {
      '/': ['text/html; charset=utf-8', page],
      '/demo.js': ['text/javascript; charset=utf-8', read('demo.js')],
      '/demo.css': ['text/css; charset=utf-8', read('demo.css')],
      '/favicon.svg': ['image/svg+xml', read('favicon.svg')],
    };
    for (const [path, [type, body]] of Object.entries(files)) {
      app.get(path, { schema: { hide: true } as object }, async (_request, reply) => send(reply, type, body));
    }
  };
}
