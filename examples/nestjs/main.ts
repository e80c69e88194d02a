import { randomBytes } from 'node:crypto';
import { buildApp } from './app.js';

// Without JWT_SECRET a random secret per start: tokens end with the process, as memory sessions do.
const secret = process.env.JWT_SECRET ?? randomBytes(32).toString('base64url');
const platform = process.env.NEST_PLATFORM === 'fastify' ? 'fastify' : 'express';
const app = await buildApp({ secret, cookies: true, platform });
app.enableShutdownHooks(); // Ctrl-C runs app.close(), which closes the sessions' store
const port = Number(process.env.PORT ?? 3000);
await app.listen(port, '127.0.0.1');
console.log(`NestJS example (${platform}) on http://127.0.0.1:${port}`);
