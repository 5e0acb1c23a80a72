import type { PolicyState, QueueObservation, RateEstimates } from './types.js';

/**
 * Time constant of the rate averages. Ten one-second polls smooth Poisson noise at a few
 * jobs per second while still following a step change within ~20 s (2 τ ≈ 86 %).
 */
export const RATE_TIME_CONSTANT_MS = 10_000;
/**
 * Service time is a property of the jobs, not of the load, so it is averaged over a longer
 * horizon: decayed sums of busy slot-seconds and of completions over ~1 min.
 */
export const SERVICE_TIME_CONSTANT_MS = 60_000;
/** Fewer (decayed) completions than this say too little about service time. */
const MIN_COMPLETIONS_FOR_SERVICE_TIME = 3;

/**
 * Folds one successful observation into the rate estimates.
 *
 * Arrivals come from the monotonic added counter; completions are inferred from the job
 * balance (added − Δbacklog − Δactive); service time follows from Little's law applied to
 * the busy worker slots: busy slot-seconds / completions, both as decayed sums so that a
 * quiet period (few completions, nothing in flight) leaves the ratio stable instead of
 * dividing two small, noisy rates.
 */
export function updateRates(state: PolicyState, obs: QueueObservation): RateEstimates {
  const prev = state.previous;
  if (!prev || obs.atMs <= prev.atMs) return state.rates;
  const dtSeconds = (obs.atMs - prev.atMs) / 1000;
  const alpha = 1 - Math.exp(-(obs.atMs - prev.atMs) / RATE_TIME_CONSTANT_MS);

  const added = addedSince(prev, obs);
  const completed = Math.max(0, added - (obs.backlog - prev.backlog) - (obs.active - prev.active));
  const rates = state.rates;
  const arrivalPerSecond = ewma(rates.arrivalPerSecond, added / dtSeconds, alpha);
  const completionPerSecond = ewma(rates.completionPerSecond, completed / dtSeconds, alpha);
  const activeJobs = ewma(rates.activeJobs, (obs.active + prev.active) / 2, alpha);

  const decay = Math.exp(-(obs.atMs - prev.atMs) / SERVICE_TIME_CONSTANT_MS);
  const busySlotSeconds =
    (rates.busySlotSeconds ?? 0) * decay + ((obs.active + prev.active) / 2) * dtSeconds;
  const completedJobs = (rates.completedJobs ?? 0) * decay + completed;

  const next: RateEstimates = {
    arrivalPerSecond,
    completionPerSecond,
    activeJobs,
    busySlotSeconds,
    completedJobs,
  };
  const serviceTimeSeconds =
    completedJobs >= MIN_COMPLETIONS_FOR_SERVICE_TIME
      ? busySlotSeconds / completedJobs
      : rates.serviceTimeSeconds;
  if (serviceTimeSeconds !== undefined) next.serviceTimeSeconds = serviceTimeSeconds;
  return next;
}

/**
 * Jobs added between two reads. Without the counter (list queues) only growth of
 * backlog + active is visible, a lower bound; a counter that went back (queue obliterated)
 * counts as no arrivals rather than a negative rate.
 */
function addedSince(prev: NonNullable<PolicyState['previous']>, obs: QueueObservation): number {
  if (obs.addedTotal !== undefined && prev.addedTotal !== undefined) {
    return Math.max(0, obs.addedTotal - prev.addedTotal);
  }
  return Math.max(0, obs.backlog + obs.active - (prev.backlog + prev.active));
}

function ewma(previous: number | undefined, sample: number, alpha: number): number {
  return previous === undefined ? sample : previous + alpha * (sample - previous);
}
