import { jobDataSchema, type JobData, type QuoteJobData, type QuoteResult } from '@printq/shared';
import type { Logger } from '@printq/shared';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { classifyJobError, PermanentJobError, toBullmqError } from './failures.js';
import { quoteMesh } from './quote/index.js';
import { runSimulateJob } from './simulate.js';

export interface ProcessorDeps {
  /** Connection for mesh reads and deletes (not the worker's blocking one). */
  meshes: Redis;
  log: Logger;
}

export type JobProcessor = (job: Job) => Promise<unknown>;

/**
 * The BullMQ processor: validates the job, runs it by kind, and turns errors into a
 * permanent failure (bad input, reported to the client) or a retryable one (Redis).
 */
export function createProcessor(deps: ProcessorDeps): JobProcessor {
  return async (job) => {
    const log = deps.log.child({ jobId: job.id, kind: job.name, attempt: job.attemptsMade + 1 });
    let data: JobData | undefined;
    try {
      data = parseJobData(job);
      const result = await runJob(data, deps);
      if (data.kind === 'quote') await forgetMesh(deps, data, log);
      return result;
    } catch (error) {
      const { failure, permanent } = classifyJobError(error);
      const lastAttempt = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (data?.kind === 'quote' && lastAttempt) await forgetMesh(deps, data, log);
      log.info({ code: failure.code, reason: failure.message, permanent }, 'job failed');
      throw toBullmqError(failure, permanent);
    }
  };
}

function parseJobData(job: Job): JobData {
  const parsed = jobDataSchema.safeParse(job.data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new PermanentJobError('invalid_job', `job data rejected: ${issues.join('; ')}`);
}

async function runJob(data: JobData, deps: ProcessorDeps): Promise<unknown> {
  switch (data.kind) {
    case 'quote':
      return runQuoteJob(data, deps);
    case 'simulate':
      return runSimulateJob(data);
  }
}

async function runQuoteJob(data: QuoteJobData, deps: ProcessorDeps): Promise<QuoteResult> {
  const mesh = await deps.meshes.getBuffer(data.meshKey);
  if (mesh === null) {
    throw new PermanentJobError(
      'mesh_missing',
      'the uploaded file is no longer stored (it expired before a worker took the job); ' +
        'upload it again',
    );
  }
  return quoteMesh(mesh, { material: data.material, infillPercent: data.infillPercent });
}

/** The mesh is only needed until the job's outcome is final; its TTL is the backstop. */
async function forgetMesh(deps: ProcessorDeps, data: QuoteJobData, log: Logger): Promise<void> {
  try {
    await deps.meshes.del(data.meshKey);
  } catch (err) {
    log.debug({ err, meshKey: data.meshKey }, 'mesh delete failed; its TTL will remove it');
  }
}
