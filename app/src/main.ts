import { ConfigError, createLogger } from '@printq/shared';
import { loadAppConfig } from './config.js';
import { buildApp } from './server.js';

/** Entry point: `node dist/main.js` or `tsx --conditions=printq-source src/main.ts`. */
async function main(): Promise<void> {
  const config = loadAppConfig();
  const log = createLogger('printq-app', { level: config.LOG_LEVEL });
  const app = await buildApp(config, log);
  // fastify logs "Server listening at …" itself; a second line of ours would only repeat it.
  await app.server.listen({ host: config.HOST, port: config.PORT });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, 'app stopping');
    const forced = setTimeout(() => {
      log.error({ graceMs: config.SHUTDOWN_GRACE_MS }, 'app shutdown grace exceeded');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS);
    forced.unref();
    app.close().then(
      () => {
        log.info('app stopped');
        process.exitCode = 0;
      },
      (err: unknown) => {
        log.error({ err }, 'app shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`printq-app: ${error.message}`);
    process.exit(2);
  }
  console.error('printq-app: failed to start', error);
  process.exit(1);
});
