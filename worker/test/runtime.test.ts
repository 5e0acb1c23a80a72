import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, JOB_NAMES, QUOTE_QUEUE } from '@printq/shared';
import { Queue, type Job } from 'bullmq';
import { RedisServer } from '../../test/helpers/redis.js';
import { loadWorkerConfig } from '../src/config.js';
import { startQuoteWorker } from '../src/runtime.js';

const log = createLogger('runtime-test', { level: 'silent' });

let redis: RedisServer;
let queue: Queue;

beforeAll(async () => {
  redis = await RedisServer.start();
  queue = new Queue(QUOTE_QUEUE, { connection: { host: redis.host, port: redis.port } });
});

afterAll(async () => {
  await queue.close();
  await redis.dispose();
});

function config(overrides: Record<string, string> = {}) {
  return loadWorkerConfig({ REDIS_URL: redis.url, WORKER_CONCURRENCY: '2', ...overrides });
}

async function waitForState(job: Job, wanted: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await job.getState()) === wanted) return;
    await sleep(20);
  }
  throw new Error(`job ${job.id} never became ${wanted}`);
}

describe('startQuoteWorker', () => {
  it('is ready while running and finishes in-flight jobs when drained', async () => {
    const worker = startQuoteWorker(config(), log);
    await worker.worker.waitUntilReady();
    const job = await queue.add(JOB_NAMES.simulate, { kind: 'simulate', cpuMs: 0, sleepMs: 400 });
    await waitForState(job, 'active');
    expect(await worker.isReady()).toBe(true);

    const outcome = await worker.drain(10_000);

    expect(outcome).toBe('drained');
    expect(await job.getState()).toBe('completed');
    expect(await worker.isReady()).toBe(false);
  });

  it('stops taking new jobs once draining', async () => {
    const worker = startQuoteWorker(config(), log);
    await worker.worker.waitUntilReady();
    const running = await queue.add(JOB_NAMES.simulate, {
      kind: 'simulate',
      cpuMs: 0,
      sleepMs: 300,
    });
    await waitForState(running, 'active');
    const draining = worker.drain(10_000);
    // A fetch already under way when close() starts may still deliver one job (which is
    // then finished, not lost); jobs added after that are left for other workers.
    await sleep(100);
    const late = await queue.add(JOB_NAMES.simulate, { kind: 'simulate', cpuMs: 0, sleepMs: 0 });

    expect(await draining).toBe('drained');
    expect(await running.getState()).toBe('completed');
    expect(await late.getState()).toBe('waiting');
    await late.remove();
  });

  it('gives up after the grace period and puts a job that outlasts it back in the queue', async () => {
    // Default lock and stall settings (30 s / 15 s): only an explicit return to the queue,
    // not stall detection, can hand the job over within the test's few seconds.
    const worker = startQuoteWorker(config(), log);
    await worker.worker.waitUntilReady();
    const job = await queue.add(JOB_NAMES.simulate, { kind: 'simulate', cpuMs: 0, sleepMs: 3000 });
    await waitForState(job, 'active');
    const started = Date.now();

    expect(await worker.drain(200)).toBe('grace-exceeded');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await job.getState()).toBe('waiting');

    const successor = startQuoteWorker(config(), log);
    try {
      await waitForState(job, 'completed', 10_000);
      const done = await queue.getJob(job.id ?? '');
      expect(done?.stalledCounter ?? 0).toBe(0);
      expect(done?.attemptsMade).toBe(1);
    } finally {
      await successor.drain(10_000);
    }
  });
});

describe('a REDIS_URL with an IPv6 address', () => {
  let v6: RedisServer | undefined;
  let skipReason: string | undefined;

  beforeAll(async () => {
    skipReason = await ipv6LoopbackUnavailable();
    if (skipReason) {
      console.log(`skipping the IPv6 test: ${skipReason}`);
      return;
    }
    v6 = await RedisServer.start({ args: ['--bind', '127.0.0.1', '::1'] });
  });

  afterAll(async () => {
    await v6?.dispose();
  });

  it('connects through redis://[::1]:port and runs jobs', async () => {
    if (!v6) return;
    const worker = startQuoteWorker(
      loadWorkerConfig({ REDIS_URL: `redis://[::1]:${v6.port}/0` }),
      log,
    );
    const v6Queue = new Queue(QUOTE_QUEUE, { connection: { host: v6.host, port: v6.port } });
    try {
      const job = await v6Queue.add(JOB_NAMES.simulate, { kind: 'simulate', cpuMs: 0, sleepMs: 0 });
      await waitForState(job, 'completed', 20_000);
      expect(await worker.isReady()).toBe(true);
    } finally {
      await worker.drain(5000);
      await v6Queue.close();
    }
  });
});

async function ipv6LoopbackUnavailable(): Promise<string | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', (error) => resolve(`cannot listen on ::1 (${error.message})`));
    server.listen(0, '::1', () => server.close(() => resolve(undefined)));
  });
}

describe('loadWorkerConfig', () => {
  it('refuses a REDIS_URL whose database is not an integer, naming the setting', () => {
    expect(() => loadWorkerConfig({ REDIS_URL: 'redis://127.0.0.1:6379/cache' })).toThrow(
      /REDIS_URL: .*database/,
    );
  });

  it('has the documented defaults', () => {
    expect(loadWorkerConfig({})).toMatchObject({
      WORKER_CONCURRENCY: 2,
      WORKER_LOCK_DURATION_MS: 30_000,
      WORKER_STALLED_INTERVAL_MS: 15_000,
      WORKER_MAX_STALLED_COUNT: 2,
      WORKER_SHUTDOWN_GRACE_MS: 25_000,
      METRICS_PORT: 9464,
    });
  });

  it('names the invalid setting', () => {
    expect(() => loadWorkerConfig({ WORKER_CONCURRENCY: '0' })).toThrow(/WORKER_CONCURRENCY/);
  });
});
