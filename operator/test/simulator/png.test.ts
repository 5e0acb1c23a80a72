import { inflateSync } from 'node:zlib';
import { crc32, Raster } from '../../src/simulator/index.js';

/** Splits a PNG into chunks, checking each CRC. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  const out: { type: string; data: Buffer }[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    const crc = png.readUInt32BE(offset + 8 + length);
    expect(crc).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
    out.push({ type, data });
    offset += 12 + length;
  }
  return out;
}

describe('Raster.toPng', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('writes a valid RGB PNG whose pixels decode back to what was drawn', () => {
    const raster = new Raster(4, 3, [255, 255, 255]);
    raster.set(1, 2, [10, 20, 30]);
    const parts = chunks(raster.toPng());
    expect(parts.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const header = parts[0]?.data;
    expect(header?.readUInt32BE(0)).toBe(4);
    expect(header?.readUInt32BE(4)).toBe(3);
    expect([...(header?.subarray(8) ?? [])]).toEqual([8, 2, 0, 0, 0]);
    const raw = inflateSync(parts[1]?.data ?? Buffer.alloc(0));
    expect(raw.length).toBe(3 * (1 + 4 * 3));
    const row2 = raw.subarray(2 * 13, 3 * 13);
    expect([...row2.subarray(1 + 3, 1 + 6)]).toEqual([10, 20, 30]);
    expect([...row2.subarray(1, 4)]).toEqual([255, 255, 255]);
  });

  it('draws lines end to end and clips outside the canvas', () => {
    const raster = new Raster(10, 10, [0, 0, 0]);
    raster.line(-5, 5, 20, 5, [255, 0, 0]);
    for (let x = 0; x < 10; x++) expect(raster.pixels[(5 * 10 + x) * 3]).toBe(255);
    expect(raster.pixels[(4 * 10 + 3) * 3]).toBe(0);
  });
});
