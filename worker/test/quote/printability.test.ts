import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { quoteMesh } from '../../src/quote/index.js';
import { binaryStl, invert, subdividedCube, withoutTriangles } from '../../../test/helpers/stl.js';

const options = { material: 'pla', infillPercent: 20 } as const;
const corpus = dirname(createRequire(import.meta.url).resolve('stl-models/package.json'));

function codesOf(stl: Buffer): string[] {
  return quoteMesh(stl, options).printability.map((warning) => warning.code);
}

describe('printability warnings', () => {
  it('are empty for a closed, outward, bed-sized part', () => {
    expect(codesOf(binaryStl(subdividedCube(2, 20)))).toEqual([]);
  });

  it('flag an open mesh and count its boundary edges', () => {
    const [warning] = quoteMesh(
      binaryStl(withoutTriangles(subdividedCube(1, 20), [0])),
      options,
    ).printability;
    expect(warning?.code).toBe('not_watertight');
    expect(warning?.message).toMatch(/3 boundary edges/);
  });

  it('flag triangles wound inside out', () => {
    expect(codesOf(binaryStl(invert(subdividedCube(1, 20))))).toEqual(['inverted']);
  });

  it('flag a part smaller than a millimetre as probably not modelled in mm', () => {
    expect(codesOf(binaryStl(subdividedCube(1, 0.5)))).toEqual(['implausibly_small']);
  });

  it('flag a part that fits the build volume in no orientation', () => {
    expect(codesOf(binaryStl(subdividedCube(1, 240)))).toEqual(['exceeds_build_volume']);
  });

  it('flag the corpus bunny, which was modelled in metres and is open', () => {
    const bunny = readFileSync(join(corpus, 'objects', 'bunny.bin.stl'));
    expect(codesOf(bunny)).toEqual(expect.arrayContaining(['not_watertight', 'implausibly_small']));
  });
});
