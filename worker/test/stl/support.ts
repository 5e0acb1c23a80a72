import { parseStl, StlError } from '../../src/stl/index.js';

/** The StlError that parsing `buffer` raises; fails the test when the file is accepted. */
export function stlErrorOf(buffer: Buffer): StlError {
  try {
    parseStl(buffer);
  } catch (error) {
    if (error instanceof StlError) return error;
    throw error;
  }
  throw new Error('the file was accepted');
}
