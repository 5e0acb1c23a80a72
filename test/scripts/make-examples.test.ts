import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES_DIR, exampleFiles } from '../../scripts/make-examples.js';
import { quoteMesh } from '../../worker/src/quote/index.js';

describe('examples/', () => {
  it('holds exactly what scripts/make-examples.ts generates', () => {
    const generated = exampleFiles();
    const committed = readdirSync(EXAMPLES_DIR).filter((name) => name.endsWith('.stl'));
    expect(committed.sort()).toEqual(Object.keys(generated).sort());
    for (const [name, bytes] of Object.entries(generated)) {
      expect(readFileSync(join(EXAMPLES_DIR, name)).equals(bytes)).toBe(true);
    }
  });

  it('has a 20 mm calibration cube of 8000 mm³ as the demo default', () => {
    const quote = quoteMesh(readFileSync(join(EXAMPLES_DIR, 'calibration-cube-20mm.stl')), {
      material: 'pla',
      infillPercent: 20,
    });
    expect(quote).toMatchObject({ format: 'binary', triangles: 12, volumeMm3: 8000 });
    expect(quote.boundingBox.size).toEqual({ x: 20, y: 20, z: 20 });
  });
});
