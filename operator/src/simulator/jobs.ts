import { rateAt } from './trace.js';
import type { Trace } from './trace.js';

export interface Job {
  arrivalSeconds: number;
  serviceSeconds: number;
}

/** mulberry32: a small seeded PRNG, so every run of a trace sees the same jobs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * All jobs of a trace, sorted by arrival. Generated once and replayed identically through
 * every controller, so the comparison differs only in scaling.
 */
export function generateJobs(trace: Trace): Job[] {
  const arrivals = [...burstArrivals(trace), ...rateArrivals(trace)].sort((a, b) => a - b);
  const random = seededRandom(trace.seed ^ 0x9e3779b9);
  const { serviceTimeSeconds, serviceTimeJitter } = trace.workload;
  return arrivals.map((arrivalSeconds) => ({
    arrivalSeconds,
    serviceSeconds: serviceTimeSeconds * (1 + serviceTimeJitter * (2 * random() - 1)),
  }));
}

function burstArrivals(trace: Trace): number[] {
  return trace.arrivals.bursts.flatMap((b) => Array<number>(b.jobs).fill(b.atSeconds));
}

/** Arrivals of the rate curve, one-second slices: evenly spaced, or Poisson when asked. */
function rateArrivals(trace: Trace): number[] {
  const { rate, poisson } = trace.arrivals;
  if (rate.length === 0) return [];
  const random = seededRandom(trace.seed);
  const out: number[] = [];
  let carry = 0;
  for (let second = 0; second < trace.durationSeconds; second++) {
    const expected = rateAt(rate, second + 0.5);
    let count: number;
    if (poisson) {
      count = poissonSample(expected, random);
    } else {
      carry += expected;
      count = Math.floor(carry + 1e-9);
      carry -= count;
    }
    for (let i = 0; i < count; i++) {
      out.push(second + (poisson ? random() : (i + 0.5) / count));
    }
  }
  return out;
}

/** Knuth's method below 30, normal approximation above (fine for traffic shapes). */
function poissonSample(lambda: number, random: () => number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) {
    const u = Math.max(random(), 1e-12);
    const gaussian = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian));
  }
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}
