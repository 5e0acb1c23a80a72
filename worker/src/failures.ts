import { encodeFailure, type JobFailure } from '@printq/shared';
import { UnrecoverableError } from 'bullmq';
import { isStlError } from './stl/index.js';

/**
 * Why a job failed, in one catalog. STL errors keep the parser's own codes (see
 * stl/errors.ts); these are the worker's. Permanent failures are never retried.
 */
export const WORKER_FAILURES = {
  mesh_missing: 'The uploaded file is no longer stored',
  invalid_job: 'The job data does not match the job contract',
  transient: 'A temporary failure (Redis) outlasted every retry',
} as const;

export type WorkerFailureCode = keyof typeof WORKER_FAILURES;

/** Bad input or a bad job: retrying cannot help. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The failure to report for an error thrown while processing, and whether to retry. */
export function classifyJobError(error: unknown): { failure: JobFailure; permanent: boolean } {
  if (error instanceof PermanentJobError || isStlError(error)) {
    return { failure: { code: error.code, message: error.message }, permanent: true };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { failure: { code: 'transient', message }, permanent: false };
}

/**
 * The error BullMQ should see: UnrecoverableError fails the job at once with no retry;
 * a plain Error is retried with the job's backoff. The message carries `[code] detail`.
 */
export function toBullmqError(failure: JobFailure, permanent: boolean): Error {
  const message = encodeFailure(failure);
  return permanent ? new UnrecoverableError(message) : new Error(message);
}
