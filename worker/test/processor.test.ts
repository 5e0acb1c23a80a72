import { setTimeout as sleep } from 'node:timers/promises';
import {
  createLogger,
  decodeFailure,
  JOB_NAMES,
  meshKey,
  QUOTE_QUEUE,
  type JobData,
} from '@printq/shared';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { binaryStl, box } from '../../scripts/lib/stl-writer.js';
import { freePort } from '../../test/helpers/ports.js';
import { RedisServer } from '../../test/helpers/redis.js';
import { createProcessor } from '../src/processor.js';

const log = createLogger('processor-test', { level: 'silent' });
const cube = binaryStl(box(10, 20, 30), 'processor test box');

let redis: RedisServer;
let queue: Queue;
let meshes: Redis;
const workers: Worker[] = [];
let sequence = 0;

beforeAll(async () => {
  redis = await RedisServer.start();
  queue = new Queue(QUOTE_QUEUE, { connection: { host: redis.host, port: redis.port } });
  meshes = new Redis(redis.port, redis.host);
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  meshes.disconnect();
  await queue.close();
  await redis.dispose();
});

function startWorker(meshConnection: Redis = meshes): Worker {
  const worker = new Worker(QUOTE_QUEUE, createProcessor({ meshes: meshConnection, log }), {
    connection: { host: redis.host, port: redis.port, maxRetriesPerRequest: null },
    concurrency: 2,
  });
  workers.push(worker);
  return worker;
}

async function addQuote(mesh: Buffer | undefined, extra: Record<string, unknown> = {}) {
  const id = `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
  if (mesh) await meshes.set(meshKey(id), mesh);
  const data = {
    kind: 'quote',
    meshKey: meshKey(id),
    material: 'pla',
    infillPercent: 20,
    sizeBytes: mesh?.length ?? 0,
    ...extra,
  };
  return queue.add(JOB_NAMES.quote, data, {
    jobId: id,
    attempts: 3,
    backoff: { type: 'exponential', delay: 50 },
  });
}

async function settled(job: Job): Promise<Job> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') {
      return (await queue.getJob(job.id as string)) as Job;
    }
    await sleep(25);
  }
  throw new Error(`job ${job.id} did not settle`);
}

describe('quote jobs', () => {
  beforeAll(() => startWorker());

  it('quotes the stored mesh and deletes it afterwards', async () => {
    const job = await settled(await addQuote(cube));
    expect(job.returnvalue).toMatchObject({
      units: 'mm',
      triangles: 12,
      volumeMm3: 6000,
      watertight: true,
      material: 'pla',
    });
    expect(await meshes.exists(meshKey(job.id as string))).toBe(0);
  });

  it('fails a broken STL at once, without retries, naming the defect, and deletes the mesh', async () => {
    const broken = Buffer.from(cube);
    broken.writeFloatLE(Number.NaN, 84 + 50 * 5 + 12);
    const job = await settled(await addQuote(broken));
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    const failure = decodeFailure(job.failedReason);
    expect(failure.code).toBe('non_finite');
    expect(failure.message).toMatch(/triangle 5/);
    expect(await meshes.exists(meshKey(job.id as string))).toBe(0);
  });

  it('fails a job whose mesh expired as mesh_missing, without retries', async () => {
    const job = await settled(await addQuote(undefined));
    expect(job.attemptsMade).toBe(1);
    expect(decodeFailure(job.failedReason)).toEqual({
      code: 'mesh_missing',
      message: expect.stringContaining('upload it again'),
    });
  });

  it('fails a job that breaks the job contract as invalid_job', async () => {
    const job = await settled(await addQuote(cube, { material: 'unobtainium' }));
    expect(job.attemptsMade).toBe(1);
    expect(decodeFailure(job.failedReason)).toMatchObject({ code: 'invalid_job' });
  });
});

describe('transient failures', () => {
  it('retries with backoff when Redis reads fail, then reports them and drops the mesh', async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    const unreachable = new Redis({
      port: await freePort(),
      host: '127.0.0.1',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 1000,
    });
    unreachable.on('error', () => undefined);
    startWorker(unreachable);
    try {
      const job = await settled(await addQuote(cube));
      expect(job.attemptsMade).toBe(3);
      expect(decodeFailure(job.failedReason).code).toBe('transient');
      // The processor's delete went through the broken connection too; the TTL is the backstop.
      expect(await meshes.exists(meshKey(job.id as string))).toBe(1);
    } finally {
      await Promise.all(workers.splice(0).map((worker) => worker.close()));
      unreachable.disconnect();
    }
  });
});

describe('simulate jobs', () => {
  it('spend the requested time and report which process ran them', async () => {
    startWorker();
    const data: JobData = { kind: 'simulate', cpuMs: 30, sleepMs: 120 };
    const job = await settled(await queue.add(JOB_NAMES.simulate, data));
    expect(job.returnvalue).toEqual({
      kind: 'simulate',
      cpuMs: 30,
      sleepMs: 120,
      workerPid: process.pid,
    });
    expect((job.finishedOn ?? 0) - (job.processedOn ?? 0)).toBeGreaterThanOrEqual(150);
  });
});
