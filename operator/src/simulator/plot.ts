import { Raster } from './png.js';
import type { Rgb } from './png.js';
import type { Sample, SimulationResult } from './simulate.js';

const WIDTH = 1200;
const HEIGHT = 820;
const MARGIN = { left: 90, right: 30, top: 60, bottom: 60 };
const PANEL_GAP = 70;
const INK: Rgb = [40, 40, 40];
const GRID: Rgb = [225, 225, 225];
const COLORS: Record<string, Rgb> = {
  printq: [0, 114, 178],
  keda: [213, 94, 0],
  'always-max': [120, 120, 120],
};
const FALLBACK_COLOR: Rgb = [0, 158, 115];

interface Panel {
  title: string;
  top: number;
  height: number;
  yMax: number;
  value: (s: Sample) => number;
}

/** Depth (top) and replicas (bottom) over time for every controller, as PNG bytes. */
export function plotResults(title: string, results: readonly SimulationResult[]): Buffer {
  const raster = new Raster(WIDTH, HEIGHT);
  const xMax = Math.max(1, ...results.map((r) => r.samples.at(-1)?.t ?? 0));
  const panelHeight = (HEIGHT - MARGIN.top - MARGIN.bottom - PANEL_GAP) / 2;
  const panels: Panel[] = [
    {
      title: 'queue depth (jobs waiting)',
      top: MARGIN.top,
      height: panelHeight,
      yMax: maxOf(results, (s) => s.backlog),
      value: (s) => s.backlog,
    },
    {
      title: 'replicas (spec.replicas)',
      top: MARGIN.top + panelHeight + PANEL_GAP,
      height: panelHeight,
      yMax: maxOf(results, (s) => s.replicas),
      value: (s) => s.replicas,
    },
  ];
  raster.text(MARGIN.left, 16, title, INK, 2);
  for (const panel of panels) drawPanel(raster, panel, results, xMax);
  drawLegend(raster, results);
  raster.text(WIDTH / 2 - 40, HEIGHT - 22, 'time (s)', INK, 2);
  return raster.toPng();
}

function drawPanel(
  raster: Raster,
  panel: Panel,
  results: readonly SimulationResult[],
  xMax: number,
): void {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const yMax = niceCeiling(Math.max(1, panel.yMax * 1.05));
  const x = (t: number) => MARGIN.left + (t / xMax) * plotWidth;
  const y = (v: number) => panel.top + panel.height - (v / yMax) * panel.height;

  for (const tick of ticks(yMax)) {
    raster.line(MARGIN.left, y(tick), MARGIN.left + plotWidth, y(tick), GRID);
    const label = formatTick(tick);
    raster.text(MARGIN.left - 8 - Raster.textWidth(label), y(tick) - 3, label, INK);
  }
  for (const tick of ticks(xMax)) {
    raster.line(x(tick), panel.top, x(tick), panel.top + panel.height, GRID);
    const label = formatTick(tick);
    raster.text(x(tick) - Raster.textWidth(label) / 2, panel.top + panel.height + 8, label, INK);
  }
  raster.line(MARGIN.left, panel.top, MARGIN.left, panel.top + panel.height, INK);
  raster.line(
    MARGIN.left,
    panel.top + panel.height,
    MARGIN.left + plotWidth,
    panel.top + panel.height,
    INK,
  );
  raster.text(MARGIN.left, panel.top - 14, panel.title, INK);

  // Draw the reference first so the scalers' lines stay on top.
  for (const result of [...results].reverse()) {
    const color = COLORS[result.controller] ?? FALLBACK_COLOR;
    let previous: Sample | undefined;
    for (const s of result.samples) {
      if (previous) {
        raster.line(
          x(previous.t),
          y(panel.value(previous)),
          x(s.t),
          y(panel.value(previous)),
          color,
          2,
        );
        raster.line(x(s.t), y(panel.value(previous)), x(s.t), y(panel.value(s)), color, 2);
      }
      previous = s;
    }
  }
}

function drawLegend(raster: Raster, results: readonly SimulationResult[]): void {
  let cursor = WIDTH - MARGIN.right;
  for (const result of [...results].reverse()) {
    const width = Raster.textWidth(result.label) + 30;
    cursor -= width + 20;
    const color = COLORS[result.controller] ?? FALLBACK_COLOR;
    raster.fillRect(cursor, 40, 20, 4, color);
    raster.text(cursor + 26, 38, result.label, INK);
  }
}

function maxOf(results: readonly SimulationResult[], value: (s: Sample) => number): number {
  let max = 0;
  for (const r of results) for (const s of r.samples) max = Math.max(max, value(s));
  return max;
}

/** 1, 2 or 5 × 10^k steps, about five per axis. */
function ticks(max: number): number[] {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step / 1e6; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const nice = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * magnitude >= value) ?? 10;
  return nice * magnitude;
}

function formatTick(value: number): string {
  if (value >= 10_000) return `${Math.round(value / 1000)}K`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
