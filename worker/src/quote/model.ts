import { PRICING } from '@printq/shared';
import type { Material, PriceBreakdown } from '@printq/shared';

/** The price table's numbers the model uses; tests pass their own. */
export type PricingTable = Pick<
  typeof PRICING,
  | 'currency'
  | 'setupFee'
  | 'machineRatePerHour'
  | 'shellThicknessMm'
  | 'layerHeightMm'
  | 'secondsPerLayer'
>;

export interface PrintEstimateInput {
  volumeMm3: number;
  surfaceAreaMm2: number;
  heightMm: number;
  infillPercent: number;
  material: Material;
}

export interface PrintEstimate {
  /** Plastic actually deposited: the solid shell plus `infill %` of the interior, mm³. */
  extrudedVolumeMm3: number;
  massGrams: number;
  printTimeSeconds: number;
}

/**
 * A slicer-free estimate in three steps:
 * 1. shell = min(volume, area × shellThicknessMm): the walls, top and bottom are solid;
 *    a part thinner than two walls is solid throughout.
 * 2. extruded = shell + (volume − shell) × infill / 100; mass = extruded × density.
 * 3. time = extruded / material flow rate + ceil(height / layerHeightMm) × secondsPerLayer.
 */
export function estimatePrint(
  input: PrintEstimateInput,
  pricing: PricingTable = PRICING,
): PrintEstimate {
  const shellMm3 = Math.min(input.volumeMm3, input.surfaceAreaMm2 * pricing.shellThicknessMm);
  const interiorMm3 = input.volumeMm3 - shellMm3;
  const extrudedVolumeMm3 = shellMm3 + (interiorMm3 * input.infillPercent) / 100;
  const massGrams = (extrudedVolumeMm3 / 1000) * input.material.densityGPerCm3;
  const layers = Math.ceil(input.heightMm / pricing.layerHeightMm);
  const printTimeSeconds =
    extrudedVolumeMm3 / input.material.flowMm3PerSecond + layers * pricing.secondsPerLayer;
  return { extrudedVolumeMm3, massGrams, printTimeSeconds };
}

/**
 * price = setup + mass × pricePerGram + hours × machineRatePerHour. Parts stay unrounded
 * until the end: the total is rounded to cents once, then the parts are apportioned in
 * whole cents by largest remainder so they add up to that total exactly.
 */
export function priceQuote(
  estimate: PrintEstimate,
  material: Material,
  pricing: PricingTable = PRICING,
): PriceBreakdown {
  const parts = [
    estimate.massGrams * material.pricePerGram,
    (estimate.printTimeSeconds / 3600) * pricing.machineRatePerHour,
    pricing.setupFee,
  ];
  const totalCents = Math.round(parts.reduce((sum, part) => sum + part, 0) * 100);
  const [materialCents, machineCents, setupCents] = apportionCents(parts, totalCents);
  return {
    currency: pricing.currency,
    material: (materialCents ?? 0) / 100,
    machine: (machineCents ?? 0) / 100,
    setup: (setupCents ?? 0) / 100,
    total: totalCents / 100,
  };
}

/** Largest-remainder rounding: whole cents per part, summing to `totalCents`. */
export function apportionCents(parts: readonly number[], totalCents: number): number[] {
  const exact = parts.map((part) => part * 100);
  const cents = exact.map((value) => Math.floor(value));
  let missing = totalCents - cents.reduce((sum, value) => sum + value, 0);
  const byRemainder = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  // Exact arithmetic leaves 0 ≤ missing < parts.length; bounding the loop keeps absurd
  // prices (beyond 2^53 cents, where floors stop adding up) from spinning forever.
  for (let k = 0; k < byRemainder.length && missing > 0; k++, missing--) {
    const index = byRemainder[k]?.index ?? 0;
    cents[index] = (cents[index] ?? 0) + 1;
  }
  return cents;
}
