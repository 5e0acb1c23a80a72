import { readFileSync } from 'node:fs';
import { z } from 'zod';

const seconds = z.number().nonnegative();

/** Jobs added at one instant (addBulk of a backlog). */
const burst = z.object({ atSeconds: seconds, jobs: z.number().int().nonnegative() });

/** Arrival rate as a piecewise-linear curve through [second, jobs per second] points. */
const ratePoint = z.tuple([seconds, z.number().nonnegative()]);

/**
 * A replayable workload: arrivals over time plus the facts of the worker fleet. Everything
 * is deterministic given `seed` (used only when `poisson` is on).
 */
export const traceSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  durationSeconds: z.number().positive().max(86_400),
  /** Simulation step; job starts and ends are exact within it, decisions happen on steps. */
  stepSeconds: z.number().positive().max(1).default(0.1),
  seed: z.number().int().default(1),
  workload: z.object({
    serviceTimeSeconds: z.number().positive(),
    /** Service time is uniform in ±jitter × serviceTimeSeconds. */
    serviceTimeJitter: z.number().min(0).max(0.9).default(0),
    workerConcurrency: z.number().int().positive(),
    /** From replicas raised to the pod taking jobs (schedule, pull, start, connect). */
    podStartSeconds: seconds,
  }),
  arrivals: z.object({
    bursts: z.array(burst).default([]),
    rate: z.array(ratePoint).default([]),
    /** Draw arrivals from a Poisson process of the rate instead of spacing them evenly. */
    poisson: z.boolean().default(false),
  }),
  /** The QueueScaler spec fields for printq (scaleTargetRef/queue are filled in). */
  scaler: z.record(z.string(), z.unknown()),
  /** KEDA ScaledObject + HPA settings; defaults are KEDA's and the HPA controller's. */
  keda: z
    .object({
      pollingIntervalSeconds: z.number().positive().default(30),
      /** When in the polling cycle the trace starts (KEDA's loop runs since long before). */
      pollOffsetSeconds: seconds.default(0),
      cooldownPeriodSeconds: seconds.default(300),
      listLength: z.number().positive().default(5),
      activationListLength: z.number().nonnegative().default(0),
      hpaSyncPeriodSeconds: z.number().positive().default(15),
      hpaSyncOffsetSeconds: seconds.default(7.5),
      hpaTolerance: z.number().nonnegative().default(0.1),
      minReplicaCount: z.number().int().nonnegative().default(0),
    })
    .default({
      pollingIntervalSeconds: 30,
      pollOffsetSeconds: 0,
      cooldownPeriodSeconds: 300,
      listLength: 5,
      activationListLength: 0,
      hpaSyncPeriodSeconds: 15,
      hpaSyncOffsetSeconds: 7.5,
      hpaTolerance: 0.1,
      minReplicaCount: 0,
    }),
});

export type Trace = z.infer<typeof traceSchema>;
export type TraceInput = z.input<typeof traceSchema>;
export type KedaSettings = Trace['keda'];

export class TraceError extends Error {
  override readonly name = 'TraceError';
}

export function parseTrace(raw: unknown, source: string): Trace {
  const result = traceSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new TraceError(`invalid trace ${source}:\n  ${issues.join('\n  ')}`);
  }
  return result.data;
}

export function loadTrace(path: string): Trace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TraceError(`cannot read trace ${path}: ${(error as Error).message}`);
  }
  try {
    return parseTrace(JSON.parse(text), path);
  } catch (error) {
    if (error instanceof TraceError) throw error;
    throw new TraceError(`trace ${path} is not JSON: ${(error as Error).message}`);
  }
}

/** Arrival rate (jobs/s) at `t` from the piecewise-linear curve; 0 outside it. */
export function rateAt(points: Trace['arrivals']['rate'], t: number): number {
  for (let i = 0; i + 1 < points.length; i++) {
    const [t0, r0] = points[i] as [number, number];
    const [t1, r1] = points[i + 1] as [number, number];
    if (t >= t0 && t < t1) return t1 === t0 ? r0 : r0 + ((r1 - r0) * (t - t0)) / (t1 - t0);
  }
  return 0;
}
