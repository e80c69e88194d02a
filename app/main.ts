import { loadConfig } from './config.js';
import { buildAppServer } from './start.js';

const config = loadConfig();
const app = await buildAppServer(config);
const address = await app.listen(config.host, config.port);
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
