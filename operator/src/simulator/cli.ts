// npm run simulate -- <trace name or path> [--out dir]
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runTrace, writeReport } from './run.js';
import { loadTrace, TraceError } from './trace.js';

const TRACES_DIR = fileURLToPath(new URL('../../traces/', import.meta.url));
const STANDARD_TRACES = ['burst', 'diurnal', 'spiky', 'idle'];
const USAGE =
  'usage: npm run simulate -- <trace> [--out dir]\n' +
  '  <trace>  burst | diurnal | spiky | idle (operator/traces/), all of them with "all",\n' +
  '           or a path to a trace JSON\n' +
  '  --out    directory for <trace>.md/.json/.png (default: operator/traces/results)';

function resolveTrace(arg: string): string {
  const standard = join(TRACES_DIR, `${arg}.json`);
  const looksLikeName = !arg.includes('/') && !arg.endsWith('.json');
  if (looksLikeName && existsSync(standard)) return standard;
  if (looksLikeName && !existsSync(arg)) {
    throw new TraceError(`unknown trace "${arg}": use ${STANDARD_TRACES.join(', ')} or a path`);
  }
  return resolve(arg);
}

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [traceArg, ...extra] = parsed.positionals;
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!traceArg || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const outDir = resolve(parsed.values.out ?? join(TRACES_DIR, 'results'));
  const traces = traceArg === 'all' ? STANDARD_TRACES : [traceArg];
  try {
    for (const trace of traces) simulateOne(resolveTrace(trace), outDir);
    return 0;
  } catch (error) {
    if (error instanceof TraceError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

function simulateOne(tracePath: string, outDir: string): void {
  const run = runTrace(loadTrace(tracePath));
  const written = writeReport(run, outDir);
  console.log(`== ${run.trace.name}`);
  for (const r of run.comparison.results) {
    const s = r.summary;
    console.log(
      `${r.label.padEnd(22)} drain ${s.drainSeconds.toFixed(1)} s  ` +
        `worker-s ${s.workerSeconds.toFixed(0)}  p95 ${s.p95LatencySeconds.toFixed(1)} s  ` +
        `max ${s.maxLatencySeconds.toFixed(1)} s  changes ${s.replicaChanges}`,
    );
  }
  console.log(`wrote ${written.markdown}, .json, .csv, .png`);
}

process.exitCode = main(process.argv.slice(2));
