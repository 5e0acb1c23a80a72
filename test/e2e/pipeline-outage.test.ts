/**
 * Scenario 2: Redis stopped, paused (CLIENT PAUSE) or asleep (DEBUG SLEEP) → every POST is
 * answered 503 + Retry-After within the enqueue deadline, /readyz turns false, and the app
 * accepts quotes again by itself when Redis is back. Real app process, real redis-server.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { binaryStl, box } from '../../scripts/lib/stl-writer.js';
import { startApp, type RunningApp } from '../helpers/processes.js';
import { RedisServer } from '../helpers/redis.js';

/** The app's default deadline: this test runs the app with default settings. */
const DEADLINE_MS = 1000;
/**
 * Slack between the app's timer and the client's clock: both processes share two cores with
 * the rest of the suite, and event-loop lag under that load is a few hundred ms at worst.
 */
const MARGIN_MS = 400;
const CONCURRENCY = 25;
const cube = binaryStl(box(10, 10, 10), 'outage test');

let redis: RedisServer;
let app: RunningApp;

beforeAll(async () => {
  redis = await RedisServer.start({ args: ['--enable-debug-command', 'yes'] });
  app = await startApp(redis);
}, 90_000);

afterAll(async () => {
  await app?.process.stop();
  await redis?.dispose();
});

interface Outcome {
  status: number;
  latencyMs: number;
  retryAfter: string | null;
  contentType: string | null;
  problemType?: string;
}

async function postQuote(): Promise<Outcome> {
  const started = performance.now();
  const response = await fetch(`${app.baseUrl}/api/quotes`, {
    method: 'POST',
    headers: { 'content-type': 'model/stl' },
    body: cube,
  });
  const body = (await response.json()) as { type?: string };
  return {
    status: response.status,
    latencyMs: performance.now() - started,
    retryAfter: response.headers.get('retry-after'),
    contentType: response.headers.get('content-type'),
    problemType: body.type,
  };
}

/** `count` POSTs, `CONCURRENCY` at a time. */
async function burst(count: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      outcomes.push(await postQuote());
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return outcomes;
}

function expectAllUnavailableWithinDeadline(outcomes: Outcome[], count: number): void {
  const statuses = outcomes.map((o) => o.status);
  const latencies = outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
  const maxLatencyMs = latencies.at(-1) ?? 0;
  const p50 = latencies[Math.floor(latencies.length / 2)] ?? 0;
  console.log(
    `${outcomes.length} POSTs: ${statuses.filter((s) => s === 503).length} × 503, ` +
      `latency p50 ${p50.toFixed(0)} ms, max ${maxLatencyMs.toFixed(0)} ms ` +
      `(first ${outcomes.slice(0, 5).map((o) => o.latencyMs.toFixed(0))})`,
  );
  expect(outcomes).toHaveLength(count);
  expect(statuses.filter((s) => s !== 503)).toEqual([]);
  expect(outcomes.filter((o) => o.retryAfter !== '2')).toEqual([]);
  expect(outcomes.filter((o) => !o.contentType?.startsWith('application/problem+json'))).toEqual(
    [],
  );
  expect(new Set(outcomes.map((o) => o.problemType))).toEqual(
    new Set(['https://printq.dev/problems/queue-unavailable']),
  );
  expect(maxLatencyMs).toBeLessThan(DEADLINE_MS + MARGIN_MS);
}

async function readyStatus(): Promise<number> {
  return (await fetch(`${app.baseUrl}/readyz`)).status;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function waitForRecovery(): Promise<void> {
  await waitFor('202 after recovery', async () => (await postQuote()).status === 202);
  await waitFor('/readyz 200 after recovery', async () => (await readyStatus()) === 200);
}

describe('the app when Redis is unavailable', () => {
  it('accepts quotes while Redis is up', async () => {
    expect((await postQuote()).status).toBe(202);
    expect(await readyStatus()).toBe(200);
  });

  it('answers 400 POSTs with 503 + Retry-After within the deadline while Redis is stopped, then recovers', async () => {
    await redis.stop();
    await waitFor('/readyz 503', async () => (await readyStatus()) === 503);

    expectAllUnavailableWithinDeadline(await burst(400), 400);
    expect(await readyStatus()).toBe(503);

    await redis.start();
    await waitForRecovery();
  }, 90_000);

  it('answers 200 POSTs with 503 within the deadline while Redis is paused (CLIENT PAUSE)', async () => {
    expect(redis.cli('CLIENT', 'PAUSE', '15000', 'ALL')).toBe('OK');
    try {
      const [outcomes] = await Promise.all([
        burst(200),
        waitFor('/readyz 503', async () => (await readyStatus()) === 503, 5000),
      ]);
      expectAllUnavailableWithinDeadline(outcomes, 200);
    } finally {
      redis.cli('CLIENT', 'UNPAUSE');
    }
    await waitForRecovery();
  }, 90_000);

  it('answers 200 POSTs with 503 within the deadline while Redis is asleep (DEBUG SLEEP)', async () => {
    const sleeper = spawn('redis-cli', ['-p', String(redis.port), 'DEBUG', 'SLEEP', '12'], {
      stdio: 'ignore',
    });
    const woke = new Promise((resolve) => sleeper.once('exit', resolve));
    await sleep(200);
    const [outcomes] = await Promise.all([
      burst(200),
      waitFor('/readyz 503', async () => (await readyStatus()) === 503, 5000),
    ]);
    expectAllUnavailableWithinDeadline(outcomes, 200);
    await woke;
    await waitForRecovery();
  }, 90_000);

  it('starts while Redis is down, answers 503, and accepts quotes once Redis appears', async () => {
    await redis.stop();
    const late = await startApp(redis, {}, { waitReady: false });
    try {
      const refused = await fetch(`${late.baseUrl}/api/quotes`, {
        method: 'POST',
        headers: { 'content-type': 'model/stl' },
        body: cube,
      });
      expect(refused.status).toBe(503);
      expect((await fetch(`${late.baseUrl}/readyz`)).status).toBe(503);

      await redis.start();
      await waitFor('the late app to accept a quote', async () => {
        const response = await fetch(`${late.baseUrl}/api/quotes`, {
          method: 'POST',
          headers: { 'content-type': 'model/stl' },
          body: cube,
        });
        return response.status === 202;
      });
    } finally {
      await late.process.stop();
    }
    await waitForRecovery();
  }, 90_000);

  it('counts the refused enqueues by reason in /metrics', async () => {
    const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
    const count = (reason: string) =>
      Number(new RegExp(`enqueue_failures_total\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1]);
    expect(count('disconnected')).toBeGreaterThanOrEqual(400);
    expect(count('deadline') + count('command-timeout')).toBeGreaterThanOrEqual(400);
  });
});
