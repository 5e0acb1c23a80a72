import {
  PRICING,
  type BoundingBoxMm,
  type MeshEdgeStats,
  type PrintabilityWarning,
} from '@printq/shared';

export interface PrintabilityInput {
  boundingBox: BoundingBoxMm;
  signedVolumeMm3: number;
  watertight: boolean;
  edges: MeshEdgeStats;
}

/**
 * What a person should check before printing: an open or inside-out mesh makes the volume
 * (and so mass and price) an estimate, and a part far smaller or larger than a printer's bed
 * usually means the file was not modelled in millimetres.
 */
export function checkPrintability(input: PrintabilityInput): PrintabilityWarning[] {
  const warnings: PrintabilityWarning[] = [];
  if (!input.watertight) warnings.push(notWatertight(input.edges));
  if (input.signedVolumeMm3 < 0) {
    warnings.push({
      code: 'inverted',
      message:
        'triangles are wound inside out (negative signed volume); the absolute volume is used',
    });
  }
  const sides = [input.boundingBox.size.x, input.boundingBox.size.y, input.boundingBox.size.z];
  const largest = Math.max(...sides);
  if (largest < PRICING.smallestPlausibleSizeMm) {
    warnings.push({
      code: 'implausibly_small',
      message: `largest side is ${formatMm(largest)}: printq assumes millimetres; was the model saved in metres or inches?`,
    });
  }
  if (!fitsBuildVolume(sides)) {
    warnings.push({
      code: 'exceeds_build_volume',
      message: `${sides.map(formatMm).join(' × ')} does not fit a ${PRICING.buildVolumeMm.join(' × ')} mm build volume in any axis-aligned orientation`,
    });
  }
  return warnings;
}

function notWatertight(edges: MeshEdgeStats): PrintabilityWarning {
  const defects = [
    [edges.boundaryEdges, 'boundary'],
    [edges.nonManifoldEdges, 'non-manifold'],
    [edges.inconsistentEdges, 'inconsistently oriented'],
  ] as const;
  const found = defects.filter(([count]) => count > 0).map(([count, kind]) => `${count} ${kind}`);
  const detail = found.length > 0 ? ` (${found.join(', ')} edges)` : '';
  return {
    code: 'not_watertight',
    message: `the mesh is not closed${detail}: volume, mass and price are estimates`,
  };
}

/** Sorting both sides lets any of the six axis permutations be tried at once. */
function fitsBuildVolume(sidesMm: readonly number[]): boolean {
  const part = [...sidesMm].sort((a, b) => a - b);
  const bed = [...PRICING.buildVolumeMm].sort((a, b) => a - b);
  return part.every((side, i) => side <= (bed[i] ?? 0));
}

function formatMm(value: number): string {
  return `${Number(value.toPrecision(3))} mm`;
}
