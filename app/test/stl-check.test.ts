import { asciiStl, binaryStl, box } from '../../scripts/lib/stl-writer.js';
import { ProblemError } from '../src/problems.js';
import { checkStlStructure } from '../src/stl-check.js';

function problemOf(body: Buffer): ProblemError {
  try {
    checkStlStructure(body);
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error('expected a problem');
}

describe('checkStlStructure', () => {
  const cube = box(1, 1, 1);

  it('recognises a binary STL by its size formula, even when the header says "solid"', () => {
    expect(checkStlStructure(binaryStl(cube, 'solid cube from a CAD tool'))).toBe('binary');
  });

  it('recognises an ASCII STL by "solid" followed by a facet, after a BOM and blanks', () => {
    expect(checkStlStructure(asciiStl(cube, 'cube'))).toBe('ascii');
    const withBom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('\n  '),
      asciiStl(cube, 'c'),
    ]);
    expect(checkStlStructure(withBom)).toBe('ascii');
  });

  it('refuses an empty body as empty-body (400)', () => {
    expect(problemOf(Buffer.alloc(0)).kind).toBe('empty-body');
  });

  it('explains a truncated binary STL with the declared and actual sizes', () => {
    const problem = problemOf(binaryStl(cube, 'cube').subarray(0, 200));
    expect(problem.kind).toBe('not-stl');
    expect(problem.detail).toBe(
      'The binary STL header declares 12 triangles, which needs 684 bytes, but the file has ' +
        '200 bytes (truncated or not an STL file).',
    );
  });

  it('refuses a file shorter than a binary header that is not ASCII', () => {
    expect(problemOf(Buffer.from('PK\u0003\u0004 zip')).detail).toMatch(/8 bytes: too short/);
  });

  it('refuses a "solid" without any facet in its first 4 KiB', () => {
    expect(problemOf(Buffer.from(`solid ${'x'.repeat(5000)}\nfacet`)).detail).toMatch(/no "facet"/);
  });
});
