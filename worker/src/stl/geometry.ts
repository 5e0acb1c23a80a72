import type { BoundingBoxMm } from '@printq/shared';
import type { Mesh } from './mesh.js';

export interface MeshMeasurements {
  boundingBox: BoundingBoxMm;
  surfaceAreaMm2: number;
  /** Sum of signed tetrahedra; positive for outward (counter-clockwise) winding. */
  signedVolumeMm3: number;
  degenerateTriangles: number;
}

/**
 * One pass over the triangles, in double precision from the stored float32 coordinates.
 *
 * The volume is the usual sum of tetrahedra against the coordinate origin, so open meshes
 * get the same (origin-dependent) number as other tools. It is accumulated against the
 * first vertex o instead and corrected by o·Σ(area vectors), which is zero for a closed
 * surface: far from the origin this keeps the digits the plain sum would cancel.
 * With a·((b−a)×(c−a)) = a·(b×c), one cross product serves both area and volume.
 */
export function measureMesh(mesh: Mesh): MeshMeasurements {
  const p = mesh.positions;
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

  for (let t = 0; t < mesh.triangleCount; t++) {
    const i = t * 9;
    const x0 = p[i] as number, y0 = p[i + 1] as number, z0 = p[i + 2] as number; // prettier-ignore
    const x1 = p[i + 3] as number, y1 = p[i + 4] as number, z1 = p[i + 5] as number; // prettier-ignore
    const x2 = p[i + 6] as number, y2 = p[i + 7] as number, z2 = p[i + 8] as number; // prettier-ignore

    minX = Math.min(minX, x0, x1, x2);
    minY = Math.min(minY, y0, y1, y2);
    minZ = Math.min(minZ, z0, z1, z2);
    maxX = Math.max(maxX, x0, x1, x2);
    maxY = Math.max(maxY, y0, y1, y2);
    maxZ = Math.max(maxZ, z0, z1, z2);

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
  }

  return {
    boundingBox: boundingBox(minX, minY, minZ, maxX, maxY, maxZ),
    surfaceAreaMm2: doubleArea / 2,
    signedVolumeMm3: (sixVolume + ox * crossSumX + oy * crossSumY + oz * crossSumZ) / 6,
    degenerateTriangles: degenerate,
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
  // Adding 0 turns a -0 from Math.min into 0.
  return {
    min: { x: minX + 0, y: minY + 0, z: minZ + 0 },
    max: { x: maxX + 0, y: maxY + 0, z: maxZ + 0 },
    size: { x: maxX - minX, y: maxY - minY, z: maxZ - minZ },
  };
}
