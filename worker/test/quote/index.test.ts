import { MATERIALS, PRICING } from '@printq/shared';
import { quoteMesh } from '../../src/quote/index.js';
import { StlError } from '../../src/stl/index.js';
import { asciiStl, binaryStl, invert, subdividedCube } from '../../../test/helpers/stl.js';

describe('quoteMesh', () => {
  it('quotes a 20 mm cube with every number derived from the documented model', () => {
    const result = quoteMesh(binaryStl(subdividedCube(4, 5)), {
      material: 'petg',
      infillPercent: 20,
    });
    const petg = MATERIALS.petg;
    const shell = 2400 * PRICING.shellThicknessMm;
    const extruded = shell + (8000 - shell) * 0.2;
    const seconds = extruded / petg.flowMm3PerSecond + 100 * PRICING.secondsPerLayer;
    const exactPrice =
      PRICING.setupFee +
      (extruded / 1000) * petg.densityGPerCm3 * petg.pricePerGram +
      (seconds / 3600) * PRICING.machineRatePerHour;

    expect(result).toMatchObject({
      units: 'mm',
      format: 'binary',
      solidName: 'printq test mesh',
      triangles: 12 * 16,
      degenerateTriangles: 0,
      volumeMm3: 8000,
      signedVolumeMm3: 8000,
      surfaceAreaMm2: 2400,
      orientation: 'outward',
      watertight: true,
      material: 'petg',
      infillPercent: 20,
      warnings: [],
    });
    expect(result.extrudedVolumeMm3).toBeCloseTo(extruded, 9);
    expect(result.massGrams).toBeCloseTo((extruded / 1000) * petg.densityGPerCm3, 9);
    expect(result.printTimeSeconds).toBeCloseTo(seconds, 9);
    expect(result.price.total).toBe(Math.round(exactPrice * 100) / 100);
  });

  it('quotes an inside-out mesh by its absolute volume and says it is inverted', () => {
    const result = quoteMesh(asciiStl(invert(subdividedCube(2))), {
      material: 'pla',
      infillPercent: 20,
    });
    expect(result.volumeMm3).toBe(8);
    expect(result.signedVolumeMm3).toBe(-8);
    expect(result.orientation).toBe('inverted');
    expect(result.watertight).toBe(true);
  });

  it('costs more with more infill, and a round trip through JSON keeps the result', () => {
    const file = binaryStl(subdividedCube(10, 3));
    const sparse = quoteMesh(file, { material: 'pla', infillPercent: 10 });
    const dense = quoteMesh(file, { material: 'pla', infillPercent: 90 });
    expect(dense.massGrams).toBeGreaterThan(sparse.massGrams);
    expect(dense.price.total).toBeGreaterThan(sparse.price.total);
    expect(JSON.parse(JSON.stringify(dense))).toEqual(dense);
  });

  it('throws StlError for bad bytes and RangeError for options outside the contract', () => {
    expect(() => quoteMesh(Buffer.alloc(0), { material: 'pla', infillPercent: 20 })).toThrow(
      StlError,
    );
    const file = binaryStl(subdividedCube(1));
    expect(() => quoteMesh(file, { material: 'pla', infillPercent: 101 })).toThrow(RangeError);
    expect(() => quoteMesh(file, { material: 'pla', infillPercent: Number.NaN })).toThrow(
      RangeError,
    );
    // @ts-expect-error: a material outside MaterialId, as untyped callers could send.
    expect(() => quoteMesh(file, { material: 'gold', infillPercent: 20 })).toThrow(
      /unknown material "gold"/,
    );
  });
});

describe('a 1 M-triangle binary STL', () => {
  // 289 cells per edge: 12 · 289² = 1 002 252 triangles, 50 MB, integer grid → exact volume.
  const cells = 289;
  let file: Buffer;

  beforeAll(() => {
    file = binaryStl(subdividedCube(cells), { normals: false });
  });

  it('is quoted correctly, watertight, within a bounded amount of extra memory', () => {
    const before = process.memoryUsage();
    const result = quoteMesh(file, { material: 'pla', infillPercent: 20 });
    const after = process.memoryUsage();

    expect(result.triangles).toBe(12 * cells * cells);
    expect(result.volumeMm3).toBe(cells ** 3);
    expect(result.surfaceAreaMm2).toBe(6 * cells ** 2);
    expect(result.watertight).toBe(true);
    expect(result.vertices).toBe(6 * cells * cells + 2);
    expect(result.edges.edges).toBe(18 * cells * cells);
    expect(result.normals.zero).toBe(result.triangles);

    // Typed arrays count as arrayBuffers; with no object per triangle the heap barely moves.
    // Measured without a forced GC, so this is everything allocated, an upper bound.
    const extraMb =
      (after.arrayBuffers - before.arrayBuffers + after.heapUsed - before.heapUsed) / 2 ** 20;
    expect(extraMb).toBeLessThan(150);
    expect((after.heapUsed - before.heapUsed) / 2 ** 20).toBeLessThan(20);
  });
});
