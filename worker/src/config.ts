import { loadConfig, redisUrlSetting, type Env } from '@printq/shared';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Every setting of the worker, from the environment (and `NAME_FILE` secret files).
 *
 * Stalled-job recovery: a worker renews its job locks every LOCK_DURATION_MS / 2, so only a
 * dead or frozen worker loses them. A killed worker's jobs are back in the queue at most
 * LOCK_DURATION_MS + STALLED_INTERVAL_MS later and another worker finishes them. The
 * longest synchronous step (a 1 M-triangle quote, ~0.3 s) is far below the lock duration,
 * so live workers never look stalled. MAX_STALLED_COUNT 2 lets a job survive two crashes of
 * its worker (say a node drain followed by an OOM kill) yet stops a job that crashes every
 * worker that touches it.
 */
export const workerConfigSchema = z.object({
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  REDIS_URL: redisUrlSetting,
  REDIS_HOST: z.string().default('127.0.0.1'),
  REDIS_PORT: z.coerce.number().int().min(1).max(65535).default(6379),
  REDIS_USERNAME: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  /** Jobs processed at once by this process. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(2),
  WORKER_LOCK_DURATION_MS: ms(30_000),
  WORKER_STALLED_INTERVAL_MS: ms(15_000),
  WORKER_MAX_STALLED_COUNT: z.coerce.number().int().min(0).max(10).default(2),
  /** Time SIGTERM gives in-flight jobs; keep it below the pod's terminationGracePeriod. */
  WORKER_SHUTDOWN_GRACE_MS: ms(25_000),
  /** Timeout of the mesh reads; a slower Redis counts as a transient failure. */
  REDIS_COMMAND_TIMEOUT_MS: ms(10_000),
  /** Port of /healthz, /readyz and /metrics. 0 picks a free port. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  METRICS_HOST: z.string().default('0.0.0.0'),
});

export type WorkerConfig = z.output<typeof workerConfigSchema>;

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  return loadConfig(workerConfigSchema, env);
}
