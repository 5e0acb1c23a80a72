import { loadConfig, type Env } from '@printq/shared';
import { z } from 'zod';

const positiveMs = z.coerce.number().int().positive();

/**
 * Every setting of the operator, from the environment (or `NAME_FILE` mounted files).
 * Documented in the README's `.env.example` snippet.
 */
export const operatorConfigSchema = z
  .object({
    /** Port of /metrics, /healthz and /readyz. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9090),
    /** Only watch QueueScalers in this namespace; all namespaces when empty. */
    WATCH_NAMESPACE: z.string().optional(),
    /** Lease used for leader election. */
    LEASE_NAME: z.string().min(1).default('printq-operator'),
    /** Namespace of the Lease; the Pod's own namespace in-cluster. */
    LEASE_NAMESPACE: z.string().min(1).default('default'),
    /** This replica's identity in the Lease (downward API: metadata.name). */
    POD_NAME: z.string().min(1).optional(),
    LEASE_DURATION_MS: positiveMs.default(15_000),
    LEASE_RENEW_DEADLINE_MS: positiveMs.default(10_000),
    LEASE_RETRY_PERIOD_MS: positiveMs.default(2_000),
    /** Restart an informer that heard nothing for this long. */
    INFORMER_STALE_AFTER_MS: positiveMs.default(120_000),
    /** Redis connect and command timeouts for queue reads. */
    REDIS_CONNECT_TIMEOUT_MS: positiveMs.default(1_000),
    REDIS_COMMAND_TIMEOUT_MS: positiveMs.default(1_000),
    /** Path of a kubeconfig; in-cluster service account or ~/.kube/config when unset. */
    KUBECONFIG: z.string().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  })
  .refine((config) => config.LEASE_RENEW_DEADLINE_MS < config.LEASE_DURATION_MS, {
    message: 'LEASE_RENEW_DEADLINE_MS must be shorter than LEASE_DURATION_MS',
    path: ['LEASE_RENEW_DEADLINE_MS'],
  });

export type OperatorConfig = z.output<typeof operatorConfigSchema>;

export function loadOperatorConfig(env: Env = process.env): OperatorConfig {
  return loadConfig(operatorConfigSchema, env);
}
