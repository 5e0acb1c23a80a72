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

/** BullMQ job names, one per job kind, so dashboards show what a job is. */
export const JOB_NAMES = { quote: 'quote', simulate: 'simulate' } as const;

/**
 * Job ids are UUIDs: the app generates v4 ids, and ids derived from an Idempotency-Key are
 * v8 (name-based on SHA-256). Anything else in a URL is malformed (400), not unknown (404).
 */
export const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isJobId(value: string): boolean {
  return JOB_ID_PATTERN.test(value);
}

/** What a client sees of a job: BullMQ's finer states fold into these four. */
export const JOB_STATUSES = ['queued', 'active', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** The result of a `simulate` job: what it spent and who ran it. */
export interface SimulateResult {
  kind: 'simulate';
  cpuMs: number;
  sleepMs: number;
  /** Process id of the worker that finished the job. */
  workerPid: number;
}

/** Why a job failed, as the client sees it: a stable code and a sentence. */
export interface JobFailure {
  code: string;
  message: string;
}

/**
 * BullMQ keeps only a failure's message, so the worker writes `[code] message` and the app
 * reads it back; a message without the prefix (a crash, a stall) gets the code `internal`.
 */
export function encodeFailure(failure: JobFailure): string {
  return `[${failure.code}] ${failure.message}`;
}

export function decodeFailure(failedReason: string): JobFailure {
  const match = /^\[([a-z0-9_.-]+)\] ([\s\S]*)$/i.exec(failedReason);
  if (match?.[1] !== undefined && match[2] !== undefined) {
    return { code: match[1], message: match[2] };
  }
  return { code: 'internal', message: failedReason };
}
