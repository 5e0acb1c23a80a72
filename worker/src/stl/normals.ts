import type { NormalStats } from '@printq/shared';

export function emptyNormalStats(): NormalStats {
  return { zero: 0, flipped: 0, nonFinite: 0 };
}

/**
 * Compares the normal stored for triangle `t` with the one its vertex order gives
 * (right-hand rule) and counts the disagreement. Done while parsing, so the stored
 * normals never need an array of their own.
 */
export function classifyStoredNormal(
  stats: NormalStats,
  positions: Float32Array,
  t: number,
  nx: number,
  ny: number,
  nz: number,
): void {
  if (nx - nx !== 0 || ny - ny !== 0 || nz - nz !== 0) {
    stats.nonFinite++;
    return;
  }
  if (nx === 0 && ny === 0 && nz === 0) {
    stats.zero++;
    return;
  }
  const i = t * 9;
  const x0 = positions[i] as number;
  const y0 = positions[i + 1] as number;
  const z0 = positions[i + 2] as number;
  const ax = (positions[i + 3] as number) - x0;
  const ay = (positions[i + 4] as number) - y0;
  const az = (positions[i + 5] as number) - z0;
  const bx = (positions[i + 6] as number) - x0;
  const by = (positions[i + 7] as number) - y0;
  const bz = (positions[i + 8] as number) - z0;
  const dot = nx * (ay * bz - az * by) + ny * (az * bx - ax * bz) + nz * (ax * by - ay * bx);
  if (dot < 0) stats.flipped++;
}
