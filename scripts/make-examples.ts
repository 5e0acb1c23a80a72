/**
 * Writes the example STL files in examples/ (committed; a test checks they match this
 * generator). Run: npx tsx scripts/make-examples.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asciiStl, binaryStl, box, tube } from './lib/stl-writer.js';

export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');

/** file name → bytes, for the generator and for the test that keeps them in sync. */
export function exampleFiles(): Record<string, Buffer> {
  return {
    'calibration-cube-20mm.stl': binaryStl(
      box(20, 20, 20),
      'printq example: 20 mm calibration cube, binary STL, units mm',
    ),
    'tube-20x12x15mm.stl': asciiStl(tube(10, 6, 15, 64), 'printq_tube_20x12x15mm'),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, bytes] of Object.entries(exampleFiles())) {
    writeFileSync(join(EXAMPLES_DIR, name), bytes);
    console.log(`wrote examples/${name} (${bytes.length} bytes)`);
  }
}
