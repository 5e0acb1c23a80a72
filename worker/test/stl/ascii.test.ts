import { parseStl } from '../../src/stl/index.js';
import type { StlErrorCode } from '../../src/stl/index.js';
import { parseNumberToken } from '../../src/stl/ascii.js';
import {
  asciiStl,
  binaryStl,
  seededRandom,
  subdividedCube,
  tetrahedron,
} from '../../../test/helpers/stl.js';
import { stlErrorOf } from './support.js';

const tetra = tetrahedron([0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]);
const text = (lines: string[], eol = '\n'): Buffer => Buffer.from(lines.join(eol), 'latin1');

function facet(v: string[] = ['0 0 0', '1 0 0', '0 1 0'], normal = '0 0 1'): string[] {
  return [
    `facet normal ${normal}`,
    'outer loop',
    ...v.map((corner) => `vertex ${corner}`),
    'endloop',
    'endfacet',
  ];
}

describe('ASCII STL as exporters write it', () => {
  it('reads CRLF line ends, tab indentation and upper-case keywords like LF lower-case', () => {
    const plain = parseStl(asciiStl(tetra));
    const windows = parseStl(asciiStl(tetra, { eol: '\r\n', indent: '\t', keywords: 'upper' }));
    expect(windows.format).toBe('ascii');
    expect(windows.triangleCount).toBe(4);
    expect(windows.positions).toEqual(plain.positions);
  });

  it('reads scientific notation (1.000000e+00) to the same float32 values', () => {
    const cube = subdividedCube(3, 0.1);
    const shortest = parseStl(asciiStl(cube));
    const exponent = parseStl(asciiStl(cube, { numbers: 'exponent' }));
    expect(exponent.positions).toEqual(shortest.positions);
    expect(shortest.positions).toEqual(cube);
  });

  it('keeps a solid name with spaces, and null for a bare "solid"', () => {
    expect(parseStl(asciiStl(tetra, { name: 'Part 7 - bracket v2' })).solidName).toBe(
      'Part 7 - bracket v2',
    );
    expect(parseStl(asciiStl(tetra, { name: null })).solidName).toBeNull();
  });

  it('accepts a UTF-8 byte order mark and mixed-case keywords', () => {
    const file = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      text(['SoLiD x', ...facet().map((l) => l.replace('vertex', 'VeRtEx')), 'EndSolid x']),
    ]);
    expect(parseStl(file).triangleCount).toBe(1);
  });

  it('reads a solid written on one line, the name ending at the first facet', () => {
    const oneLine = asciiStl(tetra, { name: 'flat file' }).toString('latin1').replace(/\n/g, ' ');
    const mesh = parseStl(Buffer.from(oneLine, 'latin1'));
    expect(mesh.triangleCount).toBe(4);
    expect(mesh.solidName).toBe('flat file');
    expect(mesh.warnings).toEqual([]);
  });

  it('merges several solid blocks into one mesh and says so in a warning', () => {
    const file = text(['solid a', ...facet(), 'endsolid a', 'solid b', ...facet(), 'endsolid b']);
    const mesh = parseStl(file);
    expect(mesh.triangleCount).toBe(2);
    expect(mesh.solidName).toBe('a');
    expect(mesh.warnings).toEqual([
      { code: 'multiple_solids', message: 'another solid starts at line 10; merged' },
    ]);
  });

  it('tolerates whitespace and NUL padding after endsolid', () => {
    const file = Buffer.concat([
      text(['solid', ...facet(), 'endsolid', '', '  ']),
      Buffer.alloc(8),
    ]);
    // NUL bytes in the first KiB make a file look binary; padding after it is fine.
    const padded = Buffer.concat([asciiStl(subdividedCube(2)), Buffer.alloc(16)]);
    expect(parseStl(file.subarray(0, file.length - 8)).triangleCount).toBe(1);
    expect(parseStl(padded).triangleCount).toBe(48);
  });

  it('reads numbers with signs, leading dots, trailing dots and capital E', () => {
    const mesh = parseStl(
      text(['solid', ...facet(['+0 -0 .5', '1. 0 0', '0 1E0 -2.5E-1']), 'endsolid']),
    );
    expect(Array.from(mesh.positions)).toEqual([0, -0, 0.5, 1, 0, 0, 0, 1, -0.25]);
  });

  it('parses numbers exactly as Number() does, then rounds to float32', () => {
    const random = seededRandom(7);
    const samples = [
      '0.57735027',
      '1.082005e-17',
      '-9.231440e-02',
      '123456789012345678',
      '0.1234567890123456789',
      '1e308',
      '4.9e-324',
      '1e-30',
      '00000.000001',
    ];
    for (let k = 0; k < 2000; k++) {
      const mantissa = (random() * 10 ** Math.floor(random() * 10)).toFixed(
        Math.floor(random() * 12),
      );
      const exponent = random() < 0.5 ? '' : `e${Math.floor(random() * 60) - 30}`;
      samples.push(`${random() < 0.5 ? '-' : ''}${mantissa}${exponent}`);
    }
    for (const sample of samples) {
      const bytes = Buffer.from(sample, 'latin1');
      const parsed = parseNumberToken(bytes, 0, bytes.length);
      expect([sample, parsed]).toEqual([sample, Number(sample)]);
    }
  });
});

describe('ASCII STL errors name the line', () => {
  const cases: Array<[string, Buffer, StlErrorCode, RegExp, number]> = [
    [
      'a word instead of a coordinate',
      text(['solid', ...facet(['0 0 0', '1 zero 0', '0 1 0']), 'endsolid']),
      'bad_number',
      /expected a number at line 5 \(facet starting at line 2\), found "zero"/,
      5,
    ],
    [
      'a malformed exponent',
      text(['solid', ...facet(['0 0 0', '1 0 0', '0 1e+ 0']), 'endsolid']),
      'bad_number',
      /line 6.*found "1e\+"/,
      6,
    ],
    [
      'a NaN vertex coordinate',
      text(['solid', ...facet(['0 0 0', '1 0 0', '0 NaN 0']), 'endsolid']),
      'non_finite',
      /vertex at line 6 \(triangle 0\) has a NaN or infinite coordinate/,
      6,
    ],
    [
      'an infinite vertex coordinate',
      text(['solid', ...facet(), ...facet(['-inf 0 0', '1 0 0', '0 1 0']), 'endsolid']),
      'non_finite',
      /vertex at line 11 \(triangle 1\)/,
      11,
    ],
    [
      'a misspelt keyword',
      text(['solid', ...facet().map((l) => l.replace('outer loop', 'outer lop')), 'endsolid']),
      'unexpected_token',
      /expected "loop" at line 3, found "lop"/,
      3,
    ],
    [
      'garbage between facets',
      text(['solid', ...facet(), 'banana', 'endsolid']),
      'unexpected_token',
      /expected "facet" or "endsolid" at line 9, found "banana"/,
      9,
    ],
    [
      'a file cut inside a facet',
      text(['solid', 'facet normal 0 0 1', 'outer loop', 'vertex 0 0 0']),
      'truncated',
      /ends at line 4 inside the facet starting at line 2/,
      4,
    ],
    [
      'text after endsolid',
      text(['solid', ...facet(), 'endsolid', 'trailing words']),
      'trailing_data',
      /unexpected "trailing" after endsolid at line 10/,
      10,
    ],
    [
      'a facet with two vertices',
      text(['solid', ...facet(['0 0 0', '1 0 0']), 'endsolid']),
      'vertex_count',
      /facet 0 starting at line 2 has 2 vertices/,
      2,
    ],
  ];

  it.each(cases)('%s', (_name, file, code, message, line) => {
    const error = stlErrorOf(file);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.location.line).toBe(line);
    expect(error.permanent).toBe(true);
  });

  it('shortens a huge token in the message', () => {
    const error = stlErrorOf(text(['solid', `facet normal ${'9'.repeat(5000)}x 0 0`]));
    expect(error.code).toBe('bad_number');
    expect(error.message.length).toBeLessThan(200);
  });

  it('reports a binary file that is not ASCII as a binary problem, not a syntax error', () => {
    const binary = binaryStl(tetra, { header: 'solid looks like text' });
    const error = stlErrorOf(binary.subarray(0, binary.length - 7));
    expect(error.code).toBe('truncated');
    expect(error.message).toMatch(/ends inside triangle 3 at byte offset 234/);
  });
});
