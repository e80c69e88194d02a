import { randomBytes } from 'node:crypto';
import { buildApp } from './app.js';

// Without JWT_SECRET a random secret per start: tokens end with the process, as memory sessions do.
const secret = process.env.JWT_SECRET ?? randomBytes(32).toString('base64url');
const app = await buildApp({ secret, cookies: true });
const port = Number(process.env.PORT ?? 3000);
await app.listen({ host: '127.0.0.1', port });
console.log(`Fastify example on http://127.0.0.1:${port} (Swagger UI at /docs)`);
