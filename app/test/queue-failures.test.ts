import { createLogger, meshKey } from '@printq/shared';
import { setTimeout as sleep } from 'node:timers/promises';
import { binaryStl, box } from '../../scripts/lib/stl-writer.js';
import { RedisServer } from '../../test/helpers/redis.js';
import { loadAppConfig } from '../src/config.js';
import { PROBLEM_BASE_URI } from '../src/problems.js';
import { buildApp, type PrintqApp } from '../src/server.js';

/** A mesh large enough to push a Redis with little headroom over maxmemory. */
const bigMesh = binaryStlOf(10_000);
const cube = binaryStl(box(10, 10, 10), 'cube');

/** A binary STL of `triangles` (degenerate) triangles: 80-byte header, count, 50 B each. */
function binaryStlOf(triangles: number): Buffer {
  const bytes = Buffer.alloc(84 + 50 * triangles);
  bytes.writeUInt32LE(triangles, 80);
  return bytes;
}

let redis: RedisServer;
let app: PrintqApp;
let baseUrl: string;

beforeAll(async () => {
  redis = await RedisServer.start();
  const config = loadAppConfig({
    REDIS_URL: redis.url,
    LOG_LEVEL: 'silent',
    READINESS_CACHE_MS: '10',
    MAX_UPLOAD_BYTES: String(4 * 1024 * 1024),
  });
  app = await buildApp(config, createLogger('queue-failures-test', { level: 'silent' }));
  baseUrl = await app.server.listen({ host: '127.0.0.1', port: 0 });
  // The producer connection must be up first, or the first answer is "disconnected".
  await until(async () => (await fetch(`${baseUrl}/readyz`)).status === 200);
});

afterAll(async () => {
  await app?.close();
  await redis?.dispose();
});

function upload(mesh: Buffer, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl}/api/quotes`, {
    method: 'POST',
    body: mesh,
    headers: { 'content-type': 'model/stl', ...headers },
  });
}

function meshKeys(): string[] {
  return redis.cli('--scan', '--pattern', meshKey('*')).split('\n').filter(Boolean);
}

async function failureCount(reason: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const match = new RegExp(`printq_app_enqueue_failures_total\\{reason="${reason}"\\} (\\d+)`);
  return Number(match.exec(text)?.[1]);
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error('condition not met in time');
}

describe('a Redis out of memory (noeviction)', () => {
  afterEach(() => {
    redis.cli('CONFIG', 'SET', 'maxmemory', '0');
  });

  it('answers 503 queue-full with Retry-After, counts redis-oom and leaves no mesh behind', async () => {
    const used = Number(/used_memory:(\d+)/.exec(redis.cli('INFO', 'memory'))?.[1]);
    redis.cli('CONFIG', 'SET', 'maxmemory', String(used + 128 * 1024));
    const before = await failureCount('redis-oom');

    // The mesh fits under the limit, then the job add is refused: the mesh must not stay.
    const response = await upload(bigMesh);
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(body).toMatchObject({ type: `${PROBLEM_BASE_URI}queue-full`, reason: 'redis-oom' });
    expect(body.detail).toMatch(/out of memory.*was not accepted/);
    expect(await failureCount('redis-oom')).toBe(before + 1);
    await until(() => meshKeys().length === 0);
  });

  it('turns readiness false while Redis is full and true again once it has room', async () => {
    const used = Number(/used_memory:(\d+)/.exec(redis.cli('INFO', 'memory'))?.[1]);
    redis.cli('CONFIG', 'SET', 'maxmemory', String(Math.floor(used / 2)));
    const full = await fetch(`${baseUrl}/readyz`);
    expect(full.status).toBe(503);
    expect(await full.json()).toMatchObject({ redis: 'full', detail: /out of memory/ });

    redis.cli('CONFIG', 'SET', 'maxmemory', '0');
    await until(async () => (await fetch(`${baseUrl}/readyz`)).status === 200);
  });
});

describe('the mesh of an accepted quote', () => {
  it('lives for MESH_TTL_SECONDS once its job is added', async () => {
    const { id } = (await (await upload(cube)).json()) as { id: string };
    expect(Number(redis.cli('TTL', meshKey(id)))).toBeGreaterThan(3600);
  });
});

describe('503 answers say what happened', () => {
  it('says the queue is not connected (not "did not answer in time") when Redis is down', async () => {
    await redis.stop();
    try {
      await until(async () => (await fetch(`${baseUrl}/readyz`)).status === 503);
      const response = await upload(cube, { 'idempotency-key': 'down-1' });
      const body = (await response.json()) as Record<string, unknown>;
      expect(response.status).toBe(503);
      expect(body).toMatchObject({ reason: 'disconnected' });
      expect(body.detail).toMatch(/not connected/);
      expect(body.detail).not.toMatch(/in time/);

      const read = await fetch(`${baseUrl}/api/quotes/0b7e6f7c-4b1e-4c8e-9a55-5c3d2f1e0a9b`);
      const readBody = (await read.json()) as Record<string, unknown>;
      expect(read.status).toBe(503);
      expect(readBody.detail).not.toMatch(/accepted/);
    } finally {
      await redis.start();
    }
  });

  it('says a quote that met the deadline may not have been accepted, and to reuse the key', async () => {
    await until(async () => (await fetch(`${baseUrl}/readyz`)).status === 200);
    redis.cli('CLIENT', 'PAUSE', '2500', 'WRITE');
    const response = await upload(cube, { 'idempotency-key': 'paused-1' });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(503);
    expect(body).toMatchObject({ reason: 'deadline' });
    expect(body.detail).toMatch(/may not have been accepted.*same Idempotency-Key/);
  });
});
