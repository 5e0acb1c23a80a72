import type { StlFormat, StlWarning } from '@printq/shared';

/**
 * A triangle soup in flat typed arrays: no object per triangle, so a million triangles
 * cost 48 MB (positions + normals) and nothing for the garbage collector to trace.
 */
export interface Mesh {
  format: StlFormat;
  solidName: string | null;
  triangleCount: number;
  /** 9 floats per triangle: x0 y0 z0 x1 y1 z1 x2 y2 z2, in file order. Exactly 9·count long. */
  positions: Float32Array;
  /** 3 floats per triangle: the facet normal as stored in the file (often zero). */
  normals: Float32Array;
  warnings: StlWarning[];
}
