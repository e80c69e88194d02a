import type { FastifyPluginAsync } from 'fastify';

const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>authjwt reference app</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:.1em .3em;border-radius:3px}</style></head>
<body>
<h1>authjwt reference app</h1>
<p>JWT authentication for Fastify with server-side sessions.</p>
<ul>
<li><a href="/docs">API documentation</a> (Swagger UI; use <em>Authorize</em> with a token from <code>POST /auth/login</code>)</li>
<li><a href="/.well-known/jwks.json">Public keys (JWKS)</a></li>
<li><a href="/healthz">Health</a></li>
</ul>
</body></html>`;

/** The demo page. */
export function homeRoutes(): FastifyPluginAsync {
  return async (app) => {
    app.get('/', { schema: { hide: true } as object }, async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'self'; style-src 'unsafe-inline'")
        .send(page),
    );
  };
}
