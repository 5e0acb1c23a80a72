/**
 * Pipeline bench: what the quote pipeline costs on top of Redis and BullMQ, measured in one
 * run on one machine against anchors measured the same way.
 *
 * - Enqueue: POST /api/quotes (a 684-byte STL; mesh SET + BullMQ add per request) with
 *   autocannon at fixed concurrency against the real app process, vs `redis-benchmark -t
 *   lpush` at the same concurrency on the same Redis (the physical limit of one Redis write
 *   per request). Target ≥ 30 % of LPUSH.
 * - Worker: no-op `simulate` jobs/s through printq's worker (validation, dispatch, metrics
 *   hooks) vs a bare BullMQ Worker with an empty processor, same jobs, same concurrency.
 *   Target ≥ 90 % of bare BullMQ.
 *
 *   npx tsx --conditions=printq-source bench/pipeline.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, Worker, type Job } from 'bullmq';
import { createLogger, JOB_NAMES, QUOTE_QUEUE } from '@printq/shared';
import { loadWorkerConfig, startQuoteWorker } from '../worker/src/index.js';
import { freePort, ProgramProcess, RedisProcess, REPO_ROOT } from '../scripts/lib/processes.js';
import { measureHttpLoad, type HttpLoadResult } from './lib/http-load.js';

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const CONNECTIONS = 50;
const ENQUEUE_WARMUP_SECONDS = 2;
const ENQUEUE_SECONDS = 10;
const LPUSH_REQUESTS = 300_000;
const WORKER_JOBS = 20_000;
const WORKER_CONCURRENCY = 8;
const WORKER_ROUNDS = 3;
const BARE_ADD_SECONDS = 5;
const TARGETS = { enqueueVsLpush: 0.3, workerVsBare: 0.9 };

interface LpushResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const progress = (message: string) => console.log(`pipeline bench: ${message}`);

/** redis-benchmark's CSV: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",... */
function measureLpush(port: number): LpushResult {
  const run = spawnSync(
    'redis-benchmark',
    [
      '-p',
      String(port),
      '-t',
      'lpush',
      '-n',
      String(LPUSH_REQUESTS),
      '-c',
      String(CONNECTIONS),
      '--csv',
    ],
    { encoding: 'utf8' },
  );
  const row = run.stdout.split('\n').find((line) => line.startsWith('"LPUSH"'));
  if (!row) throw new Error(`redis-benchmark gave no LPUSH row: ${run.stdout} ${run.stderr}`);
  const fields = row.split(',').map((field) => Number(field.replaceAll('"', '')));
  return { requestsPerSecond: fields[1] ?? 0, p50Ms: fields[4] ?? 0, p99Ms: fields[6] ?? 0 };
}

async function measureEnqueue(baseUrl: string, body: Buffer): Promise<HttpLoadResult> {
  const options = {
    url: `${baseUrl}/api/quotes`,
    method: 'POST' as const,
    headers: { 'content-type': 'model/stl' },
    body,
    connections: CONNECTIONS,
  };
  return measureHttpLoad(options, { warmup: ENQUEUE_WARMUP_SECONDS, measure: ENQUEUE_SECONDS });
}

async function fillQueue(queue: Queue): Promise<void> {
  const data = { kind: 'simulate', cpuMs: 0, sleepMs: 0 };
  for (let added = 0; added < WORKER_JOBS; added += 1000) {
    await queue.addBulk(
      Array.from({ length: 1000 }, () => ({
        name: JOB_NAMES.simulate,
        data,
        opts: { removeOnComplete: { age: 3600 }, removeOnFail: { age: 3600 } },
      })),
    );
  }
}

interface StartedWorker {
  worker: Worker;
  stop(): Promise<unknown>;
}

/** Seconds from start until the worker has completed every queued job. */
async function drainSeconds(start: () => StartedWorker): Promise<number> {
  let completed = 0;
  const started = performance.now();
  const { worker, stop } = start();
  await new Promise<void>((resolve) => {
    worker.on('completed', () => {
      if (++completed === WORKER_JOBS) resolve();
    });
  });
  const seconds = (performance.now() - started) / 1000;
  await stop();
  return seconds;
}

/** The same BullMQ add the app does, from `CONNECTIONS` concurrent lanes, without HTTP. */
async function measureBareAdd(redisPort: number): Promise<number> {
  const queue = new Queue(QUOTE_QUEUE, { connection: { host: '127.0.0.1', port: redisPort } });
  const data = { kind: 'simulate', cpuMs: 0, sleepMs: 0 };
  const end = performance.now() + BARE_ADD_SECONDS * 1000;
  let added = 0;
  const lane = async () => {
    while (performance.now() < end) {
      await queue.add(JOB_NAMES.simulate, data, { removeOnComplete: { age: 3600 } });
      added++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, lane));
  await queue.close();
  return added / BARE_ADD_SECONDS;
}

async function measureWorkers(redisPort: number) {
  const connection = { host: '127.0.0.1', port: redisPort };
  const queue = new Queue(QUOTE_QUEUE, { connection });
  const log = createLogger('bench-worker', { level: 'silent' });
  const config = loadWorkerConfig({
    REDIS_PORT: String(redisPort),
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
  });
  const bare = (): StartedWorker => {
    const worker = new Worker(QUOTE_QUEUE, async (_job: Job) => undefined, {
      connection: { ...connection, maxRetriesPerRequest: null },
      concurrency: WORKER_CONCURRENCY,
    });
    return { worker, stop: () => worker.close() };
  };
  const printq = (): StartedWorker => {
    const started = startQuoteWorker(config, log);
    return { worker: started.worker, stop: () => started.drain(10_000) };
  };
  const rounds: Array<{ bareJobsPerSecond: number; printqJobsPerSecond: number }> = [];
  for (let round = 0; round < WORKER_ROUNDS; round++) {
    await queue.obliterate({ force: true });
    await fillQueue(queue);
    const bareSeconds = await drainSeconds(bare);
    await queue.obliterate({ force: true });
    await fillQueue(queue);
    const printqSeconds = await drainSeconds(printq);
    rounds.push({
      bareJobsPerSecond: WORKER_JOBS / bareSeconds,
      printqJobsPerSecond: WORKER_JOBS / printqSeconds,
    });
    progress(`worker round ${round + 1}: ${JSON.stringify(rounds.at(-1))}`);
  }
  await queue.close();
  // Median of the rounds: on a shared machine a single round can be lucky or starved.
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
  return {
    rounds,
    bareJobsPerSecond: median(rounds.map((r) => r.bareJobsPerSecond)),
    printqJobsPerSecond: median(rounds.map((r) => r.printqJobsPerSecond)),
    medianRatio: median(rounds.map((r) => r.printqJobsPerSecond / r.bareJobsPerSecond)),
  };
}

function report(results: {
  lpush: LpushResult;
  bareAddPerSecond: number;
  enqueue: HttpLoadResult;
  workers: Awaited<ReturnType<typeof measureWorkers>>;
}) {
  const ratios = {
    enqueueVsLpush: results.enqueue.requestsPerSecond / results.lpush.requestsPerSecond,
    workerVsBare: results.workers.medianRatio,
  };
  const met = {
    enqueueVsLpush: ratios.enqueueVsLpush >= TARGETS.enqueueVsLpush,
    workerVsBare: ratios.workerVsBare >= TARGETS.workerVsBare,
  };
  const load = loadavg().map((value) => value.toFixed(1));
  const machine =
    `${cpus()[0]?.model ?? 'unknown cpu'}, ${availableParallelism()} cores, Node ` +
    `${process.version}, load average ${load.join(' / ')} (1/5/15 min) at the end`;
  const json = {
    measuredAt: new Date().toISOString(),
    machine,
    targets: TARGETS,
    ratios,
    met,
    ...results,
  };
  const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
  const verdict = (ok: boolean) => (ok ? 'met' : '**short**');
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  const md = [
    '## Pipeline (app → Redis → worker)',
    '',
    `Measured ${json.measuredAt} on ${machine}; Redis, app, load generator and workers share the machine.`,
    '',
    '| measure | printq | anchor | ratio | target |',
    '|---|---|---|---|---|',
    `| enqueue, POST /api/quotes at ${CONNECTIONS} connections | ${n(results.enqueue.requestsPerSecond)} req/s ` +
      `(p50 ${results.enqueue.p50Ms} ms, p99 ${results.enqueue.p99Ms} ms) | redis-benchmark LPUSH ` +
      `${n(results.lpush.requestsPerSecond)} req/s (p50 ${results.lpush.p50Ms} ms, p99 ${results.lpush.p99Ms} ms) | ` +
      `${pct(ratios.enqueueVsLpush)} | ≥ ${pct(TARGETS.enqueueVsLpush)}: ${verdict(met.enqueueVsLpush)} |`,
    `| (decomposition) bare BullMQ queue.add, ${CONNECTIONS} lanes in one process, no HTTP | ` +
      `${n(results.bareAddPerSecond)} adds/s | LPUSH above | ` +
      `${pct(results.bareAddPerSecond / results.lpush.requestsPerSecond)} | — |`,
    `| worker, no-op simulate jobs, concurrency ${WORKER_CONCURRENCY} | ${n(results.workers.printqJobsPerSecond)} jobs/s | ` +
      `bare BullMQ Worker, empty processor ${n(results.workers.bareJobsPerSecond)} jobs/s | ` +
      `${pct(ratios.workerVsBare)} | ≥ ${pct(TARGETS.workerVsBare)}: ${verdict(met.workerVsBare)} |`,
    '',
    `Enqueue: ${n(results.enqueue.requests)} requests in ${ENQUEUE_SECONDS} s after a ${ENQUEUE_WARMUP_SECONDS} s ` +
      `warm-up, ${results.enqueue.non2xx} non-2xx, ${results.enqueue.errors} errors. Each POST parses the ` +
      'body, checks the STL structure, stores the mesh (SET with TTL) and adds the BullMQ job (a Lua ' +
      'script writing a hash, the wait list, the events stream and the marker): several Redis writes ' +
      'and one HTTP round trip through one Node process, against one LPUSH per request.',
    `Worker: medians of ${WORKER_ROUNDS} interleaved rounds (bare, printq, bare, ...) of ` +
      `${n(WORKER_JOBS)} jobs each, added with addBulk before the worker starts; time from worker ` +
      'start to the last completion; the ratio is the median of the per-round ratios. Rounds: ' +
      results.workers.rounds
        .map((r) => `${n(r.printqJobsPerSecond)} vs ${n(r.bareJobsPerSecond)}`)
        .join(', ') +
      ' jobs/s.',
    '',
  ].join('\n');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsDir}pipeline.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(`${resultsDir}pipeline.md`, md);
  console.log(md);
}

async function main(): Promise<void> {
  const redis = await RedisProcess.start();
  let app: ProgramProcess | undefined;
  try {
    progress(`redis-benchmark LPUSH, ${LPUSH_REQUESTS} requests`);
    const lpush = measureLpush(redis.port);
    spawnSync('redis-cli', ['-p', String(redis.port), 'FLUSHALL']);
    progress(`bare BullMQ add, ${CONNECTIONS} lanes, ${BARE_ADD_SECONDS} s`);
    const bareAddPerSecond = await measureBareAdd(redis.port);
    spawnSync('redis-cli', ['-p', String(redis.port), 'FLUSHALL']);

    const port = await freePort();
    app = ProgramProcess.spawn('app', {
      REDIS_PORT: String(redis.port),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    });
    await app.waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000);
    progress(`autocannon POST /api/quotes, ${CONNECTIONS} connections, ${ENQUEUE_SECONDS} s`);
    const cube = readFileSync(`${REPO_ROOT}/examples/calibration-cube-20mm.stl`);
    const enqueue = await measureEnqueue(`http://127.0.0.1:${port}`, cube);
    await app.stop();
    app = undefined;
    spawnSync('redis-cli', ['-p', String(redis.port), 'FLUSHALL']);

    progress(`workers: ${WORKER_JOBS} no-op jobs, concurrency ${WORKER_CONCURRENCY}`);
    const workers = await measureWorkers(redis.port);
    report({ lpush, bareAddPerSecond, enqueue, workers });
  } finally {
    await app?.stop();
    await redis.stop();
  }
}

await main();
// Pending sockets of closed clients must not keep the bench alive once the report is written.
process.exit(0);
