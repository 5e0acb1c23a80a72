/**
 * Log hygiene of the real processes: one startup line for the app, and one warning (not a
 * stack trace per reconnect) for a Redis outage in the worker. Real redis-server, real app
 * and worker processes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  startApp,
  startWorker,
  type RunningApp,
  type RunningWorker,
} from '../helpers/processes.js';
import { RedisServer } from '../helpers/redis.js';

const WARN = 40;
/** Long enough for a few dozen reconnect attempts of the worker. */
const OUTAGE_MS = 3000;

let redis: RedisServer;
let app: RunningApp;
let worker: RunningWorker;

beforeAll(async () => {
  redis = await RedisServer.start();
  [app, worker] = await Promise.all([startApp(redis), startWorker(redis)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([app?.process.stop(), worker?.process.stop()]);
  await redis?.dispose();
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error('condition not met in time');
}

describe('process logs', () => {
  it('the app announces that it listens exactly once', () => {
    const listening = app.process.logs().filter((line) => /listening/i.test(String(line.msg)));
    expect(listening).toHaveLength(1);
  });

  it('the worker warns once per Redis outage, without a stack, and says when Redis is back', async () => {
    const before = worker.process.logs().length;
    await redis.stop();
    await sleep(OUTAGE_MS);
    await redis.start();
    await until(() =>
      worker.process
        .logs()
        .slice(before)
        .some((line) => line.msg === 'redis available again'),
    );

    const lines = worker.process.logs().slice(before);
    const warnings = lines.filter((line) => Number(line.level) >= WARN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ msg: 'redis unavailable; retrying', code: 'ECONNREFUSED' });
    expect(JSON.stringify(lines)).not.toContain('"stack"');
  }, 60_000);
});
