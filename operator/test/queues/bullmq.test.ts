import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisServer } from '../../../test/helpers/redis.js';
import { BullmqDepthReader, type BullmqQueueOptions } from '../../src/queues/bullmq.js';
import { RedisConnection } from '../../src/queues/connection.js';

// Every test drives a real BullMQ 6 queue on a real redis-server: the keys the reader
// sees are the ones BullMQ itself writes, never hand-made ones.
let redis: RedisServer;
let producer: Redis;
const connections: RedisConnection[] = [];
const queues: Queue[] = [];
let queueCounter = 0;

beforeAll(async () => {
  redis = await RedisServer.start();
  producer = new Redis(redis.url, { maxRetriesPerRequest: null });
});

afterEach(async () => {
  await Promise.all(queues.splice(0).map((queue) => queue.close()));
  await Promise.all(connections.splice(0).map((connection) => connection.close()));
});

afterAll(async () => {
  producer.disconnect();
  await redis.dispose();
});

function newQueue(prefix?: string): Queue {
  queueCounter += 1;
  const queue = new Queue(`q${queueCounter}`, {
    connection: producer,
    ...(prefix ? { prefix } : {}),
  });
  queues.push(queue);
  return queue;
}

function readerFor(
  queue: Queue,
  options: Partial<BullmqQueueOptions> = {},
  nowMs?: () => number,
): BullmqDepthReader {
  const connection = new RedisConnection({ host: redis.host, port: redis.port });
  connections.push(connection);
  return new BullmqDepthReader(connection, { name: queue.name, ...options }, nowMs);
}

async function addJobs(queue: Queue, count: number, opts = {}): Promise<void> {
  await queue.addBulk(Array.from({ length: count }, (_, i) => ({ name: 'j', data: { i }, opts })));
}

describe('BullmqDepthReader on real BullMQ 6 queues', () => {
  it('reads an empty queue that never saw a job as zero backlog and zero active', async () => {
    const queue = newQueue();
    await expect(readerFor(queue).readDepth()).resolves.toEqual({
      backlog: 0,
      active: 0,
      addedTotal: 0,
      paused: false,
    });
  });

  it('counts waiting jobs as backlog and reports how many were ever added', async () => {
    const queue = newQueue();
    await addJobs(queue, 7);
    const depth = await readerFor(queue).readDepth();
    expect(depth).toMatchObject({ backlog: 7, active: 0, addedTotal: 7, paused: false });
    expect(depth.backlog).toBe(await queue.getWaitingCount());
  });

  it('counts prioritized jobs, which getWaitingCount misses', async () => {
    const queue = newQueue();
    await addJobs(queue, 3);
    await addJobs(queue, 4, { priority: 5 });
    const depth = await readerFor(queue).readDepth();
    expect(await queue.getWaitingCount()).toBe(3);
    expect(await queue.getPrioritizedCount()).toBe(4);
    expect(depth.backlog).toBe(7);
  });

  it('reads only the queue under the configured prefix', async () => {
    const queue = newQueue('printq');
    await addJobs(queue, 5);
    expect((await readerFor(queue, { prefix: 'printq' }).readDepth()).backlog).toBe(5);
    expect((await readerFor(queue).readDepth()).backlog).toBe(0);
  });

  it('ignores delayed jobs that are not due yet', async () => {
    const queue = newQueue();
    await addJobs(queue, 2);
    await addJobs(queue, 3, { delay: 60_000 });
    expect((await readerFor(queue).readDepth()).backlog).toBe(2);
  });

  it('counts delayed jobs whose time has come unless told not to', async () => {
    const queue = newQueue();
    await addJobs(queue, 3, { delay: 60_000 });
    const inTwoMinutes = (): number => Date.now() + 120_000;
    expect((await readerFor(queue, {}, inTwoMinutes).readDepth()).backlog).toBe(3);
    const reader = readerFor(queue, { includeDueDelayed: false }, inTwoMinutes);
    expect((await reader.readDepth()).backlog).toBe(0);
  });

  it('reports a paused queue as paused with no backlog, or all of it when asked', async () => {
    const queue = newQueue();
    await queue.pause();
    await addJobs(queue, 4);
    await addJobs(queue, 2, { priority: 1 });
    expect(await readerFor(queue).readDepth()).toMatchObject({ backlog: 0, paused: true });
    const includingPaused = await readerFor(queue, { includePaused: true }).readDepth();
    expect(includingPaused).toMatchObject({ backlog: 6, paused: true });
    await queue.resume();
    expect(await readerFor(queue).readDepth()).toMatchObject({ backlog: 6, paused: false });
  });

  it('reports jobs a worker holds as active, not as backlog', async () => {
    const queue = newQueue();
    await addJobs(queue, 10);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const worker = new Worker(
      queue.name,
      async (_job: Job) => {
        started += 1;
        await held;
      },
      { connection: new Redis(redis.url, { maxRetriesPerRequest: null }), concurrency: 4 },
    );
    try {
      await waitFor(() => started === 4);
      const depth = await readerFor(queue).readDepth();
      expect(depth).toMatchObject({ backlog: 6, active: 4 });
      expect(await queue.getActiveCount()).toBe(4);
    } finally {
      release();
      await worker.close();
      await worker.disconnect();
    }
  });

  it('reads a drained queue as empty once every job completed', async () => {
    const queue = newQueue();
    await addJobs(queue, 5);
    const worker = new Worker(queue.name, async () => 'ok', {
      connection: new Redis(redis.url, { maxRetriesPerRequest: null }),
      concurrency: 5,
    });
    try {
      await waitFor(async () => (await queue.getCompletedCount()) === 5);
      expect(await readerFor(queue).readDepth()).toMatchObject({
        backlog: 0,
        active: 0,
        addedTotal: 5,
      });
    } finally {
      await worker.close();
      await worker.disconnect();
    }
  });

  it('sends one Redis command per reading', async () => {
    const queue = newQueue();
    await addJobs(queue, 3);
    const reader = readerFor(queue);
    await reader.readDepth(); // loads the script
    const before = commandCalls();
    for (let i = 0; i < 10; i += 1) await reader.readDepth();
    const after = commandCalls();
    expect(after.evalsha - before.evalsha).toBe(10);
    expect(after.clientSide - before.clientSide).toBe(10);
  });
});

/** Commands clients sent (scripts count once) as INFO commandstats reports them. */
function commandCalls(): { evalsha: number; clientSide: number } {
  const stats = redis.cli('INFO', 'commandstats');
  const calls = (name: string): number =>
    Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  // The test's own INFO call is sent by redis-cli and excluded from clientSide.
  return { evalsha: calls('evalsha'), clientSide: calls('evalsha') + calls('eval') };
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not met in time');
}
