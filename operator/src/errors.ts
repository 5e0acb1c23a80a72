import { Reason } from '@printq/crd';

/**
 * The runtime's failures, named with reasons from the one catalog in `@printq/crd`:
 * status conditions, Events, logs and `printq_scaler_errors_total{reason}` all carry the
 * same word. The detail (host not found, wrong key type, …) lives in the message.
 */
export const ErrorReason = {
  SecretNotFound: Reason.SecretNotFound,
  SecretKeyMissing: Reason.SecretKeyMissing,
  /** Redis rejected the credentials (WRONGPASS, NOAUTH). */
  RedisAuthFailed: Reason.RedisAuthFailed,
  /** Nothing listens at the Redis address (ECONNREFUSED). */
  RedisConnectionRefused: Reason.RedisConnectionRefused,
  /** Connecting or a command took longer than the configured timeout. */
  RedisTimeout: Reason.RedisTimeout,
  /** TLS handshake failed: untrusted certificate, wrong host name. */
  RedisTlsFailed: Reason.RedisTlsFailed,
  /** Any other read failure: unknown host, wrong key type, connection reset, … */
  QueueReadFailed: Reason.QueueReadFailed,
  /** The target Deployment (or its scale subresource) does not exist. */
  TargetNotFound: Reason.TargetNotFound,
  /** The apiserver refused or failed a scale or status request. */
  ScaleFailed: Reason.ScaleFailed,
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
