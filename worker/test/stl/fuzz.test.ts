// Property: whatever the bytes, quoting either succeeds or throws an StlError; never a
// TypeError, RangeError or a hang. Seeds are fixed so a failure reproduces.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { quoteMesh } from '../../src/quote/index.js';
import { StlError } from '../../src/stl/index.js';
import { asciiStl, binaryStl, seededRandom, subdividedCube } from '../../../test/helpers/stl.js';

const corpusRoot = dirname(createRequire(import.meta.url).resolve('stl-models/package.json'));
const smallCorpusFiles = ['polytopes', 'misc', 'broken'].flatMap((dir) =>
  readdirSync(join(corpusRoot, dir)).map((name) => readFileSync(join(corpusRoot, dir, name))),
);
const generated = [
  binaryStl(subdividedCube(3)),
  binaryStl(subdividedCube(2), { header: 'solid trap' }),
  asciiStl(subdividedCube(2), { eol: '\r\n', numbers: 'exponent' }),
];
const validFiles = [...smallCorpusFiles, ...generated];

/** Returns 'ok' or the StlError code; rethrows anything else so the test fails loudly. */
function outcome(bytes: Buffer): string {
  try {
    quoteMesh(bytes, { material: 'petg', infillPercent: 15 });
    return 'ok';
  } catch (error) {
    if (error instanceof StlError) {
      expect(error.message.length).toBeGreaterThan(0);
      return error.code;
    }
    throw new Error(`non-StlError for ${bytes.length} bytes: ${String(error)}`, { cause: error });
  }
}

describe('quoting arbitrary bytes', () => {
  it('throws only StlError for random bytes, with and without a "solid" prefix', () => {
    const random = seededRandom(2026);
    const seen = new Set<string>();
    for (let k = 0; k < 400; k++) {
      const length = Math.floor(random() ** 2 * 3000);
      const bytes = Buffer.alloc(length);
      for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
      if (k % 3 === 0) bytes.write('solid ', 0, 'latin1');
      if (k % 7 === 0 && length >= 84) bytes.writeUInt32LE(Math.floor((length - 84) / 50), 80);
      seen.add(outcome(bytes));
    }
    // The generator reaches several distinct failure modes, not one early exit.
    expect(seen.size).toBeGreaterThanOrEqual(4);
  });

  it('throws only StlError for random truncations of valid files', () => {
    const random = seededRandom(99);
    for (const file of validFiles) {
      for (let k = 0; k < 40; k++) outcome(file.subarray(0, Math.floor(random() * file.length)));
    }
  });

  it('throws only StlError for valid files with random bytes overwritten', () => {
    const random = seededRandom(5);
    for (const file of validFiles) {
      if (file.length === 0) continue;
      for (let k = 0; k < 40; k++) {
        const copy = Buffer.from(file);
        for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
          copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
        }
        outcome(copy);
      }
    }
  });

  it('throws only StlError for ASCII with random tokens spliced in', () => {
    const random = seededRandom(11);
    const tokens = [
      'facet',
      'endloop',
      'vertex',
      '1e',
      '-',
      'nan',
      'endsolid',
      'solid',
      '\u0000',
      '.',
    ];
    const base = asciiStl(subdividedCube(1)).toString('latin1');
    for (let k = 0; k < 300; k++) {
      const at = Math.floor(random() * base.length);
      const token = tokens[Math.floor(random() * tokens.length)] ?? '';
      outcome(Buffer.from(`${base.slice(0, at)} ${token} ${base.slice(at)}`, 'latin1'));
    }
  });
});
