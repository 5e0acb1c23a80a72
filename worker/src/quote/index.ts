import { INFILL_PERCENT, MATERIALS, isMaterialId } from '@printq/shared';
import type { MaterialId, QuoteResult } from '@printq/shared';
import { analyzeTopology, measureMesh, parseStl } from '../stl/index.js';
import { estimatePrint, priceQuote } from './model.js';
import { checkPrintability } from './printability.js';

export { apportionCents, estimatePrint, priceQuote } from './model.js';
export type { PricingTable, PrintEstimate, PrintEstimateInput } from './model.js';

export interface QuoteOptions {
  material: MaterialId;
  /** Share of the interior filled, 0–100. */
  infillPercent: number;
}

/**
 * Parses an STL (binary or ASCII, units assumed mm) and prices printing it.
 * @throws StlError (permanent) when the bytes are not a usable STL.
 * @throws RangeError for options outside the job contract (a caller bug, not bad input).
 */
export function quoteMesh(stl: Buffer, options: QuoteOptions): QuoteResult {
  checkOptions(options);
  const mesh = parseStl(stl);
  const measured = measureMesh(mesh);
  const topology = analyzeTopology(mesh);
  const material = MATERIALS[options.material];
  const volumeMm3 = Math.abs(measured.signedVolumeMm3);
  const estimate = estimatePrint({
    volumeMm3,
    surfaceAreaMm2: measured.surfaceAreaMm2,
    heightMm: measured.boundingBox.size.z,
    infillPercent: options.infillPercent,
    material,
  });

  return {
    units: 'mm',
    format: mesh.format,
    solidName: mesh.solidName,
    triangles: mesh.triangleCount,
    degenerateTriangles: measured.degenerateTriangles,
    vertices: topology.vertexCount,
    boundingBox: measured.boundingBox,
    surfaceAreaMm2: measured.surfaceAreaMm2,
    volumeMm3,
    signedVolumeMm3: measured.signedVolumeMm3,
    orientation: orientationOf(measured.signedVolumeMm3),
    watertight: topology.watertight,
    edges: topology.edges,
    normals: mesh.normals,
    warnings: mesh.warnings,
    printability: checkPrintability({ ...measured, ...topology }),
    material: options.material,
    infillPercent: options.infillPercent,
    extrudedVolumeMm3: estimate.extrudedVolumeMm3,
    massGrams: estimate.massGrams,
    printTimeSeconds: estimate.printTimeSeconds,
    price: priceQuote(estimate, material),
  };
}

function orientationOf(signedVolumeMm3: number): QuoteResult['orientation'] {
  if (signedVolumeMm3 > 0) return 'outward';
  if (signedVolumeMm3 < 0) return 'inverted';
  return 'flat';
}

function checkOptions(options: QuoteOptions): void {
  if (!isMaterialId(options.material)) {
    throw new RangeError(`unknown material ${JSON.stringify(options.material)}`);
  }
  const infill = options.infillPercent;
  if (!Number.isFinite(infill) || infill < INFILL_PERCENT.min || infill > INFILL_PERCENT.max) {
    throw new RangeError(
      `infillPercent must be within ${INFILL_PERCENT.min}–${INFILL_PERCENT.max}, got ${infill}`,
    );
  }
}
