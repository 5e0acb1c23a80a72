/**
 * The operator's error catalog: every failure the runtime reports carries one of these
 * reasons. Status conditions, Events, logs and the `printq_scaler_errors_total{reason}`
 * metric all use the same strings, so a user can grep one word across all of them.
 */
export const ErrorReason = {
  /** The Secret named by the QueueScaler does not exist or lacks the named key. */
  SecretNotFound: 'SecretNotFound',
  SecretKeyMissing: 'SecretKeyMissing',
  /** Redis rejected the credentials (WRONGPASS, NOAUTH, invalid username-password). */
  RedisAuthFailed: 'RedisAuthFailed',
  /** Nothing listens at the Redis address (ECONNREFUSED). */
  RedisConnectionRefused: 'RedisConnectionRefused',
  /** The Redis host name does not resolve (ENOTFOUND, EAI_AGAIN). */
  RedisHostNotFound: 'RedisHostNotFound',
  /** Connecting or a command took longer than the configured timeout. */
  RedisTimeout: 'RedisTimeout',
  /** TLS handshake failed: untrusted certificate, wrong host name, TLS to a plain port. */
  RedisTLSError: 'RedisTLSError',
  /** The queue key holds another Redis type than the queue kind expects. */
  QueueKeyWrongType: 'QueueKeyWrongType',
  /** Any other Redis failure. */
  RedisError: 'RedisError',
  /** The target Deployment (or its scale subresource) does not exist. */
  TargetNotFound: 'TargetNotFound',
  /** The apiserver refused or failed a request. */
  KubernetesApiError: 'KubernetesApiError',
} as const;

export type ErrorReason = (typeof ErrorReason)[keyof typeof ErrorReason];

/**
 * A failure with a catalog reason. `transient` failures are retried on the next poll
 * without user action; permanent ones need a change to the QueueScaler, its Secret or Redis.
 */
export class OperatorError extends Error {
  override readonly name: string = 'OperatorError';
  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Reading the queue depth failed; the scaler holds replicas (or uses its fallback). */
export class MetricError extends OperatorError {
  override readonly name = 'MetricError';
}

/** A Kubernetes request failed. */
export class KubeError extends OperatorError {
  override readonly name = 'KubeError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
