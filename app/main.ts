import { buildApp } from './build-app.js';
import { loadConfig } from './config.js';

const config = loadConfig();
const app = await buildApp(config);
const address = await app.listen({ host: config.host, port: config.port });
// The one line tools wait for: where the app listens.
console.log(`authjwt reference app listening on ${address}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
