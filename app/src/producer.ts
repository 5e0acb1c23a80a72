import { createHash, randomUUID } from 'node:crypto';
import {
  decodeFailure,
  JOB_NAMES,
  meshKey,
  QUOTE_QUEUE,
  type JobData,
  type JobFailure,
  type JobStatus,
  type MaterialId,
  type QuoteJobData,
  type SimulateJobData,
} from '@printq/shared';
import { Queue, type JobsOptions, type JobState } from 'bullmq';
import type { Redis } from 'ioredis';
import { withDeadline } from './deadline.js';
import { classifyFailure, QueueUnavailableError, type QueueOperation } from './queue-failures.js';

export { classifyFailure, QueueUnavailableError } from './queue-failures.js';

/** The Idempotency-Key was first used with a different request body or parameters. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  constructor(readonly jobId: string) {
    super('idempotency key reused with a different request');
  }
}

export interface ProducerOptions {
  /** Hard limit for one enqueue or status read, end to end. @default 1000 */
  deadlineMs: number;
  /** Lifetime of mesh bytes whose job never runs. @default 86400 */
  meshTtlSeconds: number;
  /**
   * Lifetime of mesh bytes until their job is added; extended to meshTtlSeconds then. Bounds
   * the memory a failed enqueue leaves behind when even the cleanup cannot reach Redis.
   * @default 60
   */
  pendingMeshTtlSeconds: number;
  /** How long finished jobs stay readable. @default 86400 */
  resultTtlSeconds: number;
  /** How long an Idempotency-Key is remembered. @default 86400 */
  idempotencyTtlSeconds: number;
  /** Attempts per job for transient failures. @default 3 */
  attempts: number;
  /** First retry delay, doubling each attempt. @default 1000 */
  backoffMs: number;
}

export interface QuoteRequest {
  mesh: Buffer;
  material: MaterialId;
  infillPercent: number;
  fileName?: string;
  idempotencyKey?: string;
}

export interface EnqueueResult {
  id: string;
  /** False when an Idempotency-Key matched an earlier request's job. */
  created: boolean;
}

export interface JobView {
  id: string;
  status: JobStatus;
  kind: string;
  result?: unknown;
  error?: JobFailure;
  createdAt: string;
  finishedAt?: string;
  attemptsMade: number;
}

/**
 * Part of the deadline kept for writing the 503 itself, so the answer leaves the process
 * within ENQUEUE_DEADLINE_MS of the handler starting, not just after it.
 */
const RESPONSE_RESERVE_MS = 50;

const STATUS_BY_STATE: Record<JobState, JobStatus> = {
  completed: 'done',
  failed: 'failed',
  active: 'active',
  waiting: 'queued',
  'waiting-children': 'queued',
  prioritized: 'queued',
  delayed: 'queued',
};

/**
 * Puts quote jobs on the queue and reads them back, each call within a hard deadline.
 * The connection is the fail-fast producer connection of redis.ts; this class never waits
 * for Redis to come back.
 */
export class QuoteProducer {
  readonly queue: Queue;

  constructor(
    readonly connection: Redis,
    private readonly options: ProducerOptions,
  ) {
    // Neither option does I/O at construction: BullMQ's version check (INFO) would fail
    // forever if it ran while Redis is away, leaving a Queue that never recovers. The
    // workers' connections still check the server version.
    this.queue = new Queue(QUOTE_QUEUE, {
      connection,
      skipWaitingForReady: true,
      skipVersionCheck: true,
    });
    // Errors surface on each call; the queue's own error events would only duplicate them.
    this.queue.on('error', () => undefined);
  }

  async enqueueQuote(request: QuoteRequest): Promise<EnqueueResult> {
    const id = request.idempotencyKey ? idempotentJobId(request.idempotencyKey) : randomUUID();
    const work = this.storeAndAddQuote(id, request);
    try {
      return await this.guard(work, 'enqueue');
    } catch (error) {
      // A conflicting request never wrote a mesh; the id's mesh belongs to the first one.
      if (!(error instanceof IdempotencyConflictError)) this.cleanUpOrphanMesh(id, work);
      throw error;
    }
  }

  /** Adds a `simulate` job (load and scaling tests); no mesh involved. */
  async enqueueSimulate(data: SimulateJobData, jobId: string = randomUUID()): Promise<string> {
    await this.guard(this.queue.add(JOB_NAMES.simulate, data, this.jobOptions(jobId)), 'enqueue');
    return jobId;
  }

  async getJob(id: string): Promise<JobView | undefined> {
    return this.guard(this.readJob(id), 'read');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }

  private async storeAndAddQuote(id: string, request: QuoteRequest): Promise<EnqueueResult> {
    if (request.idempotencyKey) {
      const fingerprint = requestFingerprint(request);
      const replay = await this.claimIdempotencyKey(request.idempotencyKey, fingerprint, id);
      if (replay && (await this.queue.getJob(id))) return { id, created: false };
    }
    const pendingTtl = this.options.pendingMeshTtlSeconds;
    await this.connection.set(meshKey(id), request.mesh, 'EX', pendingTtl);
    const data: QuoteJobData = {
      kind: 'quote',
      meshKey: meshKey(id),
      material: request.material,
      infillPercent: request.infillPercent,
      fileName: request.fileName,
      sizeBytes: request.mesh.length,
    };
    await this.queue.add(JOB_NAMES.quote, data satisfies JobData, this.jobOptions(id));
    await this.connection.expire(meshKey(id), this.options.meshTtlSeconds);
    return { id, created: true };
  }

  /**
   * A refused or late enqueue may have stored its mesh without adding the job. Once the
   * (uncancellable) work settles with an error, the mesh is deleted unless its job exists
   * after all; if Redis cannot be reached, the pending TTL removes it. Never awaited: the
   * 503 does not wait for this.
   */
  private cleanUpOrphanMesh(id: string, work: Promise<unknown>): void {
    const jobKey = this.queue.toKey(id);
    work.then(
      () => undefined,
      () =>
        withDeadline(
          this.connection.eval(DELETE_ORPHAN_MESH, 2, jobKey, meshKey(id)),
          this.options.deadlineMs,
        ).catch(() => undefined),
    );
  }

  /**
   * Records key → request fingerprint once (SET NX). Returns true when the key was seen
   * before with the same request; throws when it was seen with a different one. A replay
   * whose first attempt died before adding its job simply adds it now.
   */
  private async claimIdempotencyKey(key: string, fingerprint: string, id: string) {
    const redisKey = idempotencyRedisKey(key);
    const ttl = this.options.idempotencyTtlSeconds;
    const claimed = await this.connection.set(redisKey, fingerprint, 'EX', ttl, 'NX');
    if (claimed === 'OK') return false;
    const stored = await this.connection.get(redisKey);
    if (stored !== null && stored !== fingerprint) throw new IdempotencyConflictError(id);
    return true;
  }

  private jobOptions(jobId: string): JobsOptions {
    return {
      jobId,
      attempts: this.options.attempts,
      backoff: { type: 'exponential', delay: this.options.backoffMs },
      removeOnComplete: { age: this.options.resultTtlSeconds },
      removeOnFail: { age: this.options.resultTtlSeconds },
    };
  }

  private async readJob(id: string): Promise<JobView | undefined> {
    const job = await this.queue.getJob(id);
    if (!job) return undefined;
    const state = await job.getState();
    // Removed (expired) between the two reads: gone for the client too.
    if (state === 'unknown') return undefined;
    const status = STATUS_BY_STATE[state];
    const view: JobView = {
      id,
      status,
      kind: job.name,
      createdAt: new Date(job.timestamp).toISOString(),
      attemptsMade: job.attemptsMade,
    };
    if (job.finishedOn) view.finishedAt = new Date(job.finishedOn).toISOString();
    if (status === 'done') view.result = job.returnvalue;
    if (status === 'failed') view.error = decodeFailure(job.failedReason ?? 'unknown failure');
    return view;
  }

  private async guard<T>(work: Promise<T>, operation: QueueOperation): Promise<T> {
    try {
      return await withDeadline(work, this.options.deadlineMs - RESPONSE_RESERVE_MS);
    } catch (error) {
      if (error instanceof IdempotencyConflictError) throw error;
      throw new QueueUnavailableError(classifyFailure(error), operation, error);
    }
  }
}

/** KEYS[1] job hash, KEYS[2] mesh: delete the mesh only if no job refers to it. */
const DELETE_ORPHAN_MESH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.call('DEL', KEYS[2]) end
return 0`;

/** The same request means the same bytes and the same parameters. */
function requestFingerprint(request: QuoteRequest): string {
  return createHash('sha256')
    .update(`${request.material}\0${request.infillPercent}\0`)
    .update(request.mesh)
    .digest('hex');
}

function idempotencyRedisKey(key: string): string {
  return `printq:idempotency:${createHash('sha256').update(key).digest('hex')}`;
}

/** A UUIDv8 (RFC 9562, name-based with SHA-256) of the key: one key, one job id. */
export function idempotentJobId(key: string): string {
  const bytes = createHash('sha256').update(`printq-job:${key}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  const groups = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return [...groups, hex.slice(20, 32)].join('-');
}
