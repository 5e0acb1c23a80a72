/**
 * Quote engine benchmark: time and memory to quote a 1 M-triangle binary STL, and ASCII
 * parsing throughput, each next to anchors measured in the same run:
 * - floor: a bare loop that reads every float of the binary records with a DataView (what
 *   any binary STL reader must at least do) / touches every byte of the ASCII text;
 * - node-stl: an independent npm STL reader, on the same real files (the corpus bunny; on
 *   the 1 M file it would build ~3 M edge objects, so it runs on the 69 k-triangle one).
 *
 *   npx tsx --conditions=printq-source bench/quote.bench.ts
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import NodeStl from 'node-stl';
import { quoteMesh } from '../worker/src/quote/index.js';
import { measureMesh, parseStl, weldVertices } from '../worker/src/stl/index.js';
import { countEdges } from '../worker/src/stl/topology.js';
import { asciiStl, binaryStl, subdividedCube } from '../test/helpers/stl.js';

const TARGET_MS = 300;
const RUNS = 7;
const CELLS = 289; // 12 · 289² = 1 002 252 triangles
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
const corpus = dirname(createRequire(import.meta.url).resolve('stl-models/package.json'));

// A collection between runs keeps one run's garbage from landing in the next one's time.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function time(work: () => unknown): Timing {
  collectGarbage();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  work();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function medianTiming(runs: number, work: () => unknown): Timing & { runsWallMs: number[] } {
  const timings = Array.from({ length: runs }, () => time(work));
  return {
    wallMs: median(timings.map((t) => t.wallMs)),
    cpuMs: median(timings.map((t) => t.cpuMs)),
    runsWallMs: timings.map((t) => round(t.wallMs, 1)),
  };
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

/** Reads all 12 floats of every 50-byte record: the least a binary STL reader must do. */
function binaryFloor(file: Buffer): number {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const count = file.readUInt32LE(80);
  let sum = 0;
  for (let t = 0; t < count; t++) {
    const record = 84 + 50 * t;
    for (let k = 0; k < 12; k++) sum += view.getFloat32(record + 4 * k, true);
  }
  return sum;
}

/** Touches every byte and counts separators: the least an ASCII tokenizer must do. */
function textFloor(file: Buffer): number {
  let separators = 0;
  for (let i = 0; i < file.length; i++) {
    const c = file[i] as number;
    if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) separators++;
  }
  return separators;
}

function benchMillion() {
  const file = binaryStl(subdividedCube(CELLS));
  const options = { material: 'pla', infillPercent: 20 } as const;
  const peakBeforeKb = process.resourceUsage().maxRSS;
  const rssBefore = process.memoryUsage().rss;
  const first = quoteMesh(file, options);
  const rssAfterFirst = process.memoryUsage().rss;

  const quote = medianTiming(RUNS, () => quoteMesh(file, options));
  const peakExtraMb = (process.resourceUsage().maxRSS - peakBeforeKb) / 1024;
  const floor = medianTiming(RUNS, () => binaryFloor(file));
  const mesh = parseStl(file);
  const welded = weldVertices(mesh);
  const stage = (work: () => unknown) => {
    const t = medianTiming(RUNS, work);
    return { wallMs: round(t.wallMs, 1), cpuMs: round(t.cpuMs, 1) };
  };
  const stages = {
    parse: stage(() => parseStl(file)),
    measure: stage(() => measureMesh(mesh)),
    weld: stage(() => weldVertices(mesh)),
    edges: stage(() => countEdges(welded, mesh.triangleCount)),
  };
  return {
    triangles: first.triangles,
    fileMb: round(file.length / 2 ** 20, 1),
    correct: first.volumeMm3 === CELLS ** 3 && first.watertight,
    quote: { ...quote, wallMs: round(quote.wallMs, 1), cpuMs: round(quote.cpuMs, 1) },
    floor: { wallMs: round(floor.wallMs, 1), cpuMs: round(floor.cpuMs, 1) },
    stages,
    rssFirstRunMb: round((rssAfterFirst - rssBefore) / 2 ** 20, 1),
    peakRssExtraMb: round(peakExtraMb, 1),
  };
}

function benchBunny() {
  const binary = readFileSync(join(corpus, 'objects/bunny.bin.stl'));
  const ascii = readFileSync(join(corpus, 'objects/bunny.ascii.stl'));
  const options = { material: 'pla', infillPercent: 20 } as const;
  return {
    triangles: 69451,
    binaryQuoteMs: round(medianTiming(RUNS, () => quoteMesh(binary, options)).wallMs, 1),
    binaryNodeStlMs: round(medianTiming(3, () => new NodeStl(binary)).wallMs, 1),
    asciiQuoteMs: round(medianTiming(5, () => quoteMesh(ascii, options)).wallMs, 1),
    asciiNodeStlMs: round(medianTiming(3, () => new NodeStl(ascii)).wallMs, 1),
  };
}

function benchAscii() {
  const files = {
    'bunny.ascii.stl (corpus, 7 significant digits)': readFileSync(
      join(corpus, 'objects/bunny.ascii.stl'),
    ),
    'generated cube, 99 372 triangles, CRLF + exponent form': asciiStl(subdividedCube(91, 0.37), {
      eol: '\r\n',
      numbers: 'exponent',
    }),
  };
  return Object.entries(files).map(([name, file]) => {
    const parse = medianTiming(5, () => parseStl(file));
    const floor = medianTiming(5, () => textFloor(file));
    const mb = file.length / 1e6;
    return {
      file: name,
      sizeMb: round(mb, 1),
      parseMs: round(parse.wallMs, 1),
      parseMbPerS: round(mb / (parse.wallMs / 1000), 1),
      parseMbPerCpuS: round(mb / (parse.cpuMs / 1000), 1),
      floorMbPerS: round(mb / (floor.wallMs / 1000), 1),
      floorMbPerCpuS: round(mb / (floor.cpuMs / 1000), 1),
    };
  });
}

function report() {
  const started = new Date().toISOString();
  const loadBefore = loadavg()[0] ?? 0;
  const million = benchMillion();
  const bunny = benchBunny();
  const ascii = benchAscii();
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    loadAverage1mBefore: round(loadBefore),
    loadAverage1mAfter: round(loadavg()[0] ?? 0),
  };
  const ratios = {
    quoteVsTarget: round(million.quote.wallMs / TARGET_MS),
    quoteVsFloor: round(million.quote.wallMs / million.floor.wallMs, 1),
    quoteVsFloorCpu: round(million.quote.cpuMs / million.floor.cpuMs, 1),
    nodeStlVsQuoteBinary: round(bunny.binaryNodeStlMs / bunny.binaryQuoteMs, 1),
    nodeStlVsQuoteAscii: round(bunny.asciiNodeStlMs / bunny.asciiQuoteMs, 1),
  };
  return { started, machine, targetMs: TARGET_MS, million, bunny, ascii, ratios };
}

function markdown(r: ReturnType<typeof report>): string {
  const m = r.million;
  const met = m.quote.wallMs <= r.targetMs ? 'met' : 'NOT met';
  return [
    '## Quote engine (STL parse + geometry + watertight check + price)',
    '',
    `Measured ${r.started}; ${r.machine.cores} × ${r.machine.cpu}, Node ${r.machine.node}; ` +
      `1-min load average ${r.machine.loadAverage1mBefore} before, ` +
      `${r.machine.loadAverage1mAfter} after (other work shares the machine).`,
    '',
    `### 1 M-triangle binary STL (${m.triangles.toLocaleString('en')} triangles, ${m.fileMb} MB)`,
    '',
    'Wall time is what the target is about; CPU time (process user + system) is shown next',
    'to it because on a shared, overloaded machine wall time mostly measures waiting.',
    '',
    '| measure | wall | CPU |',
    '|---|---|---|',
    `| quoteMesh, median of ${RUNS} | **${m.quote.wallMs} ms** | ${m.quote.cpuMs} ms |`,
    `| target ≤ ${r.targetMs} ms | ${met} (ratio ${r.ratios.quoteVsTarget}) | |`,
    `| anchor: bare DataView loop over all floats | ${m.floor.wallMs} ms | ${m.floor.cpuMs} ms |`,
    `| quote ÷ anchor | ${r.ratios.quoteVsFloor} × | ${r.ratios.quoteVsFloorCpu} × |`,
    ...Object.entries(m.stages).map(
      ([name, t]) => `| stage: ${name} | ${t.wallMs} ms | ${t.cpuMs} ms |`,
    ),
    '',
    `All quote runs (wall, ms): ${m.quote.runsWallMs.join(', ')}.`,
    '',
    '| memory | |',
    '|---|---|',
    `| RSS growth over the first quote | ${m.rssFirstRunMb} MB |`,
    `| peak RSS above the loaded file, all runs | ${m.peakRssExtraMb} MB |`,
    `| result correct (exact volume, watertight) | ${m.correct} |`,
    '',
    `### Same real file, printq vs node-stl (bunny, ${r.bunny.triangles.toLocaleString('en')} triangles)`,
    '',
    '| file | printq quoteMesh | node-stl | node-stl / printq |',
    '|---|---|---|---|',
    `| bunny.bin.stl | ${r.bunny.binaryQuoteMs} ms | ${r.bunny.binaryNodeStlMs} ms | ${r.ratios.nodeStlVsQuoteBinary} × |`,
    `| bunny.ascii.stl | ${r.bunny.asciiQuoteMs} ms | ${r.bunny.asciiNodeStlMs} ms | ${r.ratios.nodeStlVsQuoteAscii} × |`,
    '',
    '### ASCII parse throughput',
    '',
    '| file | size | parseStl (wall) | MB/s wall | MB/s CPU | anchor: byte loop MB/s wall / CPU | share of anchor (CPU) |',
    '|---|---|---|---|---|---|---|',
    ...r.ascii.map(
      (a) =>
        `| ${a.file} | ${a.sizeMb} MB | ${a.parseMs} ms | ${a.parseMbPerS} | ${a.parseMbPerCpuS} | ` +
        `${a.floorMbPerS} / ${a.floorMbPerCpuS} | ${round(a.parseMbPerCpuS / a.floorMbPerCpuS)} |`,
    ),
    '',
  ].join('\n');
}

const result = report();
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'quote.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(resultsDir, 'quote.md'), markdown(result));
console.log(markdown(result));
