import type { SimulationResult, Summary } from './simulate.js';
import type { Trace } from './trace.js';

export interface Comparison {
  trace: string;
  description: string;
  workload: Trace['workload'];
  results: { controller: string; label: string; summary: Summary }[];
  /** printq's drain time and worker-seconds over each other controller's. */
  ratios: Record<string, { drain: number; workerSeconds: number; maxLatency: number }>;
}

export function compare(trace: Trace, results: readonly SimulationResult[]): Comparison {
  const printq = results.find((r) => r.controller === 'printq');
  const ratios: Comparison['ratios'] = {};
  for (const other of results) {
    if (!printq || other === printq) continue;
    ratios[other.controller] = {
      drain: ratio(printq.summary.drainSeconds, other.summary.drainSeconds),
      workerSeconds: ratio(printq.summary.workerSeconds, other.summary.workerSeconds),
      maxLatency: ratio(printq.summary.maxLatencySeconds, other.summary.maxLatencySeconds),
    };
  }
  return {
    trace: trace.name,
    description: trace.description,
    workload: trace.workload,
    results: results.map(({ controller, label, summary }) => ({ controller, label, summary })),
    ratios,
  };
}

function ratio(a: number, b: number): number {
  return b === 0 ? (a === 0 ? 1 : Number.POSITIVE_INFINITY) : a / b;
}

const ROWS: [string, (s: Summary) => string][] = [
  ['jobs completed', (s) => `${s.completed} / ${s.jobs}`],
  // For traces with arrivals until the end this is ≈ the duration; latency tells more there.
  ['drain time (first arrival → last job done)', (s) => `${s.drainSeconds.toFixed(1)} s`],
  ['worker-seconds (pods alive, incl. start/drain)', (s) => s.workerSeconds.toFixed(0)],
  ['job latency p50', (s) => `${s.p50LatencySeconds.toFixed(1)} s`],
  ['job latency p95', (s) => `${s.p95LatencySeconds.toFixed(1)} s`],
  ['job latency max', (s) => `${s.maxLatencySeconds.toFixed(1)} s`],
  ['first scale-up after first arrival', (s) => seconds(s.firstScaleUpSeconds)],
  ['time to peak replicas', (s) => seconds(s.timeToPeakSeconds)],
  ['peak replicas', (s) => String(s.peakReplicas)],
  ['replica changes', (s) => String(s.replicaChanges)],
];

function seconds(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(1)} s`;
}

export function markdownReport(comparison: Comparison, pngName: string): string {
  const { workload } = comparison;
  const table = markdownTable(
    ['', ...comparison.results.map((r) => r.label)],
    ROWS.map(([name, cell]) => [name, ...comparison.results.map((r) => cell(r.summary))]),
  );
  const ratioLines = Object.entries(comparison.ratios).map(
    ([other, r]) =>
      `- printq / ${other}: drain ${r.drain.toFixed(2)}×, worker-seconds ` +
      `${r.workerSeconds.toFixed(2)}×, max latency ${r.maxLatency.toFixed(2)}×`,
  );
  return [
    `# Simulation: ${comparison.trace}`,
    '',
    comparison.description,
    '',
    `Workload: ${workload.serviceTimeSeconds} s per job (±${workload.serviceTimeJitter * 100} %), ` +
      `${workload.workerConcurrency} jobs per replica, ${workload.podStartSeconds} s pod start.`,
    '',
    ...table,
    '',
    ...ratioLines,
    '',
    `![depth and replicas over time](${pngName})`,
    '',
    'Model: pods take jobs once ready and drain on scale-in (no job is killed in any model); ' +
      'KEDA polls every 30 s and owns 0 ↔ 1 (cooldown 300 s); the HPA syncs every 15 s on ' +
      'ceil(list length / listLength 5) with its default behavior (10 % tolerance, scale-up max(4 pods, ' +
      '100 %) per 15 s, 300 s scale-down window). See operator/src/simulator/controllers.ts.',
    '',
  ].join('\n');
}

/**
 * A table laid out the way Prettier formats Markdown (padded cells, first column left, the
 * rest right-aligned), so generated reports pass `prettier --check` unchanged.
 */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) =>
    Math.max(3, [...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)),
  );
  const pad = (text: string, i: number) => {
    const fill = ' '.repeat((widths[i] ?? 0) - [...text].length);
    return i === 0 ? text + fill : fill + text;
  };
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => pad(c, i)).join(' | ')} |`;
  const rule = widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`));
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)];
}
