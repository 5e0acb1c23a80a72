import { createLogger } from '@printq/shared';
import { loadOperatorConfig } from './config.js';
import { Operator, loadKubeConfig } from './operator.js';

/** Entry point: `npm start -w operator`. SIGTERM/SIGINT stop gracefully (Lease released). */
async function main(): Promise<void> {
  const config = loadOperatorConfig();
  const log = createLogger('printq-operator', { level: config.LOG_LEVEL });
  const operator = new Operator({ config, kubeConfig: loadKubeConfig(config.KUBECONFIG), log });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    operator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await operator.start();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
