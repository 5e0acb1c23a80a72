import { fileURLToPath } from 'node:url';
import {
  generateJobs,
  KedaHpaController,
  loadTrace,
  parseTrace,
  runTrace,
  simulate,
  TraceError,
} from '../../src/simulator/index.js';
import type { SimulationResult, TraceInput } from '../../src/simulator/index.js';

const tracePath = (name: string) =>
  fileURLToPath(new URL(`../../traces/${name}.json`, import.meta.url));

function byName(results: readonly SimulationResult[], name: string): SimulationResult {
  const found = results.find((r) => r.controller === name);
  if (!found) throw new Error(`no result for ${name}`);
  return found;
}

/** First second at which a controller's replicas reach `replicas`. */
function firstSecondAt(result: SimulationResult, replicas: number): number {
  const sample = result.samples.find((s) => s.replicas >= replicas);
  if (!sample) throw new Error(`${result.controller} never reached ${replicas}`);
  return sample.t;
}

describe('simulator on the burst trace (5 000 jobs at t = 45 s, max 50)', () => {
  const burst = loadTrace(tracePath('burst'));
  const run = runTrace(burst);
  const printq = byName(run.results, 'printq');
  const keda = byName(run.results, 'keda');
  const alwaysMax = byName(run.results, 'always-max');

  it('finishes every job under every controller', () => {
    for (const r of run.results) expect(r.summary.completed).toBe(5000);
  });

  it('has printq reach max replicas within 2 s of the burst', () => {
    expect(firstSecondAt(printq, 50) - 45).toBeLessThanOrEqual(2);
    expect(printq.summary.firstScaleUpSeconds).toBeLessThanOrEqual(1.05);
  });

  it('has KEDA + HPA react at least 30 s later than printq and ramp in 15 s steps', () => {
    expect(firstSecondAt(keda, 1) - firstSecondAt(printq, 1)).toBeGreaterThanOrEqual(10);
    expect(firstSecondAt(keda, 50) - firstSecondAt(printq, 50)).toBeGreaterThanOrEqual(30);
    const levels = [...new Set(keda.samples.map((s) => s.replicas))].filter((r) => r > 0);
    expect(levels.slice(0, 6)).toEqual([1, 5, 10, 20, 40, 50]);
  });

  it('never sets more than maxReplicas nor runs more pods than that', () => {
    for (const r of run.results) {
      expect(r.summary.peakReplicas).toBeLessThanOrEqual(50);
      expect(r.summary.peakPods).toBeLessThanOrEqual(50);
    }
  });

  it('drains within 1.1× always-max at under half its worker-seconds, and beats KEDA', () => {
    expect(printq.summary.drainSeconds).toBeLessThanOrEqual(1.1 * alwaysMax.summary.drainSeconds);
    expect(printq.summary.workerSeconds).toBeLessThanOrEqual(0.5 * alwaysMax.summary.workerSeconds);
    expect(printq.summary.drainSeconds).toBeLessThan(keda.summary.drainSeconds);
    expect(printq.summary.workerSeconds).toBeLessThan(keda.summary.workerSeconds);
  });

  it('returns to zero replicas after the 30 s window, KEDA only after its cooldown', () => {
    const drained = 45 + printq.summary.drainSeconds;
    const printqZero = printq.samples.find((s) => s.t > drained && s.replicas === 0);
    expect(printqZero?.t).toBeGreaterThan(drained);
    expect(printqZero?.t).toBeLessThanOrEqual(drained + 40);
    const kedaZero = keda.samples.find((s) => s.t > 100 && s.replicas === 0);
    expect(kedaZero?.t).toBeGreaterThanOrEqual(45 + keda.summary.drainSeconds + 240);
  });

  it('is deterministic: the same trace gives the same numbers and samples', () => {
    const again = runTrace(burst);
    expect(again.comparison).toEqual(run.comparison);
    expect(again.results.map((r) => r.samples)).toEqual(run.results.map((r) => r.samples));
  });

  it('charges always-max exactly max × duration worker-seconds', () => {
    expect(alwaysMax.summary.workerSeconds).toBeCloseTo(50 * 900, 3);
  });
});

describe('simulator model', () => {
  const base: TraceInput = {
    name: 'unit',
    description: 'unit trace',
    durationSeconds: 120,
    workload: { serviceTimeSeconds: 2, workerConcurrency: 1, podStartSeconds: 10 },
    arrivals: { bursts: [{ atSeconds: 5, jobs: 10 }] },
    scaler: { maxReplicas: 10, targetJobsPerReplica: 1 },
  };

  it('gives every job at least its service time plus the pod start from zero', () => {
    const trace = parseTrace(base, 'unit');
    const result = runTrace(trace).results.find((r) => r.controller === 'printq');
    // Scale-up on the poll at t = 6 s (1 s resolution), pods ready at 16 s, 2 s per job.
    expect(result?.summary.maxLatencySeconds).toBeCloseTo(16 - 5 + 2, 6);
  });

  it('lets pods that are scaled in finish their jobs before they go', () => {
    const trace = parseTrace(
      {
        ...base,
        workload: { serviceTimeSeconds: 50, workerConcurrency: 1, podStartSeconds: 0 },
        scaler: {
          maxReplicas: 10,
          targetJobsPerReplica: 1,
          behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
        },
      },
      'unit',
    );
    const result = runTrace(trace).results;
    for (const r of result) expect(r.summary.completed).toBe(10);
  });

  it('replays the same jobs through every controller', () => {
    const trace = parseTrace(
      {
        ...base,
        arrivals: {
          rate: [
            [0, 3],
            [60, 3],
          ],
          poisson: true,
        },
      },
      'unit',
    );
    const jobs = generateJobs(trace);
    expect(generateJobs(trace)).toEqual(jobs);
    const counts = runTrace(trace).results.map((r) => r.summary.jobs);
    expect(new Set(counts)).toEqual(new Set([jobs.length]));
    expect(jobs.length).toBeGreaterThan(120);
    expect(jobs.length).toBeLessThan(240);
  });

  it('models KEDA activation strictly above activationListLength', () => {
    const trace = parseTrace(
      {
        ...base,
        arrivals: { bursts: [{ atSeconds: 5, jobs: 3 }] },
        keda: { activationListLength: 3 },
      },
      'unit',
    );
    const keda = new KedaHpaController(trace.keda, 10);
    const result = simulate(trace, generateJobs(trace), keda);
    expect(result.summary.peakReplicas).toBe(0);
  });

  it('rejects an invalid trace with the failing fields named', () => {
    expect(() => parseTrace({ ...base, durationSeconds: -1, workload: {} }, 'bad.json')).toThrow(
      TraceError,
    );
    expect(() => parseTrace({ ...base, durationSeconds: -1 }, 'bad.json')).toThrow(
      /durationSeconds/,
    );
    expect(() => loadTrace('/nonexistent/trace.json')).toThrow(/cannot read trace/);
  });
});
