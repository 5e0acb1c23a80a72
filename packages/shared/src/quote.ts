import type { MaterialId } from './materials.js';

export type StlFormat = 'ascii' | 'binary';

export interface Vec3Mm {
  x: number;
  y: number;
  z: number;
}

export interface BoundingBoxMm {
  min: Vec3Mm;
  max: Vec3Mm;
  /** `max - min` per axis. */
  size: Vec3Mm;
}

/**
 * Edge statistics after welding vertices with bit-identical coordinates (-0 = +0).
 * A mesh is watertight when every undirected edge is used by exactly two triangles that
 * traverse it in opposite directions; edges of collapsed triangles (a vertex repeated) are
 * ignored because they enclose nothing.
 */
export interface MeshEdgeStats {
  /** Distinct undirected edges. */
  edges: number;
  /** Edges used by exactly one triangle: holes in the surface. */
  boundaryEdges: number;
  /** Edges used by more than two triangles. */
  nonManifoldEdges: number;
  /** Edges used by exactly two triangles that traverse it in the same direction. */
  inconsistentEdges: number;
}

/**
 * The facet normals written in the file. printq computes geometry from the vertex order
 * (right-hand rule) and only reports how far the stored normals disagree with it.
 */
export interface NormalStats {
  /** Stored normal is (0, 0, 0), which many exporters write. */
  zero: number;
  /** Stored normal points against the vertex-order normal (negative dot product). */
  flipped: number;
  /** Stored normal contains NaN or ±Infinity. */
  nonFinite: number;
}

/** A tolerated defect of the file itself (syntax), as opposed to the mesh. */
export interface StlWarning {
  code: 'missing_endsolid' | 'solid_name_mismatch' | 'multiple_solids';
  message: string;
}

/**
 * A reason the numbers may not describe what the customer will get; the quote is still
 * computed, and a person should look before printing.
 */
export interface PrintabilityWarning {
  code: 'not_watertight' | 'inverted' | 'implausibly_small' | 'exceeds_build_volume';
  message: string;
}

/**
 * A price split into what it pays for. The parts are computed unrounded; the total is
 * rounded to cents once, and the parts are apportioned in cents (largest remainder) so
 * that they add up to the total exactly.
 */
export interface PriceBreakdown {
  currency: string;
  material: number;
  machine: number;
  setup: number;
  total: number;
}

/**
 * What a quote job produces (the worker's `quoteMesh`). Every length is in millimetres:
 * STL carries no unit, and printq assumes mm, the convention of slicers, stated in `units`.
 * The model behind mass, time and price is documented in worker/README.md.
 */
export interface QuoteResult {
  units: 'mm';
  format: StlFormat;
  /** Name after `solid` (ASCII) or the printable part of the 80-byte header (binary). */
  solidName: string | null;
  triangles: number;
  /** Triangles whose area is exactly zero (repeated or collinear vertices); tolerated. */
  degenerateTriangles: number;
  /** Distinct vertices after welding. */
  vertices: number;
  boundingBox: BoundingBoxMm;
  surfaceAreaMm2: number;
  /** Enclosed volume, absolute value. Meaningful only when {@link watertight}. */
  volumeMm3: number;
  /** Sum of signed tetrahedra; negative when the triangles are wound inside out. */
  signedVolumeMm3: number;
  /** `outward` for the STL convention, `inverted` when the signed volume is negative. */
  orientation: 'outward' | 'inverted' | 'flat';
  watertight: boolean;
  edges: MeshEdgeStats;
  normals: NormalStats;
  warnings: StlWarning[];
  /** Mesh properties that make volume, mass or price doubtful; empty for a clean part. */
  printability: PrintabilityWarning[];
  material: MaterialId;
  infillPercent: number;
  /** Volume of plastic actually deposited (shell + infill), mm³. */
  extrudedVolumeMm3: number;
  massGrams: number;
  printTimeSeconds: number;
  price: PriceBreakdown;
}
