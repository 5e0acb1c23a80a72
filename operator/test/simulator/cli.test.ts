import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../src/simulator/cli.ts', import.meta.url));

function simulateCli(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=printq-source', cli, ...args],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run simulate', () => {
  const out = mkdtempSync(join(tmpdir(), 'printq-simulate-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes the report files of a trace file and prints a summary line per scaler', () => {
    const trace = join(out, 'small.json');
    writeFileSync(
      trace,
      JSON.stringify({
        name: 'small',
        description: 'one burst',
        durationSeconds: 60,
        workload: { serviceTimeSeconds: 1, workerConcurrency: 1, podStartSeconds: 2 },
        arrivals: { bursts: [{ atSeconds: 5, jobs: 20 }] },
        scaler: { maxReplicas: 4, targetJobsPerReplica: 5 },
      }),
    );
    const result = simulateCli(trace, '--out', join(out, 'report'));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/printq \(1 s poll\)\s+drain/);
    expect(result.stdout).toMatch(/KEDA \+ HPA defaults\s+drain/);
    expect(readdirSync(join(out, 'report')).sort()).toEqual([
      'small.csv',
      'small.json',
      'small.md',
      'small.png',
    ]);
  });

  it('exits 1 naming the standard traces for an unknown trace name', () => {
    const result = simulateCli('nosuchtrace', '--out', out);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown trace "nosuchtrace": use burst, diurnal, spiky, idle');
  });

  it('exits 1 naming the bad field of an invalid trace', () => {
    const trace = join(out, 'bad.json');
    writeFileSync(trace, JSON.stringify({ name: 'bad', description: '', durationSeconds: 10 }));
    const result = simulateCli(trace, '--out', out);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/invalid trace .*bad\.json/);
    expect(result.stderr).toContain('workload');
  });

  it('exits 2 with the usage when no trace is given', () => {
    const result = simulateCli();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: npm run simulate -- <trace>');
  });
});
