import { ConfigError, createLogger } from '@printq/shared';
import { loadWorkerConfig } from './config.js';
import { portOf, startProbeServer } from './http.js';
import { createWorkerMetrics } from './metrics.js';
import { startQuoteWorker } from './runtime.js';

/** Entry point: `node dist/main.js` or `tsx --conditions=printq-source src/main.ts`. */
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const log = createLogger('printq-worker', { level: config.LOG_LEVEL });
  const quoteWorker = startQuoteWorker(config, log);
  const metrics = createWorkerMetrics(quoteWorker.worker);
  const probes = await startProbeServer({
    host: config.METRICS_HOST,
    port: config.METRICS_PORT,
    registry: metrics.registry,
    isReady: () => quoteWorker.isReady(),
  });
  log.info(
    { pid: process.pid, metricsPort: portOf(probes), concurrency: config.WORKER_CONCURRENCY },
    'worker started',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, graceMs: config.WORKER_SHUTDOWN_GRACE_MS }, 'worker draining');
    void quoteWorker.drain(config.WORKER_SHUTDOWN_GRACE_MS).then((outcome) => {
      probes.close();
      if (outcome === 'drained') {
        log.info('worker stopped');
        process.exit(0);
      }
      // Unfinished jobs were put back in the queue (drain); another worker starts them now.
      log.error({ graceMs: config.WORKER_SHUTDOWN_GRACE_MS }, 'worker drain grace exceeded');
      process.exit(1);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`printq-worker: ${error.message}`);
    process.exit(2);
  }
  console.error('printq-worker: failed to start', error);
  process.exit(1);
});
