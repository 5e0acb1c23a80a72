import { MATERIALS, PRICING } from '@printq/shared';
import { apportionCents, estimatePrint, priceQuote } from '../../src/quote/model.js';

const pla = MATERIALS.pla;

describe('print estimate', () => {
  it('prints a part thinner than two walls solid, whatever the infill', () => {
    // 10 × 10 × 1 mm plate: area 240 mm² × 1.2 mm shell exceeds its 100 mm³ volume.
    const plate = { volumeMm3: 100, surfaceAreaMm2: 240, heightMm: 1, material: pla };
    expect(estimatePrint({ ...plate, infillPercent: 0 }).extrudedVolumeMm3).toBe(100);
    expect(estimatePrint({ ...plate, infillPercent: 100 }).extrudedVolumeMm3).toBe(100);
  });

  it('deposits the shell plus the infill share of the interior', () => {
    // 20 mm cube: volume 8000, area 2400, shell 2400 × 1.2 = 2880, interior 5120.
    const cube = { volumeMm3: 8000, surfaceAreaMm2: 2400, heightMm: 20, material: pla };
    expect(estimatePrint({ ...cube, infillPercent: 0 }).extrudedVolumeMm3).toBeCloseTo(2880, 9);
    expect(estimatePrint({ ...cube, infillPercent: 25 }).extrudedVolumeMm3).toBeCloseTo(
      2880 + 1280,
      9,
    );
    expect(estimatePrint({ ...cube, infillPercent: 100 }).extrudedVolumeMm3).toBeCloseTo(8000, 9);
  });

  it('derives mass from density and time from flow rate plus a per-layer cost', () => {
    const cube = { volumeMm3: 8000, surfaceAreaMm2: 2400, heightMm: 20, material: pla };
    const estimate = estimatePrint({ ...cube, infillPercent: 100 });
    expect(estimate.massGrams).toBeCloseTo(8 * pla.densityGPerCm3, 12);
    const layers = 20 / PRICING.layerHeightMm;
    expect(estimate.printTimeSeconds).toBeCloseTo(
      8000 / pla.flowMm3PerSecond + layers * PRICING.secondsPerLayer,
      9,
    );
  });

  it('gives a slower, denser material a longer and heavier print', () => {
    const part = { volumeMm3: 8000, surfaceAreaMm2: 2400, heightMm: 20, infillPercent: 20 };
    const plaEstimate = estimatePrint({ ...part, material: MATERIALS.pla });
    const tpuEstimate = estimatePrint({ ...part, material: MATERIALS.tpu });
    expect(tpuEstimate.printTimeSeconds).toBeGreaterThan(plaEstimate.printTimeSeconds);
    expect(estimatePrint({ ...part, material: MATERIALS.petg }).massGrams).toBeGreaterThan(
      plaEstimate.massGrams,
    );
  });
});

describe('price', () => {
  it('charges setup + material + machine time and rounds only the total', () => {
    const estimate = { extrudedVolumeMm3: 0, massGrams: 10.123, printTimeSeconds: 3600 };
    const price = priceQuote(estimate, pla);
    const exact = PRICING.setupFee + 10.123 * pla.pricePerGram + PRICING.machineRatePerHour;
    expect(price.currency).toBe('EUR');
    expect(price.total).toBe(Math.round(exact * 100) / 100);
    expect(price.setup).toBe(PRICING.setupFee);
  });

  it('apportions whole cents that add up to the rounded total exactly', () => {
    // Each part alone rounds down (0.334 → 0.33) but the sum rounds to 1.00.
    expect(apportionCents([0.334, 0.333, 0.333], 100)).toEqual([34, 33, 33]);
    const estimate = { extrudedVolumeMm3: 0, massGrams: 3.3337, printTimeSeconds: 1234.5 };
    const price = priceQuote(estimate, pla);
    const cents = (value: number) => Math.round(value * 100);
    expect(cents(price.material) + cents(price.machine) + cents(price.setup)).toBe(
      cents(price.total),
    );
  });

  it('finishes for absurdly large parts instead of looping over missing cents', () => {
    const estimate = { extrudedVolumeMm3: 1e40, massGrams: 1e37, printTimeSeconds: 1e36 };
    expect(priceQuote(estimate, pla).total).toBeGreaterThan(1e35);
  });
});
