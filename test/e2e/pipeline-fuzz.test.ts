/**
 * A small property test of the whole pipeline: mutated STL files (truncated, bytes flipped,
 * counts changed, text garbled, pure noise) posted to the real app and quoted by a real
 * worker. Property: no 5xx ever (Redis is up, so not even the 503), every refusal is a
 * problem+json answer, every accepted file ends done or failed with a catalogued code, and
 * the worker survives all of it.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { asciiStl, binaryStl, box, tube } from '../../scripts/lib/stl-writer.js';
import { WORKER_FAILURES } from '../../worker/src/failures.js';
import { STL_ERROR_CODES } from '../../worker/src/stl/index.js';
import {
  REPO_ROOT,
  startApp,
  startWorker,
  stopAll,
  type RunningApp,
  type RunningWorker,
} from '../helpers/processes.js';
import { RedisServer } from '../helpers/redis.js';
import { seededRandom } from '../helpers/random.js';

const CASES = 200;
const CONCURRENCY = 8;
const SETTLE_TIMEOUT_MS = 90_000;
const EXPECTED_STATUSES = new Set([202, 400, 413, 415, 422]);
/** Failure codes a client may see for bad input; `transient` or `internal` would be bugs. */
const INPUT_FAILURE_CODES = new Set([
  ...Object.keys(STL_ERROR_CODES),
  ...Object.keys(WORKER_FAILURES).filter((code) => code !== 'transient'),
]);

let redis: RedisServer;
let app: RunningApp;
let worker: RunningWorker;

beforeAll(async () => {
  redis = await RedisServer.start();
  [app, worker] = await Promise.all([
    startApp(redis, { LOG_LEVEL: 'warn', MAX_UPLOAD_BYTES: String(256 * 1024) }),
    startWorker(redis, { LOG_LEVEL: 'warn' }),
  ]);
}, 120_000);

afterAll(async () => {
  await stopAll([app?.process, worker?.process]);
  await redis?.dispose();
});

const SEEDS: Buffer[] = [
  binaryStl(box(10, 20, 30), 'fuzz box'),
  asciiStl(tube(10, 6, 15, 12), 'fuzz_tube'),
  readFileSync(`${REPO_ROOT}/node_modules/stl-models/misc/multiWordName.bin.stl`),
  readFileSync(`${REPO_ROOT}/node_modules/stl-models/misc/namelessSolid.ascii.stl`),
];

type Mutation = (input: Buffer, random: () => number) => Buffer;

const pick = <T>(items: readonly T[], random: () => number): T =>
  items[Math.floor(random() * items.length)] as T;

const MUTATIONS: Record<string, Mutation> = {
  truncate: (input, random) => input.subarray(0, Math.floor(random() * input.length)),
  flipBytes: (input, random) => {
    const out = Buffer.from(input);
    const flips = 1 + Math.floor(random() * 20);
    for (let i = 0; i < flips; i++) out[Math.floor(random() * out.length)] = random() * 256;
    return out;
  },
  changeCount: (input, random) => {
    const out = Buffer.from(input);
    if (out.length >= 84) out.writeUInt32LE(Math.floor(random() * 2 ** 32), 80);
    return out;
  },
  noise: (_input, random) => {
    const out = Buffer.alloc(Math.floor(random() * 3000));
    for (let i = 0; i < out.length; i++) out[i] = random() * 256;
    return out;
  },
  garbleToken: (input, random) => {
    const words = input.toString('latin1').split(/(\s+)/);
    const junk = ['facet', 'vertex', 'endloop', '1e999', '-', 'nan', '', 'solid', 'ÿ', '0x1p3'];
    for (let i = 0; i < 3; i++) words[Math.floor(random() * words.length)] = pick(junk, random);
    return Buffer.from(words.join(''), 'latin1');
  },
  dropLines: (input, random) => {
    const lines = input.toString('latin1').split('\n');
    return Buffer.from(lines.filter(() => random() > 0.1).join('\n'), 'latin1');
  },
  appendJunk: (input, random) => Buffer.concat([input, Buffer.from(`junk ${random()}\n`)]),
};

async function post(body: Buffer, random: () => number): Promise<Response> {
  const url = `${app.baseUrl}/api/quotes`;
  if (random() < 0.25) {
    const form = new FormData();
    form.append('file', new Blob([body]), 'fuzz.stl');
    return fetch(url, { method: 'POST', body: form });
  }
  const type = pick(['model/stl', 'application/octet-stream', 'application/sla'], random);
  return fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
}

interface CaseOutcome {
  mutation: string;
  status: number;
  contentType: string;
  jobId?: string;
}

async function runCase(index: number, random: () => number): Promise<CaseOutcome> {
  const mutation = pick(Object.keys(MUTATIONS), random);
  const input = (MUTATIONS[mutation] as Mutation)(SEEDS[index % SEEDS.length] as Buffer, random);
  const response = await post(input, random);
  const body = (await response.json()) as { id?: string };
  return {
    mutation,
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    jobId: response.status === 202 ? body.id : undefined,
  };
}

interface JobView {
  status: string;
  error?: { code: string; message: string };
}

async function settle(id: string): Promise<JobView> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const view = (await (await fetch(`${app.baseUrl}/api/quotes/${id}`)).json()) as JobView;
    if (view.status === 'done' || view.status === 'failed') return view;
    await sleep(100);
  }
  throw new Error(`job ${id} did not settle`);
}

describe('mutated STL files posted to the pipeline', () => {
  it('never cause a 5xx, and every accepted one ends done or failed with a catalogued code', async () => {
    const seed = Date.now() % 2 ** 31;
    console.log(`fuzz seed ${seed}`);
    const random = seededRandom(seed);
    const outcomes: CaseOutcome[] = [];
    let next = 0;
    const lane = async () => {
      while (next < CASES) outcomes.push(await runCase(next++, random));
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));

    const accepted = outcomes.flatMap((o) => (o.jobId ? [o.jobId] : []));
    const views = await Promise.all(accepted.map(settle));
    const failed = views.filter((view) => view.status === 'failed');
    const tally = (values: Array<string | number>) =>
      Object.fromEntries(
        [...new Set(values)].map((v) => [v, values.filter((x) => x === v).length]),
      );
    console.log(
      `statuses ${JSON.stringify(tally(outcomes.map((o) => o.status)))}; jobs ` +
        `${JSON.stringify(tally(views.map((v) => v.error?.code ?? v.status)))}`,
    );

    expect(outcomes).toHaveLength(CASES);
    expect(outcomes.filter((o) => !EXPECTED_STATUSES.has(o.status))).toEqual([]);
    expect(
      outcomes.filter(
        (o) => o.status !== 202 && !o.contentType.startsWith('application/problem+json'),
      ),
    ).toEqual([]);
    expect(failed.filter((view) => !INPUT_FAILURE_CODES.has(view.error?.code ?? ''))).toEqual([]);
    expect(failed.filter((view) => !view.error?.message)).toEqual([]);
    expect(accepted.length).toBeGreaterThan(0);
    expect(worker.process.running).toBe(true);
    expect((await fetch(`${worker.metricsUrl}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${worker.metricsUrl}/metrics`)).text();
    const failedCount = [...metrics.matchAll(/printq_worker_jobs_failed_total\{[^}]*\} (\d+)/g)]
      .map((match) => Number(match[1]))
      .reduce((sum, n) => sum + n, 0);
    expect(failedCount).toBe(failed.length);
  }, 180_000);
});
