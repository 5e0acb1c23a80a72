import { createLogger, meshKey, QUOTE_QUEUE } from '@printq/shared';
import { Queue } from 'bullmq';
import { binaryStl, box } from '../../scripts/lib/stl-writer.js';
import { RedisServer } from '../../test/helpers/redis.js';
import { loadAppConfig } from '../src/config.js';
import { PROBLEMS, PROBLEM_BASE_URI, type ProblemKind } from '../src/problems.js';
import { buildApp, type PrintqApp } from '../src/server.js';

const MAX_UPLOAD_BYTES = 4096;
const cube = binaryStl(box(10, 10, 10), 'test cube');

let redis: RedisServer;
let app: PrintqApp;
let baseUrl: string;
let queue: Queue;

beforeAll(async () => {
  redis = await RedisServer.start();
  const config = loadAppConfig({
    REDIS_URL: redis.url,
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
    LOG_LEVEL: 'silent',
  });
  app = await buildApp(config, createLogger('app-test', { level: 'silent' }));
  baseUrl = await app.server.listen({ host: '127.0.0.1', port: 0 });
  queue = new Queue(QUOTE_QUEUE, { connection: { host: redis.host, port: redis.port } });
});

afterAll(async () => {
  await queue?.close();
  await app?.close();
  await redis?.dispose();
});

function post(body: RequestInit['body'], headers: Record<string, string> = {}, query = '') {
  return fetch(`${baseUrl}/api/quotes${query}`, { method: 'POST', body, headers });
}

function stlPost(bytes: Buffer, query = '', headers: Record<string, string> = {}) {
  return post(bytes, { 'content-type': 'model/stl', ...headers }, query);
}

function form(files: Array<[string, Buffer]>, fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  for (const [name, bytes] of files) data.append('file', new Blob([bytes]), name);
  return data;
}

async function expectProblem(response: Response, kind: ProblemKind, detail: RegExp) {
  const body = (await response.json()) as Record<string, unknown>;
  expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({
    status: PROBLEMS[kind].status,
    type: 'application/problem+json; charset=utf-8',
  });
  expect(body).toMatchObject({
    type: PROBLEM_BASE_URI + kind,
    title: PROBLEMS[kind].title,
    status: PROBLEMS[kind].status,
  });
  expect(body.detail).toMatch(detail);
  return body;
}

describe('POST /api/quotes refuses bad input with a problem+json answer', () => {
  const truncated = cube.subarray(0, cube.length - 7);
  const cases: Array<[string, () => Promise<Response>, ProblemKind, RegExp]> = [
    ['an empty STL body', () => stlPost(Buffer.alloc(0)), 'empty-body', /empty/],
    ['no body and no content type', () => post(undefined), 'empty-body', /empty/],
    [
      'a text/plain body',
      () => post('hello', { 'content-type': 'text/plain' }),
      'unsupported-media-type',
      /model\/stl/,
    ],
    [
      'a JSON body',
      () => post('{"a":1}', { 'content-type': 'application/json' }),
      'unsupported-media-type',
      /multipart/,
    ],
    [
      'a body over the limit',
      () => stlPost(Buffer.alloc(MAX_UPLOAD_BYTES + 1)),
      'payload-too-large',
      /4096 bytes/,
    ],
    [
      'a multipart file over the limit',
      () => post(form([['big.stl', Buffer.alloc(MAX_UPLOAD_BYTES + 1)]])),
      'payload-too-large',
      /4096 bytes/,
    ],
    [
      'a truncated binary STL',
      () => stlPost(truncated),
      'not-stl',
      /declares 12 triangles.*684 bytes.*677 bytes/,
    ],
    ['a short non-STL file', () => stlPost(Buffer.from('hello world')), 'not-stl', /too short/],
    [
      'an ASCII solid without facets',
      () => stlPost(Buffer.from('solid empty\nendsolid empty\n')),
      'not-stl',
      /no "facet"/,
    ],
    [
      'an unknown material',
      () => stlPost(cube, '?material=gold'),
      'invalid-parameter',
      /material: "gold".*allowed: pla, petg, abs, tpu, nylon/,
    ],
    [
      'an infill above 100',
      () => stlPost(cube, '?infill=101'),
      'invalid-parameter',
      /infill: "101".*0 to 100/,
    ],
    ['a negative infill', () => stlPost(cube, '?infill=-5'), 'invalid-parameter', /infill: "-5"/],
    [
      'a non-numeric infill field',
      () => post(form([['a.stl', cube]], { infill: 'lots' })),
      'invalid-parameter',
      /infill: "lots"/,
    ],
    [
      'two files in one form',
      () =>
        post(
          form([
            ['a.stl', cube],
            ['b.stl', cube],
          ]),
        ),
      'bad-request',
      /exactly one file/,
    ],
    ['a form without a file', () => post(form([], { material: 'pla' })), 'empty-body', /no file/],
    [
      'an Idempotency-Key with spaces',
      () => stlPost(cube, '', { 'idempotency-key': 'a b' }),
      'invalid-idempotency-key',
      /visible ASCII/,
    ],
    [
      'an Idempotency-Key of 256 characters',
      () => stlPost(cube, '', { 'idempotency-key': 'k'.repeat(256) }),
      'invalid-idempotency-key',
      /1 to 255/,
    ],
  ];

  it.each(cases)('answers %s with the catalog problem', async (_name, send, kind, detail) => {
    await expectProblem(await send(), kind, detail);
  });

  it('reports every invalid parameter at once, each with the allowed values', async () => {
    const body = await expectProblem(
      await stlPost(cube, '?material=wood&infill=x'),
      'invalid-parameter',
      /material.*infill/,
    );
    expect(body['invalid-params']).toEqual([
      { name: 'material', reason: expect.stringContaining('allowed: pla, petg') },
      { name: 'infill', reason: expect.stringContaining('from 0 to 100') },
    ]);
  });

  it('queues nothing for refused input', async () => {
    const counts = await queue.getJobCounts('wait', 'active', 'completed', 'failed');
    const before = Object.values(counts).reduce((a, b) => a + b, 0);
    await stlPost(cube.subarray(0, 100));
    const after = await queue.getJobCounts('wait', 'active', 'completed', 'failed');
    expect(Object.values(after).reduce((a, b) => a + b, 0)).toBe(before);
  });
});

describe('POST /api/quotes accepts STL files', () => {
  it('answers 202 with the job id, a self link and Location, and stores the mesh', async () => {
    const response = await stlPost(cube, '?material=petg&infill=35');
    const body = (await response.json()) as { id: string; status: string; links: { self: string } };
    expect(response.status).toBe(202);
    expect(body.status).toBe('queued');
    expect(body.links.self).toBe(`/api/quotes/${body.id}`);
    expect(response.headers.get('location')).toBe(body.links.self);
    const job = await queue.getJob(body.id);
    expect(job?.data).toEqual({
      kind: 'quote',
      meshKey: meshKey(body.id),
      material: 'petg',
      infillPercent: 35,
      sizeBytes: cube.length,
    });
    expect(job?.opts.attempts).toBe(3);
    expect(redis.cli('STRLEN', meshKey(body.id))).toBe(String(cube.length));
    expect(Number(redis.cli('TTL', meshKey(body.id)))).toBeGreaterThan(3600);
  });

  it('takes the file, material and infill from a multipart form', async () => {
    const response = await post(form([['part.stl', cube]], { material: 'nylon', infill: '60' }));
    const { id } = (await response.json()) as { id: string };
    expect(response.status).toBe(202);
    const job = await queue.getJob(id);
    expect(job?.data).toMatchObject({ material: 'nylon', infillPercent: 60, fileName: 'part.stl' });
  });

  it('accepts an ASCII STL as application/octet-stream', async () => {
    const ascii = Buffer.from(
      'solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\n' +
        'endloop\nendfacet\nendsolid t\n',
    );
    const response = await post(ascii, { 'content-type': 'application/octet-stream' });
    expect(response.status).toBe(202);
  });
});

describe('Idempotency-Key', () => {
  it('gives the same job for the same key and request, and adds the job once', async () => {
    const headers = { 'idempotency-key': 'order-4711' };
    const first = await stlPost(cube, '?material=abs', headers);
    const second = await stlPost(cube, '?material=abs', headers);
    const [a, b] = (await Promise.all([first.json(), second.json()])) as Array<{ id: string }>;
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(b?.id).toBe(a?.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const jobs = await queue.getJobs(['wait', 'active', 'completed', 'failed']);
    expect(jobs.filter((job) => job.id === a?.id)).toHaveLength(1);
  });

  it('dedupes concurrent requests with the same key into one job', async () => {
    const headers = { 'idempotency-key': 'burst-1' };
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => stlPost(cube, '', headers)),
    );
    const ids = new Set(
      await Promise.all(responses.map(async (r) => ((await r.json()) as { id: string }).id)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(ids.size).toBe(1);
  });

  it('refuses the same key with a different file or material (422)', async () => {
    const headers = { 'idempotency-key': 'order-4712' };
    expect((await stlPost(cube, '', headers)).status).toBe(202);
    const otherFile = binaryStl(box(5, 5, 5), 'other');
    await expectProblem(await stlPost(otherFile, '', headers), 'idempotency-key-reused', /new key/);
    await expectProblem(
      await stlPost(cube, '?material=tpu', headers),
      'idempotency-key-reused',
      /different file or parameters/,
    );
  });
});

describe('GET /api/quotes/:id', () => {
  it('answers 400 for a malformed id', async () => {
    await expectProblem(await fetch(`${baseUrl}/api/quotes/not-a-uuid`), 'invalid-job-id', /UUID/);
  });

  it('answers 404 for an unknown id', async () => {
    const response = await fetch(`${baseUrl}/api/quotes/0b7e6f7c-4b1e-4c8e-9a55-5c3d2f1e0a9b`);
    await expectProblem(response, 'job-not-found', /0b7e6f7c/);
  });

  it('shows a queued job as queued with its kind and creation time', async () => {
    const { id } = (await (await stlPost(cube)).json()) as { id: string };
    const job = (await (await fetch(`${baseUrl}/api/quotes/${id}`)).json()) as Record<
      string,
      unknown
    >;
    expect(job).toMatchObject({ id, status: 'queued', kind: 'quote', attemptsMade: 0 });
    expect(Date.parse(String(job.createdAt))).toBeGreaterThan(Date.now() - 60_000);
  });

  it('answers unknown routes with a not-found problem', async () => {
    await expectProblem(await fetch(`${baseUrl}/api/nothing`), 'not-found', /GET \/api\/nothing/);
  });
});

describe('operations endpoints', () => {
  it('reports alive and ready while Redis answers', async () => {
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', redis: 'ok' });
  });

  it('exposes request counts, latency and the queue depth to Prometheus', async () => {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(text).toMatch(
      /printq_app_http_requests_total\{method="POST",route="\/api\/quotes",status="202"\} \d+/,
    );
    expect(text).toMatch(
      /printq_app_http_requests_total\{method="POST",route="\/api\/quotes",status="422"\} \d+/,
    );
    expect(text).toContain('printq_app_http_request_duration_seconds_bucket');
    expect(text).toMatch(/printq_app_enqueue_failures_total\{reason="deadline"\} 0/);
    expect(text).toMatch(/printq_app_queue_depth [1-9]\d*/);
  });

  it('serves an OpenAPI 3.1 document describing every API route and problem type', async () => {
    const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: { Problem: { properties: { type: { enum: string[] } } } } };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/quotes',
        '/api/quotes/{id}',
        '/healthz',
        '/readyz',
        '/metrics',
      ]),
    );
    expect(Object.keys(doc.paths['/api/quotes']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['202', '400', '413', '415', '422', '503']),
    );
    expect(doc.components.schemas.Problem.properties.type.enum).toHaveLength(
      Object.keys(PROBLEMS).length,
    );
  });
});
