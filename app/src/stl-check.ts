import { ProblemError } from './problems.js';

const BINARY_HEADER_BYTES = 80;
const BINARY_PREAMBLE_BYTES = BINARY_HEADER_BYTES + 4;
const BINARY_TRIANGLE_BYTES = 50;
/** How far into an ASCII file the first `facet` must appear (after a long `solid` name). */
const ASCII_SNIFF_BYTES = 4096;

export type StlFormat = 'binary' | 'ascii';

/**
 * A quick structural check so obviously wrong uploads fail at the door with 400/422 instead
 * of as a failed job. It reads at most a few kilobytes; the worker's parser has the last word.
 *
 * Binary is tested first: some exporters begin the 80-byte binary header with "solid".
 */
export function checkStlStructure(body: Buffer): StlFormat {
  if (body.length === 0) throw new ProblemError('empty-body', 'The request body is empty.');
  if (matchesBinaryLayout(body)) return 'binary';
  if (looksLikeAscii(body)) return 'ascii';
  throw new ProblemError('not-stl', describeMismatch(body));
}

function matchesBinaryLayout(body: Buffer): boolean {
  if (body.length < BINARY_PREAMBLE_BYTES) return false;
  return expectedBinaryBytes(body) === body.length;
}

function expectedBinaryBytes(body: Buffer): number {
  const triangles = body.readUInt32LE(BINARY_HEADER_BYTES);
  return BINARY_PREAMBLE_BYTES + triangles * BINARY_TRIANGLE_BYTES;
}

function asciiStart(body: Buffer): string {
  return body
    .subarray(0, ASCII_SNIFF_BYTES)
    .toString('latin1')
    .replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '')
    .trimStart();
}

function looksLikeAscii(body: Buffer): boolean {
  const start = asciiStart(body);
  return /^solid\b/i.test(start) && /\bfacet\b/i.test(start);
}

function describeMismatch(body: Buffer): string {
  const start = asciiStart(body);
  if (/^solid\b/i.test(start)) {
    return 'The file starts like an ASCII STL ("solid") but no "facet" follows in its first 4 KiB.';
  }
  if (body.length < BINARY_PREAMBLE_BYTES) {
    return (
      `The file has ${body.length} bytes: too short for a binary STL ` +
      `(80-byte header + 4-byte triangle count) and it does not start with "solid".`
    );
  }
  const triangles = body.readUInt32LE(BINARY_HEADER_BYTES);
  return (
    `The binary STL header declares ${triangles} triangles, which needs ` +
    `${expectedBinaryBytes(body)} bytes, but the file has ${body.length} bytes ` +
    `(truncated or not an STL file).`
  );
}
