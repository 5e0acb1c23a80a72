import { analyzeTopology, parseStl } from '../../src/stl/index.js';
import {
  binaryStl,
  concat,
  invert,
  subdividedCube,
  withoutTriangles,
} from '../../../test/helpers/stl.js';

const topology = (triangles: Float32Array) => analyzeTopology(parseStl(binaryStl(triangles)));

describe('watertight check', () => {
  it('finds a subdivided cube closed: every edge used twice, in opposite directions', () => {
    const n = 5;
    const t = topology(subdividedCube(n));
    expect(t.watertight).toBe(true);
    // Euler: V − E + F = 2 with F = 12n², E = 18n², V = 6n² + 2.
    expect(t.vertexCount).toBe(6 * n * n + 2);
    expect(t.edges).toEqual({
      edges: 18 * n * n,
      boundaryEdges: 0,
      nonManifoldEdges: 0,
      inconsistentEdges: 0,
    });
  });

  it('counts the three boundary edges of a hole left by one missing triangle', () => {
    const t = topology(withoutTriangles(subdividedCube(3), [10]));
    expect(t.watertight).toBe(false);
    expect(t.edges.boundaryEdges).toBe(3);
    expect(t.edges.inconsistentEdges).toBe(0);
  });

  it('counts the edges of one triangle wound the wrong way as inconsistent', () => {
    const cube = subdividedCube(3);
    const flipped = concat(withoutTriangles(cube, [4]), invert(cube.subarray(36, 45)));
    const t = topology(flipped);
    expect(t.watertight).toBe(false);
    expect(t.edges).toMatchObject({ boundaryEdges: 0, nonManifoldEdges: 0, inconsistentEdges: 3 });
  });

  it('counts edges shared by four triangles as non-manifold', () => {
    // Two cubes touching along one edge: that edge belongs to four faces.
    const t = topology(concat(subdividedCube(1), subdividedCube(1, 1, [1, 1, 0])));
    expect(t.watertight).toBe(false);
    expect(t.edges.nonManifoldEdges).toBe(1);
    expect(t.edges.boundaryEdges).toBe(0);
  });

  it('is not fooled by a whole mesh wound inside out (consistent, only inverted)', () => {
    expect(topology(invert(subdividedCube(2))).watertight).toBe(true);
  });

  it('welds -0 and +0 into one vertex', () => {
    const cube = subdividedCube(2);
    const file = binaryStl(cube);
    // Rewrite every 0 coordinate of the first triangle as -0.
    for (let k = 0; k < 9; k++) {
      const offset = 84 + 12 + 4 * k;
      if (file.readFloatLE(offset) === 0) file.writeFloatLE(-0, offset);
    }
    const t = analyzeTopology(parseStl(file));
    expect(t.watertight).toBe(true);
    expect(t.vertexCount).toBe(6 * 4 + 2);
  });

  it('ignores collapsed triangles (a repeated vertex) when checking edges', () => {
    const sliver = new Float32Array([0, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect(topology(concat(subdividedCube(1), sliver)).watertight).toBe(true);
  });

  it('handles a vertex shared by thousands of triangles (large sorted buckets)', () => {
    // A fan: 4000 triangles around the origin, closed by a mirrored fan.
    const rim = 4000;
    const fan: number[] = [];
    for (let k = 0; k < rim; k++) {
      const a = (2 * Math.PI * k) / rim;
      const b = (2 * Math.PI * ((k + 1) % rim)) / rim;
      const p = [Math.cos(a), Math.sin(a), 0];
      const q = [Math.cos(b), Math.sin(b), 0];
      fan.push(0, 0, 1, ...p, ...q, 0, 0, -1, ...q, ...p);
    }
    const t = topology(new Float32Array(fan));
    expect(t.watertight).toBe(true);
    expect(t.vertexCount).toBe(rim + 2);
  });
});
