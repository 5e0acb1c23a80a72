import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { standardControllers } from './controllers.js';
import type { Controller } from './controllers.js';
import { generateJobs } from './jobs.js';
import { plotResults } from './plot.js';
import { compare, markdownReport } from './report.js';
import type { Comparison } from './report.js';
import { simulate } from './simulate.js';
import type { SimulationResult } from './simulate.js';
import type { Trace } from './trace.js';

export interface TraceRun {
  trace: Trace;
  results: SimulationResult[];
  comparison: Comparison;
}

/** Replays one trace through printq, KEDA + HPA and always-max. */
export function runTrace(trace: Trace, controllers: Controller[] = standardControllers(trace)) {
  const jobs = generateJobs(trace);
  const results = controllers.map((c) => simulate(trace, jobs, c));
  return { trace, results, comparison: compare(trace, results) } satisfies TraceRun;
}

export interface WrittenReport {
  markdown: string;
  json: string;
  csv: string;
  png: string;
}

/**
 * Writes `<base>.md` (tables + plot link), `<base>.json` (summaries and ratios),
 * `<base>.csv` (per-second samples of every controller) and `<base>.png`.
 */
export function writeReport(run: TraceRun, outDir: string, base = run.trace.name) {
  mkdirSync(outDir, { recursive: true });
  const paths: WrittenReport = {
    markdown: join(outDir, `${base}.md`),
    json: join(outDir, `${base}.json`),
    csv: join(outDir, `${base}.csv`),
    png: join(outDir, `${base}.png`),
  };
  const title = `${run.trace.name}: printq vs KEDA + HPA defaults`;
  writeFileSync(paths.png, plotResults(title, run.results));
  writeFileSync(paths.markdown, markdownReport(run.comparison, `${base}.png`));
  writeFileSync(paths.json, `${JSON.stringify(run.comparison, null, 2)}\n`);
  writeFileSync(paths.csv, samplesCsv(run.results));
  return paths;
}

function samplesCsv(results: readonly SimulationResult[]): string {
  const lines = ['controller,t,backlog,active,replicas,pods,ready_pods'];
  for (const r of results) {
    for (const s of r.samples) {
      lines.push(
        `${r.controller},${s.t},${s.backlog},${s.active},${s.replicas},${s.pods},${s.readyPods}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
