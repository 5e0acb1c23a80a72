import { parseStl } from '../../src/stl/index.js';
import { asciiStl, binaryStl, subdividedCube, tetrahedron } from '../../../test/helpers/stl.js';
import { stlErrorOf } from './support.js';

const tetra = tetrahedron([0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]);

describe('binary STL', () => {
  it('reads the corners in file order as float32', () => {
    const mesh = parseStl(binaryStl(tetra));
    expect(mesh.format).toBe('binary');
    expect(mesh.triangleCount).toBe(4);
    expect(mesh.positions).toEqual(tetra);
    expect(mesh.warnings).toEqual([]);
  });

  it('is read as binary even when its header starts with "solid" (the classic trap)', () => {
    const mesh = parseStl(binaryStl(tetra, { header: 'solid part exported by CAD' }));
    expect(mesh.format).toBe('binary');
    expect(mesh.solidName).toBe('part exported by CAD');
    expect(mesh.positions).toEqual(tetra);
  });

  it('takes the printable start of the header as the name, null when blank', () => {
    expect(parseStl(binaryStl(tetra, { header: 'bracket\u0000junk' })).solidName).toBe('bracket');
    expect(parseStl(binaryStl(tetra, { header: '' })).solidName).toBeNull();
  });

  it('reads a buffer that is a slice of a larger allocation (unaligned offset)', () => {
    const file = binaryStl(tetra);
    const backing = Buffer.alloc(file.length + 3);
    file.copy(backing, 3);
    expect(parseStl(backing.subarray(3)).positions).toEqual(tetra);
  });

  it('names the triangle and byte offset of a NaN or infinite coordinate', () => {
    const file = binaryStl(subdividedCube(2));
    file.writeFloatLE(Number.NaN, 84 + 50 * 5 + 12 + 4 * 7);
    const error = stlErrorOf(file);
    expect(error.code).toBe('non_finite');
    expect(error.message).toBe(
      'triangle 5 (byte offset 334) has a NaN or infinite vertex coordinate',
    );
    expect(error.location).toEqual({ triangle: 5, byteOffset: 334 });

    const infinite = binaryStl(tetra);
    infinite.writeFloatLE(Number.NEGATIVE_INFINITY, 84 + 12);
    expect(stlErrorOf(infinite).location).toEqual({ triangle: 0, byteOffset: 84 });
  });

  it('counts a NaN stored normal without refusing the file (normals are advisory)', () => {
    const file = binaryStl(tetra);
    file.writeFloatLE(Number.NaN, 84);
    expect(parseStl(file).normals).toEqual({ zero: 0, flipped: 0, nonFinite: 1 });
  });

  it('says which triangle a truncated file ends in', () => {
    const file = binaryStl(tetra);
    const error = stlErrorOf(file.subarray(0, 84 + 50 * 2 + 17));
    expect(error.code).toBe('truncated');
    expect(error.message).toBe(
      'binary STL ends inside triangle 2 at byte offset 184: the header declares 4 ' +
        'triangles (284 bytes) but the file has 201 bytes',
    );
    expect(error.location).toEqual({ triangle: 2, byteOffset: 184 });
  });

  it('refuses a header count that disagrees with a whole number of triangles', () => {
    const file = binaryStl(tetra);
    file.writeUInt32LE(3, 80);
    const error = stlErrorOf(file);
    expect(error.code).toBe('triangle_count_mismatch');
    expect(error.message).toBe(
      'binary STL: the header declares 3 triangles (234 bytes) but the file has 284 bytes, ' +
        'which holds exactly 4 triangles',
    );
  });

  it('refuses extra bytes after the declared triangles', () => {
    const file = Buffer.concat([binaryStl(tetra), Buffer.from('xyz')]);
    const error = stlErrorOf(file);
    expect(error.code).toBe('triangle_count_mismatch');
    expect(error.message).toMatch(/3 bytes more than declared$/);
  });

  it('refuses a file shorter than the 84-byte header that does not start with "solid"', () => {
    const error = stlErrorOf(Buffer.from('PK\u0003\u0004 a zip file, not a mesh'));
    expect(error.code).toBe('bad_header');
    expect(error.message).toMatch(/does not start with "solid".*shorter than the 84-byte header/);
  });

  it('reports a binary file cut inside its "solid…" header as truncated', () => {
    const error = stlErrorOf(binaryStl(tetra, { header: 'solid x' }).subarray(0, 60));
    expect(error.code).toBe('truncated');
    expect(error.message).toMatch(/needs an 84-byte header.*only 60 bytes/);
  });

  it('explains a binary STL that went through a UTF-8 text encoder', () => {
    const mangled = Buffer.from(binaryStl(tetra).toString('utf8'), 'utf8');
    const error = stlErrorOf(mangled);
    expect(error.code).toBe('triangle_count_mismatch');
    expect(error.message).toMatch(/saved through a text encoder/);
  });
});

describe('format detection and empty input', () => {
  it('refuses an empty or blank file with the code "empty"', () => {
    for (const file of [Buffer.alloc(0), Buffer.from(' \r\n\t\n'), Buffer.alloc(200)]) {
      const error = stlErrorOf(file);
      expect(error.code).toBe('empty');
      expect(error.message).toBe('the file is empty');
    }
  });

  it('refuses an STL without a single triangle with "no_facets"', () => {
    expect(stlErrorOf(binaryStl(new Float32Array(0))).code).toBe('no_facets');
    expect(stlErrorOf(asciiStl(new Float32Array(0))).code).toBe('no_facets');
  });

  it('reads an ASCII file as ASCII even if its size happens to look binary-ish', () => {
    // A size of 84 + 50·n alone decides only when the count at byte 80 agrees with it.
    const file = asciiStl(tetra, { name: 'x'.repeat(100) });
    expect(parseStl(file).format).toBe('ascii');
  });
});
