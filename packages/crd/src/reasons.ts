/**
 * The one catalog of condition types and reasons for QueueScaler status, Events, logs and
 * metrics labels. Reasons are CamelCase, as Kubernetes requires for `Condition.reason`.
 */

export const ConditionType = {
  /** The scaler is reconciled: target found, spec valid, last decision applied. */
  Ready: 'Ready',
  /** The queue holds work above the activation threshold, so the target runs ≥ 1 replica. */
  Active: 'Active',
  /** The desired count was cut by min/max, a rate policy, stabilization or in-flight work. */
  ScalingLimited: 'ScalingLimited',
  /** The last queue read succeeded. */
  MetricAvailable: 'MetricAvailable',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const Reason = {
  // Decisions of the policy (also used as Event reasons on scale).
  /** desired = ceil(backlog / targetJobsPerReplica). */
  ScaledToBacklog: 'ScaledToBacklog',
  /** desired from arrival rate × service time + backlog drained within the target latency. */
  ScaledToLatencyTarget: 'ScaledToLatencyTarget',
  /** 0 → ≥ 1: backlog rose strictly above activationDepth. */
  Activated: 'Activated',
  /** Queue empty and nothing in flight: the scaler may go to minReplicas (possibly 0). */
  Deactivated: 'Deactivated',
  /** Backlog is at or below activationDepth while at zero replicas: stay at zero. */
  BelowActivation: 'BelowActivation',
  /** A higher recommendation inside the scale-down stabilization window is kept. */
  ScaleDownStabilized: 'ScaleDownStabilized',
  /** A lower recommendation inside the scale-up stabilization window is kept. */
  ScaleUpStabilized: 'ScaleUpStabilized',
  /** The scale-up policies allow fewer new replicas in this period. */
  ScaleUpLimited: 'ScaleUpLimited',
  /** The scale-down policies allow fewer removals in this period. */
  ScaleDownLimited: 'ScaleDownLimited',
  /** behavior.scaleUp.selectPolicy is Disabled. */
  ScaleUpDisabled: 'ScaleUpDisabled',
  /** behavior.scaleDown.selectPolicy is Disabled. */
  ScaleDownDisabled: 'ScaleDownDisabled',
  /** Raised to minReplicas. */
  TooFewReplicas: 'TooFewReplicas',
  /** Cut to maxReplicas. */
  TooManyReplicas: 'TooManyReplicas',
  /** Scale-in stopped at ceil(activeJobs / workerConcurrency) so no running job is killed. */
  InFlightProtected: 'InFlightProtected',
  /** Metric read failed: replicas held at the current count. */
  HeldOnMetricFailure: 'HeldOnMetricFailure',
  /** Metric read failed: raised to fallbackReplicas (also from 0). */
  FallbackApplied: 'FallbackApplied',
  /** spec.paused or the paused annotation: replicas are left as they are. */
  Paused: 'Paused',
  /** The computed count equals the current one. */
  DesiredWithinRange: 'DesiredWithinRange',

  // MetricAvailable.
  /** The queue was read. */
  QueueRead: 'QueueRead',
  RedisConnectionRefused: 'RedisConnectionRefused',
  RedisAuthFailed: 'RedisAuthFailed',
  RedisTimeout: 'RedisTimeout',
  RedisTlsFailed: 'RedisTlsFailed',
  /** Any other read failure; the message carries the detail. */
  QueueReadFailed: 'QueueReadFailed',
  /** No observation yet (first poll pending). */
  AwaitingFirstRead: 'AwaitingFirstRead',

  // Ready.
  Reconciled: 'Reconciled',
  TargetNotFound: 'TargetNotFound',
  SecretNotFound: 'SecretNotFound',
  SecretKeyMissing: 'SecretKeyMissing',
  InvalidSpec: 'InvalidSpec',
  ScaleFailed: 'ScaleFailed',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Every reason, for the CRD's enum and for exhaustive checks. */
export const ALL_REASONS: readonly Reason[] = Object.values(Reason);
