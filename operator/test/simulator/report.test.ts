import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'prettier';
import { markdownReport, parseTrace, runTrace, writeReport } from '../../src/simulator/index.js';

const trace = parseTrace(
  {
    name: 'tiny',
    description: 'Two small bursts.',
    durationSeconds: 200,
    workload: { serviceTimeSeconds: 1, workerConcurrency: 2, podStartSeconds: 3 },
    arrivals: {
      bursts: [
        { atSeconds: 10, jobs: 40 },
        { atSeconds: 100, jobs: 10 },
      ],
    },
    scaler: { maxReplicas: 5, targetJobsPerReplica: 5 },
  },
  'tiny',
);

describe('simulation reports', () => {
  const run = runTrace(trace);

  it('writes Markdown that Prettier leaves unchanged (reports are committed)', async () => {
    const markdown = markdownReport(run.comparison, 'tiny.png');
    expect(await format(markdown, { parser: 'markdown', printWidth: 100 })).toBe(markdown);
    expect(markdown).toMatch(/\| +\| printq \(1 s poll\) \| KEDA \+ HPA defaults \| always max \|/);
    expect(markdown).toMatch(/printq \/ keda: drain [\d.]+×/);
  });

  it('writes md, json, csv and png files with the same numbers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'printq-sim-'));
    try {
      const paths = writeReport(run, dir);
      const json = JSON.parse(readFileSync(paths.json, 'utf8')) as typeof run.comparison;
      expect(json.results.map((r) => r.summary.completed)).toEqual([50, 50, 50]);
      const csv = readFileSync(paths.csv, 'utf8').trim().split('\n');
      expect(csv[0]).toBe('controller,t,backlog,active,replicas,pods,ready_pods');
      const printqRows = csv.filter((line) => line.startsWith('printq,'));
      expect(printqRows.length).toBe(run.results[0]?.samples.length);
      expect(readFileSync(paths.png).subarray(1, 4).toString('ascii')).toBe('PNG');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
