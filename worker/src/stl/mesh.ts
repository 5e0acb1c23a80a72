import type { NormalStats, StlFormat, StlWarning } from '@printq/shared';

/**
 * A triangle soup in one flat typed array: no object per triangle, so a million triangles
 * cost 36 MB and nothing for the garbage collector to trace.
 */
export interface Mesh {
  format: StlFormat;
  solidName: string | null;
  triangleCount: number;
  /** 9 floats per triangle: x0 y0 z0 x1 y1 z1 x2 y2 z2, in file order. Exactly 9·count long. */
  positions: Float32Array;
  /** How the facet normals stored in the file compare with the vertex order. */
  normals: NormalStats;
  warnings: StlWarning[];
}
