/**
 * Scenario 1: the README's first command. `npm run demo` starts a real Redis, the real app
 * and one real worker, quotes the repository's example STL, prints it and cleans up.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/processes.js';

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDemo(args: string[]): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'demo', '--', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The ports the demo announced on stderr: "redis :P, app :P, worker :P". */
function announcedPorts(stderr: string): number[] {
  const match = /redis :(\d+), app :(\d+), worker :(\d+)/.exec(stderr);
  return match ? match.slice(1).map(Number) : [];
}

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm run demo', () => {
  it('prints a quote for the example STL, exits 0 and leaves nothing running', async () => {
    const run = await runDemo([]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('printq quote for examples/calibration-cube-20mm.stl (units: mm)');
    expect(run.stdout).toMatch(/format\s+binary STL, 12 triangles \(0 degenerate\)/);
    expect(run.stdout).toMatch(/size\s+20\.00 × 20\.00 × 20\.00 mm/);
    expect(run.stdout).toMatch(/volume\s+8000\.00 mm³ \(watertight: yes\)/);
    expect(run.stdout).toMatch(/edges\s+18 edges: 0 boundary, 0 non-manifold, 0 inconsistent/);
    expect(run.stdout).toMatch(/orientation\s+outward/);
    expect(run.stdout).not.toContain('warning');
    expect(run.stdout).toMatch(/price\s+EUR \d+\.\d\d/);
    const ports = announcedPorts(run.stderr);
    expect(ports).toHaveLength(3);
    expect(await Promise.all(ports.map(portIsOpen))).toEqual([false, false, false]);
  }, 120_000);

  it('prints the full quote as JSON with --json, for the given file, material and infill', async () => {
    const run = await runDemo([
      'examples/tube-20x12x15mm.stl',
      '--material',
      'petg',
      '--infill',
      '50',
      '--json',
    ]);

    expect(run.code).toBe(0);
    const quote = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(quote).toMatchObject({
      units: 'mm',
      format: 'ascii',
      triangles: 512,
      material: 'petg',
      infillPercent: 50,
    });
    expect(quote.volumeMm3).toBeCloseTo(3011.09, 1);
  }, 120_000);

  it('exits 4 with the reason when the file is not a usable STL', async () => {
    const run = await runDemo(['worker/package.json']);

    expect(run.code).toBe(4);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/upload refused \(422\): The upload is not a valid STL file/);
  }, 120_000);

  it('shows one triangle in the singular and the mesh warnings of an open surface', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'printq-demo-'));
    const file = join(dir, 'one.stl');
    writeFileSync(
      file,
      'solid one\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 10 0 0\n' +
        'vertex 0 10 0\nendloop\nendfacet\nendsolid one\n',
    );
    try {
      const run = await runDemo([file]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/format\s+ascii STL, 1 triangle \(0 degenerate\)/);
      expect(run.stdout).toMatch(/edges\s+3 edges: 3 boundary/);
      expect(run.stdout).toMatch(/warning\s+.*\(not_watertight\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['f.stl', '--infill', '-5'], /--infill/],
    [['--material', 'wood'], /--material "wood" is not offered; allowed: pla/],
    [['--infill', '150'], /--infill "150" is not a percentage from 0 to 100/],
  ])(
    'exits 2 with the usage, before starting anything, for %j',
    async (args, message) => {
      const run = await runDemo(args);

      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('usage: npm run demo');
      expect(run.stderr).not.toMatch(/; starting|\bat .*\.ts:\d+/);
    },
    60_000,
  );

  it('exits 2 when the file does not exist', async () => {
    const run = await runDemo(['no/such/file.stl']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot read no/such/file.stl');
  }, 60_000);
});
