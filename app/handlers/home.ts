import { readFileSync } from 'node:fs';
import type { AppContext } from '../context.js';
import { clientScript } from './client-script.js';
import type { AppRoute } from './types.js';

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

const pageHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * The demo page: plain HTML, one script and one style sheet from app/public, read once at start-up.
 * No static-file middleware: five fixed files need five routes, nothing more. The fifth, /client.js,
 * is the browser client (authjwt/client) bundled from src/client at start-up.
 */
export function homeRoutes(_context: AppContext): AppRoute[] {
  const files: [path: string, type: string, body: string][] = [
    ['/', 'text/html; charset=utf-8', read('index.html')],
    ['/demo.js', 'text/javascript; charset=utf-8', read('demo.js')],
    ['/client.js', 'text/javascript; charset=utf-8', clientScript()],
    ['/demo.css', 'text/css; charset=utf-8', read('demo.css')],
    ['/favicon.svg', 'image/svg+xml', read('favicon.svg')],
  ];
  return files.map(([path, type, body]) => ({
    method: 'GET',
    path,
    schema: { hide: true },
    handle: () => ({ status: 200, text: { type, body }, headers: pageHeaders }),
  }));
}
