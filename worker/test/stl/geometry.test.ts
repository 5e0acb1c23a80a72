import { measureMesh, parseStl } from '../../src/stl/index.js';
import {
  binaryStl,
  concat,
  invert,
  seededRandom,
  signedVolumeOf,
  subdividedCube,
  tetrahedron,
} from '../../../test/helpers/stl.js';

const measure = (triangles: Float32Array) => measureMesh(parseStl(binaryStl(triangles)));

function triangleArea(p: number[][]): number {
  const [a, b, c] = p as [number[], number[], number[]];
  const u = b.map((v, k) => v - (a[k] as number));
  const w = c.map((v, k) => v - (a[k] as number));
  const [ux, uy, uz] = u as [number, number, number];
  const [wx, wy, wz] = w as [number, number, number];
  return Math.hypot(uy * wz - uz * wy, uz * wx - ux * wz, ux * wy - uy * wx) / 2;
}

describe('mesh measurements', () => {
  it('gives the unit cube volume 1 and area 6 exactly', () => {
    const m = measure(subdividedCube(1));
    expect(m.signedVolumeMm3).toBe(1);
    expect(m.surfaceAreaMm2).toBe(6);
    expect(m.boundingBox).toEqual({
      min: { x: 0, y: 0, z: 0 },
      max: { x: 1, y: 1, z: 1 },
      size: { x: 1, y: 1, z: 1 },
    });
  });

  it('gives a subdivided cube the exact volume and area of its edge', () => {
    const m = measure(subdividedCube(7, 2, [-3, 5, 11]));
    expect(m.signedVolumeMm3).toBe(14 ** 3);
    expect(m.surfaceAreaMm2).toBe(6 * 14 ** 2);
    expect(m.boundingBox.min).toEqual({ x: -3, y: 5, z: 11 });
  });

  it('matches the determinant formula on random tetrahedra', () => {
    const random = seededRandom(42);
    for (let k = 0; k < 200; k++) {
      // Coordinates exact in float32 (multiples of 1/64) so the formula sees the same points.
      const point = () => [0, 0, 0].map(() => Math.round((random() - 0.5) * 6400) / 64);
      const [a, b, c, d] = [point(), point(), point(), point()] as [
        number[],
        number[],
        number[],
        number[],
      ];
      const expected = Math.abs(signedVolumeOf(a, b, c, d));
      const m = measure(tetrahedron(a, b, c, d));
      expect(Math.abs(m.signedVolumeMm3 - expected)).toBeLessThanOrEqual(expected * 1e-12 + 1e-9);
      const area =
        triangleArea([a, b, c]) +
        triangleArea([a, b, d]) +
        triangleArea([a, c, d]) +
        triangleArea([b, c, d]);
      expect(Math.abs(m.surfaceAreaMm2 - area)).toBeLessThanOrEqual(area * 1e-12);
    }
  });

  it('reports an inside-out mesh with a negative signed volume', () => {
    expect(measure(invert(subdividedCube(2))).signedVolumeMm3).toBe(-8);
  });

  it('keeps full precision far from the origin', () => {
    // A 1 mm cube 100 km away: plain tetrahedra against the origin would cancel ~10 digits.
    expect(measure(subdividedCube(1, 1, [100_000, 100_000, 100_000])).signedVolumeMm3).toBe(1);
  });

  it('counts zero-area triangles and gives them no area or volume', () => {
    const degenerate = new Float32Array([
      ...[0, 0, 0, 0, 0.5, 0, 0, 1, 0], // collinear
      ...[1, 1, 1, 1, 1, 1, 2, 2, 2], // repeated vertex
    ]);
    const m = measure(concat(subdividedCube(1), degenerate));
    expect(m.degenerateTriangles).toBe(2);
    expect(m.signedVolumeMm3).toBe(1);
    expect(m.surfaceAreaMm2).toBe(6);
  });

  it('counts stored normals that are zero, flipped or not finite', () => {
    const file = binaryStl(subdividedCube(1));
    const normalAt = (t: number) => 84 + 50 * t;
    file.fill(0, normalAt(0), normalAt(0) + 12);
    file.writeFloatLE(-file.readFloatLE(normalAt(1)), normalAt(1));
    file.writeFloatLE(-file.readFloatLE(normalAt(1) + 4), normalAt(1) + 4);
    file.writeFloatLE(-file.readFloatLE(normalAt(1) + 8), normalAt(1) + 8);
    file.writeFloatLE(Number.POSITIVE_INFINITY, normalAt(2) + 4);
    expect(parseStl(file).normals).toEqual({ zero: 1, flipped: 1, nonFinite: 1 });
  });
});
