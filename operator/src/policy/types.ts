import type { QueueScalerSpec, Reason } from '@printq/crd';

/** A successful read of the queue. */
export interface QueueObservation {
  ok: true;
  /** When the read completed (virtual or wall clock, same base as `nowMs`). */
  atMs: number;
  /** Jobs waiting for a worker: BullMQ wait + prioritized (+ paused), or LLEN. */
  backlog: number;
  /** Jobs a worker holds right now (BullMQ active); 0 for list queues. */
  active: number;
  /**
   * Monotonic count of jobs ever added (BullMQ `<prefix>:<queue>:id`). Gives the arrival
   * rate; without it the arrival rate is a lower bound from growth of backlog + active.
   */
  addedTotal?: number;
}

/** A failed read; `reason` comes from the catalog (RedisAuthFailed, RedisTimeout, …). */
export interface FailedObservation {
  ok: false;
  atMs: number;
  reason: Reason;
  message: string;
}

export type Observation = QueueObservation | FailedObservation;

export interface TimedValue {
  atMs: number;
  replicas: number;
}

export interface ScaleEvent {
  atMs: number;
  /** Positive for scale-up, negative for scale-down. */
  change: number;
}

/** Exponentially weighted rates measured from consecutive observations. */
export interface RateEstimates {
  /** Jobs added per second. */
  arrivalPerSecond?: number;
  /** Jobs finished (or otherwise removed) per second. */
  completionPerSecond?: number;
  /** Average jobs in flight, the numerator of Little's law. */
  activeJobs?: number;
  /** Seconds one job takes = busy slot-seconds / completions, once enough were seen. */
  serviceTimeSeconds?: number;
  /** Decayed sum of jobs-in-flight × seconds (Little's law numerator). */
  busySlotSeconds?: number;
  /** Decayed count of completed jobs (Little's law denominator). */
  completedJobs?: number;
}

/** Everything the policy remembers between decisions. Plain data: safe to clone and log. */
export interface PolicyState {
  /** Unclamped recommendations inside the longest stabilization window. */
  recommendations: TimedValue[];
  /** Scale changes inside the longest rate-policy period. */
  scaleEvents: ScaleEvent[];
  rates: RateEstimates;
  /** Last successful observation, for rate deltas. */
  previous?: { atMs: number; backlog: number; active: number; addedTotal?: number };
  /**
   * Activation with hysteresis: becomes true when backlog > activationDepth, false only when
   * the queue is empty and nothing is in flight. Unknown until the first observation.
   */
  activated?: boolean;
  consecutiveFailures: number;
}

export interface PolicyInput {
  /** The spec with defaults applied (`withDefaults` from @printq/crd for hand-made specs). */
  spec: QueueScalerSpec;
  /** The target's `spec.replicas` now. */
  currentReplicas: number;
  observation: Observation;
  state: PolicyState;
  nowMs: number;
  /** Paused by annotation; `spec.paused` counts too. */
  paused?: boolean;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface PolicyCondition {
  status: ConditionStatus;
  reason: Reason;
  message: string;
}

export interface PolicyDecision {
  desiredReplicas: number;
  /** Why `desiredReplicas` is this number (the last rule that shaped it). */
  reason: Reason;
  message: string;
  /** Whether the runtime should patch the target (desired differs from current). */
  scale: boolean;
  conditions: {
    Active: PolicyCondition;
    ScalingLimited: PolicyCondition;
    MetricAvailable: PolicyCondition;
  };
  /** Measured rates, for status and metrics. */
  estimates: RateEstimates;
  /** State for the next call, assuming the caller applied `desiredReplicas`. */
  state: PolicyState;
  /** State for the next call when the patch failed (no scale event recorded). */
  stateIfNotApplied: PolicyState;
}
