import { loadConfig, redisUrlSetting, type Env } from '@printq/shared';
import { z } from 'zod';

const MiB = 1024 * 1024;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every setting of the app, from the environment (and `NAME_FILE` secret files). */
export const appConfigSchema = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Full URL; when set it wins over REDIS_HOST/PORT (a password in it wins too). */
  REDIS_URL: redisUrlSetting,
  REDIS_HOST: z.string().default('127.0.0.1'),
  REDIS_PORT: z.coerce.number().int().min(1).max(65535).default(6379),
  REDIS_USERNAME: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  /**
   * Hard limit for accepting a job, from the request body being received to the answer:
   * past it the client gets 503 + Retry-After. Also bounds GET /api/quotes/:id.
   */
  ENQUEUE_DEADLINE_MS: ms(1000),
  /** TCP connect timeout of the producer connection; below the deadline. */
  REDIS_CONNECT_TIMEOUT_MS: ms(500),
  /** Retry-After sent with 503 answers. */
  RETRY_AFTER_SECONDS: seconds(2),
  /** How long a readiness answer (PING) is reused, so probes do not hammer Redis. */
  READINESS_CACHE_MS: ms(1000),
  /** Largest accepted upload; a 1 M-triangle binary STL is about 50 MB. */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * MiB),
  /** Lifetime of stored mesh bytes if no worker ever picks the job up. */
  MESH_TTL_SECONDS: seconds(24 * 3600),
  /**
   * Lifetime of stored mesh bytes until their job is added (then MESH_TTL_SECONDS): what a
   * failed enqueue can leave behind when Redis cannot even be reached for the cleanup.
   */
  MESH_PENDING_TTL_SECONDS: seconds(60),
  /** How long finished jobs (results and failures) stay readable by GET. */
  RESULT_TTL_SECONDS: seconds(24 * 3600),
  /** How long an Idempotency-Key is remembered. */
  IDEMPOTENCY_TTL_SECONDS: seconds(24 * 3600),
  /** Attempts per job for transient failures (bad input is never retried). */
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  /** First retry delay; doubles each attempt. */
  JOB_BACKOFF_MS: ms(1000),
  /** Time SIGTERM gives in-flight requests before the process exits anyway. */
  SHUTDOWN_GRACE_MS: ms(10_000),
});

export type AppConfig = z.output<typeof appConfigSchema>;

export function loadAppConfig(env: Env = process.env): AppConfig {
  return loadConfig(appConfigSchema, env);
}
