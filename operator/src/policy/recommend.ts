import { Reason } from '@printq/crd';
import type { QueueScalerSpec } from '@printq/crd';
import type { QueueObservation, RateEstimates } from './types.js';

/** Absorbs float noise so 20.000000001 slots do not become 21 replicas. */
const CEIL_EPSILON = 1e-9;

export function ceilReplicas(value: number): number {
  return Math.max(0, Math.ceil(value - CEIL_EPSILON));
}

export interface Recommendation {
  replicas: number;
  reason: Reason;
  message: string;
}

/** The replicas the queue asks for, before activation, windows, limits and bounds. */
export function recommendFromQueue(
  spec: QueueScalerSpec,
  obs: QueueObservation,
  rates: RateEstimates,
): Recommendation {
  if (spec.targetJobsPerReplica !== undefined) {
    const replicas = ceilReplicas(obs.backlog / spec.targetJobsPerReplica);
    return {
      replicas,
      reason: Reason.ScaledToBacklog,
      message: `backlog ${obs.backlog} / ${spec.targetJobsPerReplica} jobs per replica`,
    };
  }
  return recommendForLatency(spec, obs, rates);
}

/**
 * Latency mode. Busy worker slots needed = arrival rate × service time (keeps up with new
 * work, Little's law) + backlog × service time / target latency (drains what waits within
 * the target). A replica offers `workerConcurrency` slots, so replicas = slots / concurrency;
 * this assumes a job takes the same time whatever the concurrency, which holds for I/O-bound
 * jobs and is why the measured service time (not the hint) should drive CPU-bound ones.
 * With neither a measurement nor a hint, a job is assumed to take the target latency.
 */
function recommendForLatency(
  spec: QueueScalerSpec,
  obs: QueueObservation,
  rates: RateEstimates,
): Recommendation {
  const targetSeconds = spec.targetLatencySeconds ?? 1;
  const serviceSeconds = rates.serviceTimeSeconds ?? spec.serviceTimeSeconds ?? targetSeconds;
  const arrival = rates.arrivalPerSecond ?? 0;
  const slots = arrival * serviceSeconds + (obs.backlog * serviceSeconds) / targetSeconds;
  const replicas = ceilReplicas(slots / spec.workerConcurrency);
  return {
    replicas,
    reason: Reason.ScaledToLatencyTarget,
    message:
      `arrivals ${round(arrival)}/s × ${round(serviceSeconds)} s + backlog ${obs.backlog} ` +
      `drained in ${targetSeconds} s = ${round(slots)} slots / ${spec.workerConcurrency}`,
  };
}

/**
 * KEDA's activation with hysteresis (KEDA #2314 flapped at the edge). At zero replicas the
 * scaler activates when backlog is strictly above activationDepth. While replicas run, any
 * work keeps it active — jobs waiting, in flight, or added since the last poll (a job that
 * came and went between two polls still counts) — so it deactivates only once the queue is
 * idle, and a backlog hovering at the threshold cannot toggle replicas between 0 and 1.
 */
export function nextActivation(
  previous: boolean | undefined,
  spec: QueueScalerSpec,
  obs: QueueObservation,
  currentReplicas: number,
  addedSincePrevious: number,
): boolean {
  const above = obs.backlog > spec.activationDepth;
  const idle = obs.backlog === 0 && obs.active === 0 && addedSincePrevious === 0;
  return above || (!idle && (previous === true || currentReplicas > 0));
}

/** Applies activation to a queue recommendation: 0 at rest, at least 1 while active. */
export function activate(
  recommendation: Recommendation,
  activated: boolean,
  spec: QueueScalerSpec,
  obs: QueueObservation,
): Recommendation {
  if (!activated) {
    const reason = obs.backlog > 0 ? Reason.BelowActivation : Reason.Deactivated;
    const message =
      obs.backlog > 0
        ? `backlog ${obs.backlog} not above activationDepth ${spec.activationDepth}`
        : 'queue empty and no job in flight';
    return { replicas: 0, reason, message };
  }
  // Active means work exists (waiting or in flight): keep one replica recommended so the
  // scale-down window to zero starts only when the last job is done.
  if (recommendation.replicas === 0) return { ...recommendation, replicas: 1 };
  return recommendation;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
