import { z } from 'zod';
import { MATERIAL_IDS } from './materials.js';

/** The BullMQ queue that carries quote jobs from the app to the workers. */
export const QUOTE_QUEUE = 'quotes';

/** Redis key holding an uploaded mesh until its job finishes (or the key's TTL passes). */
export function meshKey(jobId: string): string {
  return `printq:mesh:${jobId}`;
}

/** Infill bounds accepted by the API, in percent. */
export const INFILL_PERCENT = { min: 0, max: 100, default: 20 } as const;

export const quoteJobSchema = z.object({
  kind: z.literal('quote'),
  /** Redis key of the raw STL bytes (see {@link meshKey}); kept out of the job hash. */
  meshKey: z.string().min(1),
  material: z.enum(MATERIAL_IDS),
  infillPercent: z.number().min(INFILL_PERCENT.min).max(INFILL_PERCENT.max),
  fileName: z.string().max(255).optional(),
  sizeBytes: z.number().int().nonnegative(),
});

/** A job with a fixed cost, for load and scaling tests. */
export const simulateJobSchema = z.object({
  kind: z.literal('simulate'),
  /** Busy CPU time per job. */
  cpuMs: z.number().int().nonnegative().max(600_000).default(0),
  /** Idle time per job (an I/O-bound job). */
  sleepMs: z.number().int().nonnegative().max(3_600_000).default(0),
});

export const jobDataSchema = z.discriminatedUnion('kind', [quoteJobSchema, simulateJobSchema]);

export type QuoteJobData = z.infer<typeof quoteJobSchema>;
export type SimulateJobData = z.infer<typeof simulateJobSchema>;
export type JobData = z.infer<typeof jobDataSchema>;
export type JobKind = JobData['kind'];
