/**
 * `npm run bench`: runs every bench/<area>.bench.ts as its own process (so one bench's heap
 * and event loop never skew another's), then gathers their reports into bench/results/README.md.
 *
 *   npm run bench               all benches
 *   npm run bench -- quote      only the areas named
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(benchDir, 'results');

function discoverAreas(): string[] {
  return readdirSync(benchDir)
    .filter((file) => file.endsWith('.bench.ts'))
    .map((file) => basename(file, '.bench.ts'))
    .sort();
}

function runArea(area: string): boolean {
  console.log(`\n== bench ${area}`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=printq-source', join(benchDir, `${area}.bench.ts`)],
    { stdio: 'inherit' },
  );
  return result.status === 0;
}

function writeIndex(areas: string[], failed: string[]): void {
  const sections = areas.map((area) => {
    const report = join(resultsDir, `${area}.md`);
    const body = existsSync(report) ? readFileSync(report, 'utf8').trim() : '_no report written_';
    return `<!-- ${area} -->\n${body}`;
  });
  const header = [
    '# printq benchmarks',
    '',
    `Measured ${new Date().toISOString()} on ${process.platform}/${process.arch}, Node ${process.version}.`,
    'Each area compares printq against anchors measured in the same run; see each section.',
    failed.length > 0 ? `\nFailed to run: ${failed.join(', ')}.` : '',
  ];
  writeFileSync(
    join(resultsDir, 'README.md'),
    `${header.join('\n')}\n\n${sections.join('\n\n')}\n`,
  );
}

const requested = process.argv.slice(2);
const areas = requested.length > 0 ? requested : discoverAreas();
const failed = areas.filter((area) => !runArea(area));
writeIndex(discoverAreas(), failed);
console.log(
  `\nbench: ${areas.length - failed.length} of ${areas.length} areas ran; report in bench/results/`,
);
process.exitCode = failed.length > 0 ? 1 : 0;
