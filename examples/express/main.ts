import { randomBytes } from 'node:crypto';
import { buildApp } from './app.js';

// Without JWT_SECRET a random secret per start: tokens end with the process, as memory sessions do.
const secret = process.env.JWT_SECRET ?? randomBytes(32).toString('base64url');
const port = Number(process.env.PORT ?? 3000);
buildApp({ secret, cookies: true }).listen(port, '127.0.0.1', () => {
  console.log(`Express example on http://127.0.0.1:${port}`);
});
