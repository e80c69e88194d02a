import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { buildApp } from './app.js';

// Without JWT_SECRET a random secret per start: tokens end with the process, as memory sessions do.
const secret = process.env.JWT_SECRET ?? randomBytes(32).toString('base64url');
const port = Number(process.env.PORT ?? 3000);
serve({ fetch: buildApp({ secret, cookies: true }).fetch, hostname: '127.0.0.1', port }, () => {
  console.log(`Hono example on http://127.0.0.1:${port}`);
});
