/**
 * STL generators for tests and benchmarks: meshes with volumes and areas known exactly,
 * written as binary or as ASCII in the styles real exporters use.
 */

/** Flat corner coordinates, 9 per triangle (x0 y0 z0 x1 y1 z1 x2 y2 z2). */
export type Triangles = Float32Array;

export interface BinaryStlOptions {
  /** Header text (truncated/padded to 80 bytes). @default "printq test mesh" */
  header?: string;
  /** Write the right-hand-rule normal (true) or zeros (false). @default true */
  normals?: boolean;
}

export function binaryStl(triangles: Triangles, options: BinaryStlOptions = {}): Buffer {
  const count = triangles.length / 9;
  const buffer = Buffer.alloc(84 + 50 * count);
  buffer.write((options.header ?? 'printq test mesh').slice(0, 80), 0, 'latin1');
  buffer.writeUInt32LE(count, 80);
  const withNormals = options.normals ?? true;
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  for (let t = 0; t < count; t++) {
    const record = 84 + 50 * t;
    if (withNormals) {
      const [nx, ny, nz] = unitNormal(triangles, t);
      view.setFloat32(record, nx, true);
      view.setFloat32(record + 4, ny, true);
      view.setFloat32(record + 8, nz, true);
    }
    for (let k = 0; k < 9; k++) {
      view.setFloat32(record + 12 + 4 * k, triangles[t * 9 + k] as number, true);
    }
  }
  return buffer;
}

export interface AsciiStlOptions {
  /** Name after `solid`; null writes a bare `solid`. @default "printq" */
  name?: string | null;
  /** @default "\n" */
  eol?: '\n' | '\r\n';
  /** @default "  " */
  indent?: string;
  /** Keyword case. @default "lower" */
  keywords?: 'lower' | 'upper';
  /** `shortest` writes JS's shortest round-trip form; `exponent` writes 6.000000e+00. @default "shortest" */
  numbers?: 'shortest' | 'exponent';
}

export function asciiStl(triangles: Triangles, options: AsciiStlOptions = {}): Buffer {
  const eol = options.eol ?? '\n';
  const indent = options.indent ?? '  ';
  const name = options.name === undefined ? 'printq' : options.name;
  const kw = (word: string): string => (options.keywords === 'upper' ? word.toUpperCase() : word);
  const num = (value: number): string =>
    options.numbers === 'exponent' ? value.toExponential(8) : String(value);
  const lines: string[] = [name === null ? kw('solid') : `${kw('solid')} ${name}`];
  for (let t = 0; t < triangles.length / 9; t++) {
    lines.push(`${indent}${kw('facet normal')} ${unitNormal(triangles, t).map(num).join(' ')}`);
    lines.push(`${indent}${indent}${kw('outer loop')}`);
    for (let v = 0; v < 3; v++) {
      const corner = Array.from(triangles.subarray(t * 9 + v * 3, t * 9 + v * 3 + 3));
      lines.push(`${indent}${indent}${indent}${kw('vertex')} ${corner.map(num).join(' ')}`);
    }
    lines.push(`${indent}${indent}${kw('endloop')}`, `${indent}${kw('endfacet')}`);
  }
  lines.push(name === null ? kw('endsolid') : `${kw('endsolid')} ${name}`);
  return Buffer.from(lines.join(eol) + eol, 'latin1');
}

function unitNormal(triangles: Triangles, t: number): [number, number, number] {
  const p = (k: number): number => triangles[t * 9 + k] as number;
  const ax = p(3) - p(0), ay = p(4) - p(1), az = p(5) - p(2); // prettier-ignore
  const bx = p(6) - p(0), by = p(7) - p(1), bz = p(8) - p(2); // prettier-ignore
  const cx = ay * bz - az * by;
  const cy = az * bx - ax * bz;
  const cz = ax * by - ay * bx;
  const length = Math.hypot(cx, cy, cz) || 1;
  return [cx / length, cy / length, cz / length];
}

/**
 * An axis-aligned cube from `origin` with `cellsPerEdge`² squares per face, each split in
 * two triangles, wound outward: 12·cellsPerEdge² triangles, volume = edge³ and area
 * 6·edge² exactly when the grid coordinates are exact in float32 (integer cell sizes).
 */
export function subdividedCube(
  cellsPerEdge: number,
  cellSizeMm = 1,
  origin: [number, number, number] = [0, 0, 0],
): Triangles {
  const n = cellsPerEdge;
  const out = new Float32Array(12 * n * n * 9);
  let offset = 0;
  const edge = n * cellSizeMm;
  // Each face: a fixed axis at 0 or `edge`, and two in-plane axes (u, v) with u × v outward.
  const faces: Array<{ axis: number; at: number; u: number; v: number }> = [
    { axis: 0, at: edge, u: 1, v: 2 },
    { axis: 0, at: 0, u: 2, v: 1 },
    { axis: 1, at: edge, u: 2, v: 0 },
    { axis: 1, at: 0, u: 0, v: 2 },
    { axis: 2, at: edge, u: 0, v: 1 },
    { axis: 2, at: 0, u: 1, v: 0 },
  ];
  const point = (face: (typeof faces)[number], i: number, j: number): number[] => {
    const p = [0, 0, 0];
    p[face.axis] = face.at;
    p[face.u] = i * cellSizeMm;
    p[face.v] = j * cellSizeMm;
    return p.map((value, k) => value + (origin[k] as number));
  };
  for (const face of faces) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const a = point(face, i, j);
        const b = point(face, i + 1, j);
        const c = point(face, i + 1, j + 1);
        const d = point(face, i, j + 1);
        for (const corner of [a, b, c, a, c, d]) {
          out.set(corner, offset);
          offset += 3;
        }
      }
    }
  }
  return out;
}

/** The tetrahedron (a, b, c, d) wound outward whatever the order of the points. */
export function tetrahedron(a: number[], b: number[], c: number[], d: number[]): Triangles {
  const faces = [
    [a, b, c],
    [a, d, b],
    [a, c, d],
    [b, d, c],
  ];
  const out = new Float32Array(faces.flat(2));
  // If d lies on the outer side of face abc the winding above is inside out: flip all.
  if (signedVolumeOf(a, b, c, d) > 0) {
    for (let t = 0; t < 4; t++) swapCorners(out, t);
  }
  return out;
}

/** (b − a)·((c − a) × (d − a)) / 6, the formula the tests check against. */
export function signedVolumeOf(a: number[], b: number[], c: number[], d: number[]): number {
  const [ax, ay, az] = a as [number, number, number];
  const u = [(b[0] as number) - ax, (b[1] as number) - ay, (b[2] as number) - az];
  const v = [(c[0] as number) - ax, (c[1] as number) - ay, (c[2] as number) - az];
  const w = [(d[0] as number) - ax, (d[1] as number) - ay, (d[2] as number) - az];
  const [ux, uy, uz] = u as [number, number, number];
  const [vx, vy, vz] = v as [number, number, number];
  const [wx, wy, wz] = w as [number, number, number];
  return (ux * (vy * wz - vz * wy) - uy * (vx * wz - vz * wx) + uz * (vx * wy - vy * wx)) / 6;
}

function swapCorners(triangles: Triangles, t: number): void {
  for (let k = 0; k < 3; k++) {
    const first = triangles[t * 9 + 3 + k] as number;
    triangles[t * 9 + 3 + k] = triangles[t * 9 + 6 + k] as number;
    triangles[t * 9 + 6 + k] = first;
  }
}

/** Every triangle wound the other way (inside-out mesh, negative signed volume). */
export function invert(triangles: Triangles): Triangles {
  const out = triangles.slice();
  for (let t = 0; t < out.length / 9; t++) swapCorners(out, t);
  return out;
}

/** A copy with the triangles listed in `drop` left out (opens holes). */
export function withoutTriangles(triangles: Triangles, drop: readonly number[]): Triangles {
  const keep: number[] = [];
  for (let t = 0; t < triangles.length / 9; t++) {
    if (!drop.includes(t)) keep.push(...triangles.subarray(t * 9, t * 9 + 9));
  }
  return new Float32Array(keep);
}

/** Concatenates meshes (e.g. two solids sharing a face make non-manifold edges). */
export function concat(...meshes: Triangles[]): Triangles {
  const out = new Float32Array(meshes.reduce((sum, mesh) => sum + mesh.length, 0));
  let offset = 0;
  for (const mesh of meshes) {
    out.set(mesh, offset);
    offset += mesh.length;
  }
  return out;
}

export { seededRandom } from './random.js';
