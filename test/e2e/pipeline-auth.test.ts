/**
 * The programs as deployed: Redis with a password that the app and the worker read from a
 * mounted secret file (REDIS_PASSWORD_FILE), host and port as separate settings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { binaryStl, box } from '../../scripts/lib/stl-writer.js';
import {
  startApp,
  startWorker,
  stopAll,
  type RunningApp,
  type RunningWorker,
} from '../helpers/processes.js';
import { RedisServer } from '../helpers/redis.js';

const PASSWORD = 'correct horse battery staple';

let redis: RedisServer;
let app: RunningApp;
let worker: RunningWorker;
const secretsDir = mkdtempSync(join(tmpdir(), 'printq-secrets-'));

beforeAll(async () => {
  redis = await RedisServer.start({ password: PASSWORD });
  const passwordFile = join(secretsDir, 'redis-password');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  const env = {
    REDIS_URL: '',
    REDIS_HOST: redis.host,
    REDIS_PORT: String(redis.port),
    REDIS_PASSWORD_FILE: passwordFile,
    LOG_LEVEL: 'warn',
  };
  [app, worker] = await Promise.all([startApp(redis, env), startWorker(redis, env)]);
}, 120_000);

afterAll(async () => {
  await stopAll([app?.process, worker?.process]);
  await redis?.dispose();
  rmSync(secretsDir, { recursive: true, force: true });
});

describe('Redis with a password from a secret file', () => {
  it('lets the app accept and the worker quote a file', async () => {
    const response = await fetch(`${app.baseUrl}/api/quotes?material=abs&infill=100`, {
      method: 'POST',
      headers: { 'content-type': 'model/stl' },
      body: binaryStl(box(10, 10, 10), 'auth test'),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };

    let job: { status: string; result?: { volumeMm3: number; material: string } } = {
      status: 'queued',
    };
    for (let i = 0; i < 200 && job.status !== 'done' && job.status !== 'failed'; i++) {
      await sleep(100);
      job = (await (await fetch(`${app.baseUrl}/api/quotes/${id}`)).json()) as typeof job;
    }
    expect(job.status).toBe('done');
    expect(job.result).toMatchObject({ volumeMm3: 1000, material: 'abs' });
  }, 60_000);

  it('keeps the password out of the logs', () => {
    const output = [...app.process.lines, ...worker.process.lines].join('\n');
    expect(output).not.toContain(PASSWORD);
  });
});
