import type { BoundingBoxMm, NormalStats } from '@printq/shared';
import type { Mesh } from './mesh.js';

export interface MeshMeasurements {
  boundingBox: BoundingBoxMm;
  surfaceAreaMm2: number;
  /** Sum of signed tetrahedra; positive for outward (counter-clockwise) winding. */
  signedVolumeMm3: number;
  degenerateTriangles: number;
  normals: NormalStats;
}

/**
 * One pass over the triangles, in double precision from the stored float32 coordinates.
 *
 * The volume is the usual sum of tetrahedra against the coordinate origin, so open meshes
 * get the same (origin-dependent) number as other tools. It is accumulated against the
 * first vertex o instead and corrected by o·Σ(area vectors), which is zero for a closed
 * surface: far from the origin this keeps the digits the plain sum would cancel.
 * With a·((b−a)×(c−a)) = a·(b×c), one cross product serves area, volume and normals.
 */
export function measureMesh(mesh: Mesh): MeshMeasurements {
  const p = mesh.positions;
  const n = mesh.normals;
  const ox = p[0] ?? 0;
  const oy = p[1] ?? 0;
  const oz = p[2] ?? 0;
  let minX = Infinity, minY = Infinity, minZ = Infinity; // prettier-ignore
  let maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity; // prettier-ignore
  let doubleArea = 0;
  let sixVolume = 0;
  let crossSumX = 0;
  let crossSumY = 0;
  let crossSumZ = 0;
  let degenerate = 0;
  const normals: NormalStats = { zero: 0, flipped: 0, nonFinite: 0 };

  for (let t = 0; t < mesh.triangleCount; t++) {
    const i = t * 9;
    const x0 = p[i] as number, y0 = p[i + 1] as number, z0 = p[i + 2] as number; // prettier-ignore
    const x1 = p[i + 3] as number, y1 = p[i + 4] as number, z1 = p[i + 5] as number; // prettier-ignore
    const x2 = p[i + 6] as number, y2 = p[i + 7] as number, z2 = p[i + 8] as number; // prettier-ignore

    if (x0 < minX) minX = x0;
    if (x0 > maxX) maxX = x0; // prettier-ignore
    if (x1 < minX) minX = x1;
    if (x1 > maxX) maxX = x1; // prettier-ignore
    if (x2 < minX) minX = x2;
    if (x2 > maxX) maxX = x2; // prettier-ignore
    if (y0 < minY) minY = y0;
    if (y0 > maxY) maxY = y0; // prettier-ignore
    if (y1 < minY) minY = y1;
    if (y1 > maxY) maxY = y1; // prettier-ignore
    if (y2 < minY) minY = y2;
    if (y2 > maxY) maxY = y2; // prettier-ignore
    if (z0 < minZ) minZ = z0;
    if (z0 > maxZ) maxZ = z0; // prettier-ignore
    if (z1 < minZ) minZ = z1;
    if (z1 > maxZ) maxZ = z1; // prettier-ignore
    if (z2 < minZ) minZ = z2;
    if (z2 > maxZ) maxZ = z2; // prettier-ignore

    const ax = x1 - x0, ay = y1 - y0, az = z1 - z0; // prettier-ignore
    const bx = x2 - x0, by = y2 - y0, bz = z2 - z0; // prettier-ignore
    const cx = ay * bz - az * by;
    const cy = az * bx - ax * bz;
    const cz = ax * by - ay * bx;
    const crossLength = Math.sqrt(cx * cx + cy * cy + cz * cz);
    doubleArea += crossLength;
    sixVolume += (x0 - ox) * cx + (y0 - oy) * cy + (z0 - oz) * cz;
    crossSumX += cx;
    crossSumY += cy;
    crossSumZ += cz;
    if (crossLength === 0) degenerate++;

    const nx = n[t * 3] as number, ny = n[t * 3 + 1] as number, nz = n[t * 3 + 2] as number; // prettier-ignore
    const dot = nx * cx + ny * cy + nz * cz;
    if (dot !== dot) {
      // NaN: either the stored normal is not finite or the product overflowed.
      if (!Number.isFinite(nx) || !Number.isFinite(ny) || !Number.isFinite(nz)) normals.nonFinite++;
    } else if (nx === 0 && ny === 0 && nz === 0) {
      normals.zero++;
    } else if (dot < 0) {
      normals.flipped++;
    }
  }

  return {
    boundingBox: boundingBox(minX, minY, minZ, maxX, maxY, maxZ),
    surfaceAreaMm2: doubleArea / 2,
    signedVolumeMm3: (sixVolume + ox * crossSumX + oy * crossSumY + oz * crossSumZ) / 6,
    degenerateTriangles: degenerate,
    normals,
  };
}

function boundingBox(
  minX: number,
  minY: number,
  minZ: number,
  maxX: number,
  maxY: number,
  maxZ: number,
): BoundingBoxMm {
  return {
    min: { x: minX, y: minY, z: minZ },
    max: { x: maxX, y: maxY, z: maxZ },
    size: { x: maxX - minX, y: maxY - minY, z: maxZ - minZ },
  };
}
