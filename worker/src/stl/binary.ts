import { StlError } from './errors.js';
import type { Mesh } from './mesh.js';
import { classifyStoredNormal, emptyNormalStats } from './normals.js';

/** Binary STL: 80-byte header, uint32 LE triangle count, then 50 bytes per triangle. */
export const BINARY_HEADER_BYTES = 80;
export const BINARY_DATA_OFFSET = 84;
export const BINARY_RECORD_BYTES = 50;

/** Size a binary STL declaring `triangleCount` triangles must have. */
export function binarySizeFor(triangleCount: number): number {
  return BINARY_DATA_OFFSET + BINARY_RECORD_BYTES * triangleCount;
}

export function declaredTriangleCount(buffer: Buffer): number {
  return buffer.readUInt32LE(BINARY_HEADER_BYTES);
}

export function parseBinaryStl(buffer: Buffer): Mesh {
  const triangleCount = checkBinarySize(buffer);
  const positions = new Float32Array(triangleCount * 9);
  const normals = emptyNormalStats();
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);

  for (let t = 0; t < triangleCount; t++) {
    const record = BINARY_DATA_OFFSET + t * BINARY_RECORD_BYTES;
    // x - x is NaN exactly when x is NaN or ±Infinity: one check per triangle, not nine.
    let finiteProbe = 0;
    for (let k = 0; k < 9; k++) {
      const value = view.getFloat32(record + 12 + k * 4, true);
      positions[t * 9 + k] = value;
      finiteProbe += value - value;
    }
    if (finiteProbe !== 0) throw nonFiniteVertex(t, record);
    const nx = view.getFloat32(record, true);
    const ny = view.getFloat32(record + 4, true);
    const nz = view.getFloat32(record + 8, true);
    classifyStoredNormal(normals, positions, t, nx, ny, nz);
  }

  return {
    format: 'binary',
    solidName: headerName(buffer),
    triangleCount,
    positions,
    normals,
    warnings: [],
  };
}

function checkBinarySize(buffer: Buffer): number {
  const size = buffer.byteLength;
  if (size < BINARY_DATA_OFFSET) {
    throw new StlError(
      'truncated',
      `binary STL needs an ${BINARY_DATA_OFFSET}-byte header with the triangle count, ` +
        `but the file has only ${size} bytes`,
      { byteOffset: size },
    );
  }
  const declared = declaredTriangleCount(buffer);
  const expected = binarySizeFor(declared);
  if (size === expected) return declared;

  const dataBytes = size - BINARY_DATA_OFFSET;
  const completeTriangles = Math.floor(dataBytes / BINARY_RECORD_BYTES);
  const claim = `the header declares ${declared} triangles (${expected} bytes) but the file has ${size} bytes`;
  const hint = sizeMismatchHint(buffer);
  if (size < expected && dataBytes % BINARY_RECORD_BYTES !== 0) {
    const byteOffset = BINARY_DATA_OFFSET + completeTriangles * BINARY_RECORD_BYTES;
    throw new StlError(
      'truncated',
      `binary STL ends inside triangle ${completeTriangles} at byte offset ${byteOffset}: ` +
        `${claim}${hint}`,
      { triangle: completeTriangles, byteOffset },
    );
  }
  const holds =
    dataBytes % BINARY_RECORD_BYTES === 0
      ? `, which holds exactly ${completeTriangles} triangles`
      : `, ${size - expected} bytes more than declared`;
  throw new StlError('triangle_count_mismatch', `binary STL: ${claim}${holds}${hint}`, {
    byteOffset: BINARY_HEADER_BYTES,
  });
}

/**
 * A binary STL that went through a text encoder has each byte ≥ 0x80 replaced by U+FFFD
 * (EF BF BD): it grows and its floats are lost. Saying so saves the user a long search.
 */
function sizeMismatchHint(buffer: Buffer): string {
  const replacementChar = Buffer.from([0xef, 0xbf, 0xbd]);
  if (buffer.indexOf(replacementChar, BINARY_DATA_OFFSET) < 0) return '';
  return (
    '; the data contains UTF-8 replacement characters (EF BF BD), so the file was probably ' +
    'saved through a text encoder, which destroys binary STL'
  );
}

function nonFiniteVertex(triangle: number, record: number): StlError {
  return new StlError(
    'non_finite',
    `triangle ${triangle} (byte offset ${record}) has a NaN or infinite vertex coordinate`,
    { triangle, byteOffset: record },
  );
}

/** The printable start of the header, without a leading `solid` keyword; null if none. */
function headerName(buffer: Buffer): string | null {
  let end = 0;
  while (end < BINARY_HEADER_BYTES) {
    const byte = buffer[end] ?? 0;
    if (byte < 0x20 || byte > 0x7e) break;
    end++;
  }
  const text = buffer
    .toString('latin1', 0, end)
    .replace(/^solid\b/i, '')
    .trim();
  return text === '' ? null : text;
}
