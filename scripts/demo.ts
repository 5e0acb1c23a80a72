/**
 * `npm run demo [-- file.stl] [--material pla] [--infill 20] [--json]`
 *
 * Runs printq end to end on this machine: a throwaway Redis on a free loopback port, the
 * app and one worker as real processes, uploads the STL, waits for the quote, prints it,
 * and shuts everything down. The quote goes to stdout; progress goes to stderr.
 *
 * Exit codes: 0 quote printed; 1 unexpected failure; 2 bad usage; 3 redis-server missing;
 * 4 the file was refused (not an STL, broken, bad parameters).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { INFILL_PERCENT, isMaterialId, MATERIAL_IDS, type QuoteResult } from '@printq/shared';
import {
  commandExists,
  freePort,
  ProgramProcess,
  RedisProcess,
  REPO_ROOT,
} from './lib/processes.js';

const DEFAULT_FILE = join(REPO_ROOT, 'examples', 'calibration-cube-20mm.stl');
const QUOTE_TIMEOUT_MS = 120_000;
const POLL_INTERVAL_MS = 100;

export const EXIT = { ok: 0, failure: 1, usage: 2, missingRedis: 3, refused: 4 } as const;

class DemoError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

interface DemoOptions {
  file: string;
  material?: string;
  infill?: string;
  json: boolean;
}

interface JobView {
  status: string;
  result?: QuoteResult;
  error?: { code: string; message: string };
}

const progress = (message: string) => process.stderr.write(`demo: ${message}\n`);

const USAGE =
  `usage: npm run demo -- [file.stl] [--material ${MATERIAL_IDS.join('|')}] ` +
  `[--infill ${INFILL_PERCENT.min}-${INFILL_PERCENT.max}] [--json]`;

function usageError(problem: string): DemoError {
  return new DemoError(`${problem}\n${USAGE}`, EXIT.usage);
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        material: { type: 'string' },
        infill: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
}

/** Everything the app would refuse is refused here, before any process is started. */
function parseOptions(argv: string[]): DemoOptions {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(EXIT.ok);
  }
  if (positionals.length > 1) throw usageError('give at most one STL file');
  if (values.material !== undefined && !isMaterialId(values.material.toLowerCase())) {
    throw usageError(
      `--material "${values.material}" is not offered; allowed: ${MATERIAL_IDS.join(', ')}`,
    );
  }
  if (values.infill !== undefined && !isInfillPercent(values.infill)) {
    throw usageError(
      `--infill "${values.infill}" is not a percentage from ${INFILL_PERCENT.min} to ` +
        `${INFILL_PERCENT.max}`,
    );
  }
  return {
    file: positionals[0] ?? DEFAULT_FILE,
    material: values.material,
    infill: values.infill,
    json: values.json ?? false,
  };
}

/** The app's rule (app/src/params.ts): a plain decimal number within the bounds. */
function isInfillPercent(text: string): boolean {
  if (!/^\d+(\.\d+)?$/.test(text.trim())) return false;
  const value = Number(text);
  return value >= INFILL_PERCENT.min && value <= INFILL_PERCENT.max;
}

function readStl(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DemoError(`cannot read ${file}: ${reason}`, EXIT.usage);
  }
}

/** redis-server from Debian's packages when missing: installed when root, explained if not. */
function ensureRedisServer(): void {
  if (commandExists('redis-server') && commandExists('redis-cli')) return;
  if (process.getuid?.() !== 0) {
    throw new DemoError(
      'redis-server is not installed. Install it, e.g. `sudo apt-get install -y redis-server` ' +
        '(Debian/Ubuntu) or `brew install redis` (macOS), then run the demo again.',
      EXIT.missingRedis,
    );
  }
  progress(
    'redis-server is not installed; running apt-get update and apt-get install redis-server',
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'redis-server'],
  ]) {
    const run = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (run.status !== 0) {
      throw new DemoError(`apt-get ${args.join(' ')} failed`, EXIT.missingRedis);
    }
  }
}

interface Stack {
  redis: RedisProcess;
  app: ProgramProcess;
  worker: ProgramProcess;
  baseUrl: string;
}

async function startStack(): Promise<Partial<Stack>> {
  const stack: Partial<Stack> = {};
  stack.redis = await RedisProcess.start();
  const redisEnv = { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(stack.redis.port) };
  const [appPort, workerPort] = [await freePort(), await freePort()];
  stack.app = ProgramProcess.spawn('app', {
    ...redisEnv,
    HOST: '127.0.0.1',
    PORT: String(appPort),
    LOG_LEVEL: 'warn',
  });
  stack.worker = ProgramProcess.spawn('worker', {
    ...redisEnv,
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(workerPort),
    WORKER_CONCURRENCY: '1',
    LOG_LEVEL: 'warn',
  });
  stack.baseUrl = `http://127.0.0.1:${appPort}`;
  progress(`redis :${stack.redis.port}, app :${appPort}, worker :${workerPort}; starting`);
  await stack.app.waitForHttp(`${stack.baseUrl}/readyz`);
  await stack.worker.waitForHttp(`http://127.0.0.1:${workerPort}/readyz`);
  return stack;
}

async function stopStack(stack: Partial<Stack>): Promise<void> {
  await stack.worker?.stop('SIGTERM');
  await stack.app?.stop('SIGTERM');
  await stack.redis?.stop();
}

async function submit(baseUrl: string, stl: Buffer, options: DemoOptions): Promise<string> {
  const query = new URLSearchParams();
  if (options.material) query.set('material', options.material);
  if (options.infill) query.set('infill', options.infill);
  const response = await fetch(`${baseUrl}/api/quotes?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'model/stl' },
    body: stl,
  });
  const body = (await response.json()) as { id?: string; title?: string; detail?: string };
  if (response.status === 202 && body.id) return body.id;
  const exitCode = response.status < 500 ? EXIT.refused : EXIT.failure;
  throw new DemoError(
    `upload refused (${response.status}): ${body.title}: ${body.detail}`,
    exitCode,
  );
}

async function waitForQuote(baseUrl: string, id: string): Promise<QuoteResult> {
  const deadline = Date.now() + QUOTE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const job = (await (await fetch(`${baseUrl}/api/quotes/${id}`)).json()) as JobView;
    if (job.status === 'done' && job.result) return job.result;
    if (job.status === 'failed') {
      throw new DemoError(
        `the file was refused: ${job.error?.message} (${job.error?.code})`,
        EXIT.refused,
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new DemoError(`no quote within ${QUOTE_TIMEOUT_MS} ms`, EXIT.failure);
}

function formatDuration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function formatEdges(edges: QuoteResult['edges']): string {
  return (
    `${plural(edges.edges, 'edge')}: ${edges.boundaryEdges} boundary, ` +
    `${edges.nonManifoldEdges} non-manifold, ${edges.inconsistentEdges} inconsistent`
  );
}

export function formatQuote(file: string, quote: QuoteResult): string {
  const { size } = quote.boundingBox;
  const mm = (value: number) => value.toFixed(2);
  const money = (value: number) => `${quote.price.currency} ${value.toFixed(2)}`;
  const rows: Array<[string, string]> = [
    [
      'format',
      `${quote.format} STL, ${plural(quote.triangles, 'triangle')} ` +
        `(${quote.degenerateTriangles} degenerate)`,
    ],
    ['size', `${mm(size.x)} × ${mm(size.y)} × ${mm(size.z)} mm`],
    ['volume', `${mm(quote.volumeMm3)} mm³ (watertight: ${quote.watertight ? 'yes' : 'no'})`],
    ['edges', formatEdges(quote.edges)],
    ['orientation', quote.orientation],
    ['surface area', `${mm(quote.surfaceAreaMm2)} mm²`],
    ['material', `${quote.material}, infill ${quote.infillPercent} %`],
    ['mass', `${quote.massGrams.toFixed(2)} g`],
    ['print time', formatDuration(quote.printTimeSeconds)],
    [
      'price',
      `${money(quote.price.total)} (material ${quote.price.material.toFixed(2)} + machine ` +
        `${quote.price.machine.toFixed(2)} + setup ${quote.price.setup.toFixed(2)})`,
    ],
  ];
  for (const warning of [...quote.warnings, ...quote.printability]) {
    rows.push(['warning', `${warning.message} (${warning.code})`]);
  }
  const lines = rows.map(([label, value]) => `  ${label.padEnd(14)}${value}`);
  return [`printq quote for ${file} (units: mm)`, ...lines].join('\n') + '\n';
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const stl = readStl(options.file);
  ensureRedisServer();
  let stack: Partial<Stack> = {};
  const interrupt = () => void stopStack(stack).finally(() => process.exit(130));
  process.once('SIGINT', interrupt);
  try {
    stack = await startStack();
    const baseUrl = stack.baseUrl as string;
    const id = await submit(baseUrl, stl, options);
    progress(`job ${id} queued; waiting for the quote`);
    const quote = await waitForQuote(baseUrl, id);
    const shown = relative(process.cwd(), options.file) || options.file;
    process.stdout.write(
      options.json ? `${JSON.stringify(quote, null, 2)}\n` : formatQuote(shown, quote),
    );
    return EXIT.ok;
  } finally {
    progress('shutting down');
    await stopStack(stack);
    process.off('SIGINT', interrupt);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof DemoError) {
      process.stderr.write(`demo: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`demo: failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(EXIT.failure);
  },
);
