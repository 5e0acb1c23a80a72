/**
 * `npm run synth` wall time (target <= 5 s), against anchors measured in the same run:
 * a bare `node` start, `tsx` running an empty module (the loader floor every `npm run`
 * script here pays), and importing cdk8s + cdk8s-plus-33 alone. Also reports the warm,
 * in-process synthesize() time and whether two synths write byte-identical files.
 *
 *   npx tsx --conditions=printq-source bench/synth.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesize } from '@printq/cdk8s';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results');
const RUNS = 5;
const TARGET_MS = 5000;

interface Stats {
  medianMs: number;
  minMs: number;
  maxMs: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n);
  return {
    medianMs: round(sorted[Math.floor(sorted.length / 2)] ?? NaN),
    minMs: round(sorted[0] ?? NaN),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
  };
}

function timeCommand(command: string, args: string[]): number {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return elapsed;
}

function measure(command: string, args: string[]): Stats {
  return stats(Array.from({ length: RUNS }, () => timeCommand(command, args)));
}

/** sha256 over every file of a directory tree (path + content). */
function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else hash.update(relative(dir, full)).update('\0').update(readFileSync(full)).update('\0');
    }
  };
  walk(dir);
  return hash.digest('hex');
}

// Inside the repository (git-ignored .cache/) so the anchor modules resolve cdk8s.
mkdirSync(join(ROOT, '.cache'), { recursive: true });
const scratch = mkdtempSync(join(ROOT, '.cache', 'synth-bench-'));
const empty = join(scratch, 'empty.ts');
writeFileSync(empty, 'export {};\n');
const importOnly = join(scratch, 'import-cdk8s.ts');
writeFileSync(importOnly, "import 'cdk8s';\nimport 'cdk8s-plus-33';\n");
const synthArgs = (out: string) => [
  'run',
  'synth',
  '--',
  '--out',
  join(out, 'dist'),
  '--chart',
  join(out, 'chart'),
];
const env = { ...process.env, PRINTQ_ACME_EMAIL: 'bench@printq.example' };
process.env.PRINTQ_ACME_EMAIL = env.PRINTQ_ACME_EMAIL;

try {
  const nodeStart = measure(process.execPath, ['-e', '']);
  const npmStart = measure('npm', ['--version']);
  // The same launcher `npm run synth` uses (node --import tsx), minus npm and our code.
  const tsxFloor = measure(process.execPath, ['--import', 'tsx', empty]);
  const importCdk8s = measure(process.execPath, ['--import', 'tsx', importOnly]);
  const synth = measure('npm', synthArgs(join(scratch, 'run')));

  const first = join(scratch, 'a');
  const second = join(scratch, 'b');
  mkdirSync(first);
  mkdirSync(second);
  timeCommand('npm', synthArgs(first));
  timeCommand('npm', synthArgs(second));
  const byteIdentical = treeHash(first) === treeHash(second);

  synthesize('kind');
  const warm = stats(
    Array.from({ length: 20 }, () => {
      const started = performance.now();
      synthesize('kind');
      synthesize('production', { tls: { acmeEmail: 'bench@printq.example' } });
      return performance.now() - started;
    }),
  );

  const report = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    runs: RUNS,
    targetMs: TARGET_MS,
    npmRunSynth: synth,
    anchors: {
      nodeStart,
      npmStart,
      tsxEmptyModule: tsxFloor,
      tsxImportCdk8sAndPlus: importCdk8s,
    },
    loadAverage1m: os.loadavg()[0],
    warmSynthesizeBothProfiles: warm,
    ratios: {
      synthToTarget: +(synth.medianMs / TARGET_MS).toFixed(2),
      synthToTsxFloor: +(synth.medianMs / tsxFloor.medianMs).toFixed(2),
      synthToImportCdk8s: +(synth.medianMs / importCdk8s.medianMs).toFixed(2),
      synthMinusNpmAndImports: synth.medianMs - npmStart.medianMs - importCdk8s.medianMs,
    },
    byteIdenticalResynth: byteIdentical,
  };
  const row = (name: string, s: Stats) => `| ${name} | ${s.medianMs} | ${s.minMs} | ${s.maxMs} |`;
  const md = [
    '## synth: `npm run synth` (both profiles + Helm chart)',
    '',
    `Target ≤ ${TARGET_MS} ms. Median of ${RUNS} runs, wall time, same machine and run ` +
      `(1-minute load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores).`,
    '',
    '| what | median ms | min ms | max ms |',
    '| --- | ---: | ---: | ---: |',
    row('`npm run synth` (kind + production + chart)', synth),
    row('anchor: `node -e ""`', nodeStart),
    row('anchor: `npm --version` (npm start-up)', npmStart),
    row('anchor: `node --import tsx` on an empty module', tsxFloor),
    row('anchor: `node --import tsx` importing cdk8s + cdk8s-plus-33 only', importCdk8s),
    row('in-process synthesize(kind) + synthesize(production), warm', warm),
    '',
    `Ratios: synth / target = ${report.ratios.synthToTarget}; synth / tsx floor = ${report.ratios.synthToTsxFloor}; ` +
      `synth / (tsx + cdk8s import) = ${report.ratios.synthToImportCdk8s}. ` +
      `What is left for printq's own modules, four syntheses and the writes: ` +
      `~${report.ratios.synthMinusNpmAndImports} ms.`,
    `Re-synth byte-identical: ${byteIdentical ? 'yes' : 'NO'}.`,
    synth.medianMs <= TARGET_MS
      ? 'Within target.'
      : `**Over target by ${synth.medianMs - TARGET_MS} ms.**`,
    '',
  ].join('\n');
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'synth.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'synth.md'), md);
  console.log(md);
  if (!byteIdentical) process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
