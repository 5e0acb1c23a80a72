/**
 * The price table. Figures are typical for FDM printing on a desktop-class printer in
 * 2026 and are the single source for the API's material list and the worker's prices.
 *
 * price = setupFee + mass × pricePerGram + printHours × machineRatePerHour
 *
 * The worker's quote model (worker/src/quote/model.ts, worker/README.md) turns a mesh into
 * mass and print hours: a solid shell of `shellThicknessMm` under the surface plus
 * `infill %` of the remaining interior is deposited at the material's flow rate, plus a
 * fixed `secondsPerLayer` for every `layerHeightMm` of height.
 */
export const MATERIAL_IDS = ['pla', 'petg', 'abs', 'tpu', 'nylon'] as const;
export type MaterialId = (typeof MATERIAL_IDS)[number];

export interface Material {
  readonly id: MaterialId;
  readonly name: string;
  /** Density of the filament, g/cm³. */
  readonly densityGPerCm3: number;
  /** Filament cost charged per gram, EUR. */
  readonly pricePerGram: number;
  /** Sustained volumetric extrusion rate of the printer with this material, mm³/s. */
  readonly flowMm3PerSecond: number;
}

export const MATERIALS: Readonly<Record<MaterialId, Material>> = {
  pla: { id: 'pla', name: 'PLA', densityGPerCm3: 1.24, pricePerGram: 0.05, flowMm3PerSecond: 12 },
  petg: {
    id: 'petg',
    name: 'PETG',
    densityGPerCm3: 1.27,
    pricePerGram: 0.06,
    flowMm3PerSecond: 10,
  },
  abs: { id: 'abs', name: 'ABS', densityGPerCm3: 1.04, pricePerGram: 0.06, flowMm3PerSecond: 10 },
  tpu: {
    id: 'tpu',
    name: 'TPU 95A',
    densityGPerCm3: 1.21,
    pricePerGram: 0.09,
    flowMm3PerSecond: 4,
  },
  nylon: {
    id: 'nylon',
    name: 'Nylon PA12',
    densityGPerCm3: 1.01,
    pricePerGram: 0.12,
    flowMm3PerSecond: 8,
  },
};

export const PRICING = {
  currency: 'EUR',
  /** Fixed cost of a job: slicing, bed preparation, removal. */
  setupFee: 2.5,
  /** Printer time, EUR per hour. */
  machineRatePerHour: 1.5,
  /** Wall thickness assumed solid when estimating material for partial infill, mm. */
  shellThicknessMm: 1.2,
  /** Layer height the print-time estimate assumes, mm. */
  layerHeightMm: 0.2,
  /** Time per layer not spent extruding (layer change, travel, retraction), seconds. */
  secondsPerLayer: 2,
  /** Build volume of the printers quoted for (a common desktop bed), mm, any axis order. */
  buildVolumeMm: [250, 210, 220],
  /** A model whose largest side is below this was most likely not modelled in mm. */
  smallestPlausibleSizeMm: 1,
} as const;

export function isMaterialId(value: string): value is MaterialId {
  return (MATERIAL_IDS as readonly string[]).includes(value);
}
