/**
 * Microcache bench: does a 1 s nginx cache in front of GET /api/quotes/{id} buy anything?
 *
 * One run, one machine: a real redis-server, the real app and worker, finished quotes of
 * examples/calibration-cube-20mm.stl, and a real nginx (Debian's package) started as an
 * unprivileged child on a free loopback port, reverse-proxying to the app twice: without a
 * cache, and with the chart's 1 s microcache (the ingress construct's ConfigMap snippets:
 * GET/HEAD of /api/quotes/{id} only, 200s only, cache lock, stale-while-updating). autocannon at fixed concurrency against both, with the app
 * direct as the anchor. Also checks correctness through the cache: queued → done is visible
 * within ~1 s, 404/400 are not cached, POST is never cached.
 *
 *   npx tsx --conditions=printq-source bench/microcache.bench.ts
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  MICROCACHE,
  microcacheHttpSnippet,
  microcacheLocationSnippet,
} from '../cdk8s/src/constructs/ingress.js';
import { freePort } from '../test/helpers/ports.js';
import { measureHttpLoad, type HttpLoadResult } from './lib/http-load.js';
import {
  startApp,
  startWorker,
  stopAll,
  REPO_ROOT,
  type RunningApp,
  type RunningWorker,
} from '../test/helpers/processes.js';
import { RedisServer } from '../test/helpers/redis.js';

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const MEASURE_SECONDS = 5;
/** Interleaved rounds: the machine is shared, so one round alone can mislead. */
const ROUNDS = 3;
const QUOTES = 8;
const CACHE_VALID_SECONDS = MICROCACHE.validSeconds;
const POLL_INTERVAL_MS = 50;
const DONE_TIMEOUT_MS = 60_000;
/** The gain that would justify a cluster-wide ConfigMap snippet (brief: ≥ 1.5× req/s). */
const TARGET_RATIO = 1.5;
const APP_ENV = { LOG_LEVEL: 'warn' };
/** When the bench runs as root, nginx still runs unprivileged, as `nobody`. */
const NOBODY = 65_534;
const runAs = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};

const progress = (message: string) => console.log(`microcache bench: ${message}`);

/** A real nginx master + workers in its own prefix directory; stopped by pid. */
class Nginx {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(name: string, config: (port: number, dir: string) => string) {
    const dir = mkdtempSync(join(tmpdir(), `printq-nginx-${name}-`));
    mkdirSync(join(dir, 'logs'));
    const port = await freePort();
    const confPath = join(dir, 'nginx.conf');
    writeFileSync(confPath, config(port, dir));
    if (runAs.uid !== undefined) {
      for (const path of [dir, join(dir, 'logs'), confPath]) chownSync(path, runAs.uid, runAs.gid);
    }
    const args = ['-p', dir, '-c', confPath, '-e', join(dir, 'logs', 'error.log')];
    const test = spawnSync('nginx', ['-t', ...args], { encoding: 'utf8', ...runAs });
    if (test.status !== 0) throw new Error(`nginx -t failed for ${name}: ${test.stderr}`);
    const child = spawn('nginx', [...args, '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      ...runAs,
    });
    const nginx = new Nginx(child, port, dir);
    await nginx.waitReady();
    return nginx;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async waitReady(): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (this.child.exitCode !== null) throw new Error('nginx exited during startup');
      try {
        await fetch(`${this.baseUrl}/healthz`);
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error('nginx did not answer within 10 s');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGQUIT');
      await Promise.race([exited, sleep(5000)]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Settings shared by both proxies, so the only difference is the cache. */
function baseConfig(
  port: number,
  dir: string,
  appPort: number,
  httpExtra: string,
  cacheLines = '',
) {
  return `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy_temp;
  fastcgi_temp_path ${dir}/fastcgi_temp;
  uwsgi_temp_path ${dir}/uwsgi_temp;
  scgi_temp_path ${dir}/scgi_temp;
  client_max_body_size 65m;
  upstream app { server 127.0.0.1:${appPort}; keepalive 32; }
${httpExtra}
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
${cacheLines}
      proxy_pass http://app;
    }
  }
}
`;
}

/**
 * The microcache exactly as the chart configures ingress-nginx (ConfigMap http-snippet and
 * location-snippet from the ingress construct), plus a status header the checks read.
 */
function microcacheConfig(port: number, dir: string, appPort: number): string {
  const http = indent(microcacheHttpSnippet(join(dir, 'microcache')), 2);
  const cache = indent(
    `${microcacheLocationSnippet()}\nadd_header X-Cache-Status $upstream_cache_status always;`,
    6,
  );
  return baseConfig(port, dir, appPort, http, cache);
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => `${' '.repeat(spaces)}${line}`)
    .join('\n');
}

function plainConfig(port: number, dir: string, appPort: number): string {
  return baseConfig(port, dir, appPort, '');
}

async function createFinishedQuotes(baseUrl: string, count: number): Promise<string[]> {
  const stl = readFileSync(join(REPO_ROOT, 'examples/calibration-cube-20mm.stl'));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await postQuote(baseUrl, stl));
  for (const id of ids) await waitForStatus(baseUrl, id, 'done', DONE_TIMEOUT_MS);
  return ids;
}

async function postQuote(baseUrl: string, stl: Buffer): Promise<string> {
  const response = await fetch(`${baseUrl}/api/quotes`, {
    method: 'POST',
    headers: { 'content-type': 'model/stl' },
    body: stl,
  });
  if (response.status !== 202) throw new Error(`POST gave ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

async function statusOf(baseUrl: string, id: string): Promise<string | undefined> {
  const response = await fetch(`${baseUrl}/api/quotes/${id}`);
  if (response.status !== 200) return undefined;
  return ((await response.json()) as { status: string }).status;
}

async function waitForStatus(baseUrl: string, id: string, status: string, timeoutMs: number) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if ((await statusOf(baseUrl, id)) === status) return performance.now();
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`quote ${id} not ${status} within ${timeoutMs} ms at ${baseUrl}`);
}

async function load(baseUrl: string, ids: string[]): Promise<HttpLoadResult> {
  const options = {
    url: baseUrl,
    connections: CONNECTIONS,
    requests: ids.map((id) => ({ method: 'GET' as const, path: `/api/quotes/${id}` })),
  };
  return measureHttpLoad(options, { warmup: WARMUP_SECONDS, measure: MEASURE_SECONDS });
}

interface CorrectnessResult {
  doneLagMs: number;
  doneLagWithinLimit: boolean;
  notFoundCached: boolean;
  invalidIdCached: boolean;
  postCached: boolean;
  hitOnRepeatedGet: boolean;
}

const cacheStatus = (response: Response) => response.headers.get('x-cache-status') ?? 'none';

/** Two identical requests in a row: was the second one served from the cache? */
async function secondIsHit(url: string, init: RequestInit = {}): Promise<boolean> {
  await (await fetch(url, init)).arrayBuffer();
  const second = await fetch(url, init);
  await second.arrayBuffer();
  return cacheStatus(second) === 'HIT';
}

/**
 * queued → done through the cache: with the worker stopped, a new quote is polled through the
 * cache (so "queued" is cached), the worker restarts, and the lag between the app direct and
 * the cache first showing "done" is measured.
 */
async function checkCorrectness(
  app: RunningApp,
  cached: Nginx,
  worker: RunningWorker,
  redis: RedisServer,
): Promise<{ result: CorrectnessResult; worker: RunningWorker }> {
  const stl = readFileSync(join(REPO_ROOT, 'examples/calibration-cube-20mm.stl'));
  const anyId = (await createFinishedQuotes(app.baseUrl, 1))[0] as string;
  const hitOnRepeatedGet = await secondIsHit(`${cached.baseUrl}/api/quotes/${anyId}`);
  const notFoundCached = await secondIsHit(
    `${cached.baseUrl}/api/quotes/00000000-0000-4000-8000-000000000000`,
  );
  const invalidIdCached = await secondIsHit(`${cached.baseUrl}/api/quotes/not-a-job-id`);
  const postInit = { method: 'POST', headers: { 'content-type': 'model/stl' }, body: stl };
  const postA = await fetch(`${cached.baseUrl}/api/quotes`, postInit);
  const postB = await fetch(`${cached.baseUrl}/api/quotes`, postInit);
  const [a, b] = [(await postA.json()) as { id: string }, (await postB.json()) as { id: string }];
  const postCached = a.id === b.id || cacheStatus(postB) === 'HIT';

  await worker.process.stop('SIGTERM', 10_000);
  const id = await postQuote(app.baseUrl, stl);
  if ((await statusOf(cached.baseUrl, id)) !== 'queued') throw new Error('expected queued');
  const restarted = await startWorker(redis, APP_ENV);
  const [directDoneAt, cachedDoneAt] = await Promise.all([
    waitForStatus(app.baseUrl, id, 'done', DONE_TIMEOUT_MS),
    waitForStatus(cached.baseUrl, id, 'done', DONE_TIMEOUT_MS),
  ]);
  const doneLagMs = Math.max(0, cachedDoneAt - directDoneAt);
  // One cache lifetime plus one poll interval of either poller.
  const doneLagWithinLimit = doneLagMs <= CACHE_VALID_SECONDS * 1000 + 2 * POLL_INTERVAL_MS;
  return {
    result: {
      doneLagMs: round(doneLagMs),
      doneLagWithinLimit,
      notFoundCached,
      invalidIdCached,
      postCached,
      hitOnRepeatedGet,
    },
    worker: restarted,
  };
}

function cacheIsCorrect(c: CorrectnessResult): boolean {
  return (
    c.doneLagWithinLimit &&
    c.hitOnRepeatedGet &&
    !c.notFoundCached &&
    !c.invalidIdCached &&
    !c.postCached
  );
}

/** The round with the median req/s, whole (its latencies belong to the same run). */
function medianResult(results: HttpLoadResult[]): HttpLoadResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)] as HttpLoadResult;
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

function nginxVersion(): string {
  return spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim();
}

function row(name: string, r: HttpLoadResult): string {
  return `| ${name} | ${round(r.requestsPerSecond, 0)} | ${r.p50Ms} | ${r.p99Ms} | ${r.requests} | ${r.non2xx} | ${r.errors} |`;
}

function report(results: {
  direct: HttpLoadResult;
  uncached: HttpLoadResult;
  cached: HttpLoadResult;
  roundRatios: number[];
  correctness: CorrectnessResult;
}) {
  const { direct, uncached, cached, roundRatios, correctness } = results;
  const ratios = {
    cachedVsUncachedRps: round(cached.requestsPerSecond / uncached.requestsPerSecond),
    cachedVsUncachedP99: round(cached.p99Ms / uncached.p99Ms),
    uncachedVsDirectRps: round(uncached.requestsPerSecond / direct.requestsPerSecond),
    cachedVsDirectRps: round(cached.requestsPerSecond / direct.requestsPerSecond),
  };
  // Real only if no single round falls short: one lucky round proves nothing.
  const gainIsReal = Math.min(...roundRatios) >= TARGET_RATIO;
  const environment = {
    node: process.version,
    nginx: nginxVersion(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadavg1m: round(loadavg()[0] ?? 0),
    connections: CONNECTIONS,
    measureSeconds: MEASURE_SECONDS,
    rounds: ROUNDS,
    quotes: QUOTES,
  };
  const json = {
    environment,
    direct,
    uncached,
    cached,
    ratios,
    roundRatiosCachedVsUncachedRps: roundRatios,
    targetRatio: TARGET_RATIO,
    gainIsReal,
    correctness,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'microcache.json'), `${JSON.stringify(json, null, 2)}\n`);
  const md = `# Microcache bench

GET /api/quotes/{id} (${QUOTES} finished quotes, round robin) with autocannon, ${CONNECTIONS}
connections, ${MEASURE_SECONDS} s after ${WARMUP_SECONDS} s warm-up, ${ROUNDS} interleaved rounds
(each row: the round with the median req/s), on ${environment.cpus} CPUs
(${environment.cpuModel}, load ${environment.loadavg1m}); ${environment.nginx}, 1 worker process,
upstream keepalive; app, worker, Redis, nginx and autocannon share the machine.

| target | req/s | p50 ms | p99 ms | requests | non-2xx | errors |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${row('app direct (anchor)', direct)}
${row('nginx, no cache', uncached)}
${row(`nginx, ${CACHE_VALID_SECONDS} s microcache`, cached)}

Ratios: cached/uncached req/s **${ratios.cachedVsUncachedRps}×** (target ≥ ${TARGET_RATIO}×),
cached/uncached p99 ${ratios.cachedVsUncachedP99}×, uncached/direct req/s
${ratios.uncachedVsDirectRps}×, cached/direct req/s ${ratios.cachedVsDirectRps}×.
Cached/uncached req/s per round: ${roundRatios.map((r) => `${r}×`).join(', ')}; the gain
${gainIsReal ? 'is' : 'is NOT'} at least ${TARGET_RATIO}× in every round of this run.

Correctness through the cache:
- queued → done visible through the cache ${correctness.doneLagMs} ms after the app direct
  showed it (limit ${CACHE_VALID_SECONDS} s + 2 poll intervals): ${correctness.doneLagWithinLimit ? 'ok' : 'FAILED'}
- repeated GET of a finished quote is a cache HIT: ${correctness.hitOnRepeatedGet ? 'yes' : 'NO'}
- 404 (unknown id) cached: ${correctness.notFoundCached ? 'YES (wrong)' : 'no'}
- 400 (invalid id) cached: ${correctness.invalidIdCached ? 'YES (wrong)' : 'no'}
- POST cached: ${correctness.postCached ? 'YES (wrong)' : 'no'}

${
  gainIsReal
    ? `A HIT is answered by nginx from its shared-memory index and page cache, with no Node
event loop, JSON serialization or Redis round trip; with 50 pollers on ${QUOTES} ids, at most
one request per id per second reaches the app (cache lock).`
    : `A status read is one Redis round trip plus JSON in the app, so the app is not slow to
begin with, and every request through nginx costs nginx CPU on the same cores.`
}

Reproduce: \`npx tsx --conditions=printq-source bench/microcache.bench.ts\`
`;
  writeFileSync(join(resultsDir, 'microcache.md'), md);
  console.log(md);
}

async function main(): Promise<void> {
  const redis = await RedisServer.start();
  let app: RunningApp | undefined;
  let worker: RunningWorker | undefined;
  const proxies: Nginx[] = [];
  try {
    app = await startApp(redis, APP_ENV);
    worker = await startWorker(redis, APP_ENV);
    const appPort = Number(new URL(app.baseUrl).port);
    progress('creating finished quotes');
    const ids = await createFinishedQuotes(app.baseUrl, QUOTES);
    const plain = await Nginx.start('plain', (port, dir) => plainConfig(port, dir, appPort));
    proxies.push(plain);
    const cached = await Nginx.start('cached', (port, dir) => microcacheConfig(port, dir, appPort));
    proxies.push(cached);

    progress('correctness through the cache');
    const checked = await checkCorrectness(app, cached, worker, redis);
    worker = checked.worker;

    const targets = { direct: app.baseUrl, uncached: plain.baseUrl, cached: cached.baseUrl };
    const rounds: Record<keyof typeof targets, HttpLoadResult>[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const results: Partial<Record<keyof typeof targets, HttpLoadResult>> = {};
      for (const [name, url] of Object.entries(targets) as [keyof typeof targets, string][]) {
        progress(`round ${round}/${ROUNDS}: ${name}`);
        results[name] = await load(url, ids);
      }
      rounds.push(results as Record<keyof typeof targets, HttpLoadResult>);
    }
    const direct = medianResult(rounds.map((r) => r.direct));
    const uncached = medianResult(rounds.map((r) => r.uncached));
    const cachedLoad = medianResult(rounds.map((r) => r.cached));
    const roundRatios = rounds.map((r) =>
      round(r.cached.requestsPerSecond / r.uncached.requestsPerSecond),
    );
    report({ direct, uncached, cached: cachedLoad, roundRatios, correctness: checked.result });
    if (!cacheIsCorrect(checked.result)) process.exitCode = 1;
  } finally {
    await Promise.all(proxies.map((p) => p.stop()));
    await stopAll([worker?.process, app?.process]);
    await redis.dispose();
  }
}

await main();
