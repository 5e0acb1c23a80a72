import { Writable } from 'node:stream';

import pino from 'pino';
import { RedisServer } from '../../test/helpers/redis.js';
import { loadAppConfig } from '../src/config.js';
import { PROBLEMS, PROBLEM_BASE_URI, type ProblemKind } from '../src/problems.js';
import { buildApp, type PrintqApp } from '../src/server.js';

/** Every log line of the app under test, to assert nothing is logged at error level. */
const logLines: Array<{ level: number; msg: string }> = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      logLines.push(JSON.parse(line));
    done();
  },
});

let redis: RedisServer;
let app: PrintqApp;
let baseUrl: string;

beforeAll(async () => {
  redis = await RedisServer.start();
  const config = loadAppConfig({ REDIS_URL: redis.url, LOG_LEVEL: 'info' });
  app = await buildApp(config, pino({ level: 'info' }, capture));
  baseUrl = await app.server.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  await redis?.dispose();
});

const ERROR_LEVEL = 50;

async function expectProblem(response: Response, kind: ProblemKind, detail: RegExp) {
  const text = await response.text();
  expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({
    status: PROBLEMS[kind].status,
    type: 'application/problem+json; charset=utf-8',
  });
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body).toMatchObject({ type: PROBLEM_BASE_URI + kind, status: PROBLEMS[kind].status });
  expect(body.detail).toMatch(detail);
  return { body, text };
}

describe('malformed multipart bodies', () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['without a boundary', { 'content-type': 'multipart/form-data' }, 'x'],
    ['with a boundary but garbage', { 'content-type': 'multipart/form-data; boundary=XX' }, 'gar'],
    [
      'cut off in the middle of a part',
      { 'content-type': 'multipart/form-data; boundary=XX' },
      '--XX\r\ncontent-disposition: form-data; name="file"; filename="a.stl"\r\n\r\nsolid',
    ],
  ];

  it.each(cases)(
    'answers a body %s with 400 bad-request, not 500',
    async (_name, headers, body) => {
      const before = logLines.length;
      const response = await fetch(`${baseUrl}/api/quotes`, { method: 'POST', headers, body });
      await expectProblem(response, 'bad-request', /multipart/i);
      expect(logLines.slice(before).filter((line) => line.level >= ERROR_LEVEL)).toEqual([]);
    },
  );
});

describe('routing errors are problem+json too', () => {
  it('answers an over-long id with 414 without echoing the URL', async () => {
    const id = 'a'.repeat(5000);
    const { text } = await expectProblem(
      await fetch(`${baseUrl}/api/quotes/${id}`),
      'uri-too-long',
      /too long/,
    );
    expect(text).not.toContain(id);
  });

  it('answers an undecodable path with 400 bad-request', async () => {
    await expectProblem(await fetch(`${baseUrl}/api/quotes/%ff%00`), 'bad-request', /URL/);
  });

  it.each([
    ['PUT', '/api/quotes', 'POST'],
    ['DELETE', '/api/quotes', 'POST'],
    ['GET', '/api/quotes', 'POST'],
    ['DELETE', '/api/quotes/0b7e6f7c-4b1e-4c8e-9a55-5c3d2f1e0a9b', 'GET, HEAD'],
    ['POST', '/api/quotes/0b7e6f7c-4b1e-4c8e-9a55-5c3d2f1e0a9b', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const response = await fetch(baseUrl + path, { method });
    expect(response.headers.get('allow')).toBe(allow);
    await expectProblem(response, 'method-not-allowed', new RegExp(`${method}.*${allow}`));
  });
});

describe('job ids', () => {
  it('accepts an uppercase UUID as the same id in lowercase', async () => {
    const response = await fetch(`${baseUrl}/api/quotes/0B7E6F7C-4B1E-4C8E-9A55-5C3D2F1E0A9B`);
    await expectProblem(response, 'job-not-found', /0b7e6f7c-4b1e-4c8e-9a55-5c3d2f1e0a9b/);
  });
});
