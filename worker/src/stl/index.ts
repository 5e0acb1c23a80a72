import type { StlFormat } from '@printq/shared';
import { parseAsciiStl } from './ascii.js';
import {
  BINARY_DATA_OFFSET,
  binarySizeFor,
  declaredTriangleCount,
  parseBinaryStl,
} from './binary.js';
import { StlError } from './errors.js';
import type { Mesh } from './mesh.js';

export { STL_ERROR_CODES, StlError, isStlError } from './errors.js';
export type { StlErrorCode, StlErrorLocation } from './errors.js';
export type { Mesh } from './mesh.js';
export { measureMesh } from './geometry.js';
export type { MeshMeasurements } from './geometry.js';
export { analyzeTopology, weldVertices } from './topology.js';
export type { MeshTopology, WeldedVertices } from './topology.js';

/** How far into an ASCII-looking file to look for bytes no text file contains. */
const TEXT_PROBE_BYTES = 1024;

/**
 * Parses an STL file in one pass over the buffer. Throws {@link StlError} (permanent, with
 * a code from the catalog and the line or triangle) for anything that is not a usable STL;
 * file-level oddities that do not change the geometry come back as `mesh.warnings`.
 */
export function parseStl(buffer: Buffer): Mesh {
  const mesh = detectFormat(buffer) === 'binary' ? parseBinaryStl(buffer) : parseAsciiStl(buffer);
  if (mesh.triangleCount === 0) {
    throw new StlError('no_facets', `the ${mesh.format} STL contains no triangles`, {
      triangle: 0,
    });
  }
  return mesh;
}

/**
 * Binary STL headers are free text and many exporters start them with "solid", so the
 * keyword alone decides nothing. A file whose size is exactly 84 + 50·count is binary; a
 * file starting with "solid" and containing only text is ASCII; everything else with room
 * for a binary header, or with binary bytes after "solid", is read as binary so that the
 * size check explains what is wrong.
 */
export function detectFormat(buffer: Buffer): StlFormat {
  if (isBlankFile(buffer)) throw new StlError('empty', 'the file is empty', { byteOffset: 0 });
  const size = buffer.byteLength;
  if (size >= BINARY_DATA_OFFSET && size === binarySizeFor(declaredTriangleCount(buffer))) {
    return 'binary';
  }
  const startsWithSolid = startsWithSolidKeyword(buffer);
  if (startsWithSolid && !containsControlBytes(buffer)) return 'ascii';
  // Binary data too short for the header: the binary reader says it is truncated.
  if (size >= BINARY_DATA_OFFSET || startsWithSolid) return 'binary';
  throw new StlError(
    'bad_header',
    `the file does not start with "solid" (ASCII STL) and at ${size} bytes is shorter ` +
      `than the ${BINARY_DATA_OFFSET}-byte header of binary STL`,
    { byteOffset: 0 },
  );
}

function isBlankFile(buffer: Buffer): boolean {
  for (const byte of buffer) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x00) {
      return false;
    }
  }
  return true;
}

function startsWithSolidKeyword(buffer: Buffer): boolean {
  let pos = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  while (pos < buffer.byteLength && isTextBlank(buffer[pos] as number)) pos++;
  const word = buffer.toString('latin1', pos, pos + 5).toLowerCase();
  const after = buffer[pos + 5];
  return word === 'solid' && (after === undefined || isTextBlank(after));
}

function isTextBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** Control bytes other than tab/CR/LF/VT/FF never occur in ASCII STL but fill binary. */
function containsControlBytes(buffer: Buffer): boolean {
  const end = Math.min(buffer.byteLength, TEXT_PROBE_BYTES);
  for (let pos = 0; pos < end; pos++) {
    const byte = buffer[pos] as number;
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20)) return true;
  }
  return false;
}
