import { setTimeout as sleep } from 'node:timers/promises';
import { QUOTE_QUEUE, redisOptionsFromConfig, type Logger } from '@printq/shared';
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { WorkerConfig } from './config.js';
import { createProcessor } from './processor.js';

/** How long a readiness PING may take. */
const READINESS_PING_TIMEOUT_MS = 1000;

export type DrainOutcome = 'drained' | 'grace-exceeded';

export interface QuoteWorker {
  worker: Worker;
  /** Stops taking jobs and waits for in-flight ones, at most `graceMs`. */
  drain(graceMs: number): Promise<DrainOutcome>;
  isReady(): Promise<boolean>;
}

/**
 * The BullMQ worker with the settings of config.ts. Its connections wait for Redis
 * forever (`maxRetriesPerRequest: null`, as BullMQ requires for workers): a worker has no
 * client waiting on it, so it rides out an outage and resumes by itself.
 */
export function startQuoteWorker(config: WorkerConfig, log: Logger): QuoteWorker {
  const meshes = new Redis({
    ...redisOptions(config),
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 2,
  });
  const outage = new OutageLog(log);
  meshes.on('error', (err) => outage.error(err));
  meshes.on('ready', () => outage.recovered());
  const inFlight = new InFlightJobs(createProcessor({ meshes, log }));
  const worker = new Worker(QUOTE_QUEUE, inFlight.processor, {
    connection: { ...redisOptions(config), maxRetriesPerRequest: null } as ConnectionOptions,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_DURATION_MS,
    stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
  });
  worker.on('error', (err) => {
    if (isConnectionError(err)) outage.error(err);
    else log.warn({ err }, 'worker error');
  });
  worker.on('stalled', (jobId) => log.info({ jobId }, 'stalled job returned to the queue'));

  let closing = false;
  return {
    worker,
    async drain(graceMs) {
      closing = true;
      const closed = worker.close().then(() => 'drained' as const);
      const expired = sleep(graceMs, 'grace-exceeded' as const, { ref: false });
      const outcome = await Promise.race([closed, expired]);
      if (outcome === 'grace-exceeded') await inFlight.returnToQueue(log);
      meshes.disconnect();
      return outcome;
    },
    async isReady() {
      if (closing || !worker.isRunning()) return false;
      const timeout = sleep(READINESS_PING_TIMEOUT_MS, false, { ref: false });
      const pong = meshes.ping().then(
        (reply) => reply === 'PONG',
        () => false,
      );
      return Promise.race([pong, timeout]);
    },
  };
}

/** How long returning unfinished jobs to the queue may take at the end of a drain. */
const REQUEUE_TIMEOUT_MS = 2000;

/**
 * The jobs this process is running, with their lock tokens. When a drain runs out of grace,
 * each is moved from active back to the front of the wait list, releasing its lock, so
 * another worker starts it at once: left locked, it would come back only after lock
 * expiry plus a stalled check (~lockDuration + stalledInterval), and count toward
 * maxStalledCount. A late finish of the abandoned run is refused by BullMQ (lock gone).
 */
class InFlightJobs {
  private readonly running = new Map<string, { job: Job; token: string }>();

  constructor(private readonly run: (job: Job) => Promise<unknown>) {}

  readonly processor = async (job: Job, token?: string): Promise<unknown> => {
    const id = job.id ?? '';
    if (token) this.running.set(id, { job, token });
    try {
      return await this.run(job);
    } finally {
      this.running.delete(id);
    }
  };

  async returnToQueue(log: Logger): Promise<void> {
    const moves = [...this.running.values()].map(async ({ job, token }) => {
      try {
        await job.moveToWait(token);
        log.info({ jobId: job.id }, 'unfinished job returned to the queue');
      } catch (err) {
        log.warn({ jobId: job.id, err }, 'unfinished job left to stall recovery');
      }
    });
    await Promise.race([Promise.all(moves), sleep(REQUEUE_TIMEOUT_MS, undefined, { ref: false })]);
  }
}

function isConnectionError(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' || /Connection is closed|connect ETIMEDOUT/i.test(err.message);
}

/**
 * While Redis is away every reconnect attempt raises an error (several a second). The first
 * one of an outage is a warning, with the error code only; the rest are debug, until the
 * connection is ready again.
 */
class OutageLog {
  private down = false;

  constructor(private readonly log: Logger) {}

  error(err: Error): void {
    const code = (err as NodeJS.ErrnoException).code ?? err.name;
    if (this.down) {
      this.log.debug({ code, message: err.message }, 'redis still unavailable');
      return;
    }
    this.down = true;
    this.log.warn({ code, message: err.message }, 'redis unavailable; retrying');
  }

  recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.log.info('redis available again');
  }
}

function redisOptions(config: WorkerConfig): RedisOptions {
  return { ...redisOptionsFromConfig(config), connectionName: 'printq-worker' };
}
