/**
 * Scenario 3 at CI size: 1 100 jobs (1 000 simulate jobs added through the job contract,
 * 100 quotes uploaded through the real app), three real worker processes, three of them
 * killed with SIGKILL at random moments while work is in flight and restarted. Every
 * accepted job must end `done` exactly once as the client sees it: one `completed` event
 * per job id, GET /api/quotes/:id says done with a result, and no job fails.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { JOB_NAMES, QUOTE_QUEUE, type SimulateJobData } from '@printq/shared';
import { Queue, QueueEvents } from 'bullmq';
import { binaryStl, box } from '../../scripts/lib/stl-writer.js';
import type { ProgramProcess } from '../helpers/processes.js';
import { startApp, startWorker, stopAll, type RunningApp } from '../helpers/processes.js';
import { RedisServer } from '../helpers/redis.js';
import { seededRandom } from '../helpers/random.js';

const SIMULATE_JOBS = 1000;
const QUOTE_JOBS = 100;
const WORKERS = 3;
const KILLS = 3;
/** Short locks so a killed worker's jobs come back within seconds, not the 45 s default. */
const WORKER_ENV = {
  WORKER_CONCURRENCY: '4',
  WORKER_LOCK_DURATION_MS: '3000',
  WORKER_STALLED_INTERVAL_MS: '1500',
  LOG_LEVEL: 'warn',
};
const SIMULATE_JOB: SimulateJobData = { kind: 'simulate', cpuMs: 0, sleepMs: 150 };
const ALL_DONE_TIMEOUT_MS = 150_000;

let redis: RedisServer;
let app: RunningApp;
let queue: Queue;
let events: QueueEvents;
const workers: ProgramProcess[] = [];
const completions = new Map<string, number>();
const failures: string[] = [];
let stalls = 0;

beforeAll(async () => {
  redis = await RedisServer.start();
  const connection = { host: redis.host, port: redis.port };
  queue = new Queue(QUOTE_QUEUE, { connection });
  events = new QueueEvents(QUOTE_QUEUE, { connection });
  events.on('completed', ({ jobId }) => completions.set(jobId, (completions.get(jobId) ?? 0) + 1));
  events.on('failed', ({ jobId, failedReason }) => failures.push(`${jobId}: ${failedReason}`));
  events.on('stalled', () => stalls++);
  await events.waitUntilReady();
  app = await startApp(redis, { LOG_LEVEL: 'warn' });
}, 120_000);

afterAll(async () => {
  await stopAll([app?.process, ...workers]);
  await events?.close();
  await queue?.close();
  await redis?.dispose();
});

async function addSimulateJobs(): Promise<string[]> {
  const ids = Array.from({ length: SIMULATE_JOBS }, () => randomUUID());
  await queue.addBulk(
    ids.map((jobId) => ({ name: JOB_NAMES.simulate, data: SIMULATE_JOB, opts: { jobId } })),
  );
  return ids;
}

async function uploadQuotes(): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < QUOTE_JOBS; i++) {
    const stl = binaryStl(box(5 + (i % 7), 10, 15), `chaos ${i}`);
    const response = await fetch(`${app.baseUrl}/api/quotes?infill=${i % 101}`, {
      method: 'POST',
      headers: { 'content-type': 'model/stl' },
      body: stl,
    });
    expect(response.status).toBe(202);
    ids.push(((await response.json()) as { id: string }).id);
  }
  return ids;
}

async function backlog(): Promise<number> {
  const counts = await queue.getJobCounts('wait', 'prioritized', 'delayed');
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** Kills a random worker with SIGKILL while jobs are waiting, restarts one in its place. */
async function killWorkersAtRandom(random: () => number): Promise<number[]> {
  const killedPids: number[] = [];
  const restarts: Array<Promise<unknown>> = [];
  for (let kill = 0; kill < KILLS; kill++) {
    await sleep(800 + random() * 1500);
    if ((await backlog()) === 0) break;
    const live = workers.filter((w) => w.running);
    const victim = live[Math.floor(random() * live.length)];
    if (!victim) break;
    victim.signal('SIGKILL');
    await victim.exited;
    killedPids.push(victim.pid);
    restarts.push(startWorker(redis, WORKER_ENV).then((w) => workers.push(w.process)));
  }
  await Promise.all(restarts);
  return killedPids;
}

async function waitUntilAllCompleted(ids: string[]): Promise<void> {
  const deadline = Date.now() + ALL_DONE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (ids.every((id) => completions.has(id)) || failures.length > 0) return;
    await sleep(250);
  }
}

interface ClientView {
  status: string;
  result?: unknown;
}

async function clientViews(ids: string[]): Promise<ClientView[]> {
  const views: ClientView[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    const batch = ids.slice(i, i + 50).map(async (id) => {
      const response = await fetch(`${app.baseUrl}/api/quotes/${id}`);
      return (await response.json()) as ClientView;
    });
    views.push(...(await Promise.all(batch)));
  }
  return views;
}

describe('workers killed with SIGKILL at random', () => {
  it('lose no job: every accepted job is done exactly once', async () => {
    const seed = Date.now() % 2 ** 31;
    console.log(`chaos seed ${seed}`);
    const started = await Promise.all(
      Array.from({ length: WORKERS }, () => startWorker(redis, WORKER_ENV)),
    );
    workers.push(...started.map((w) => w.process));

    const ids = [...(await addSimulateJobs()), ...(await uploadQuotes())];
    const killedPids = await killWorkersAtRandom(seededRandom(seed));
    await waitUntilAllCompleted(ids);

    const views = await clientViews(ids);
    const notDone = ids.filter((_, i) => views[i]?.status !== 'done');
    const twice = ids.filter((id) => (completions.get(id) ?? 0) > 1);
    console.log(
      `killed ${killedPids.length} workers (${killedPids.join(', ')}), ${stalls} stalled ` +
        `jobs recovered, ${completions.size} completed, ${failures.length} failed`,
    );
    expect(killedPids.length).toBeGreaterThanOrEqual(2);
    expect(failures).toEqual([]);
    expect(notDone).toEqual([]);
    expect(twice).toEqual([]);
    expect(ids.filter((id) => completions.get(id) !== 1)).toEqual([]);
    expect(views.every((view) => view.result !== undefined)).toBe(true);
    // The kills hit jobs in flight (each worker holds 4 while the backlog lasts), so stalled
    // recovery, not luck, is what finished them.
    expect(stalls).toBeGreaterThan(0);
  }, 240_000);
});
