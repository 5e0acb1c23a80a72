import type { MeshEdgeStats } from '@printq/shared';
import type { Mesh } from './mesh.js';

export interface WeldedVertices {
  /** Vertex id of each triangle corner (3 per triangle). */
  cornerVertex: Int32Array;
  vertexCount: number;
}

export interface MeshTopology {
  vertexCount: number;
  edges: MeshEdgeStats;
  watertight: boolean;
}

const EMPTY_SLOT = 0;
const SLOT_WORDS = 4;
const NEGATIVE_ZERO_BITS = 0x80000000;
const MAX_LOAD = 0.5;

/** Welds corners with bit-identical coordinates and checks how triangles share edges. */
export function analyzeTopology(mesh: Mesh): MeshTopology {
  const welded = weldVertices(mesh);
  const edges = countEdges(welded, mesh.triangleCount);
  const watertight =
    edges.boundaryEdges === 0 && edges.nonManifoldEdges === 0 && edges.inconsistentEdges === 0;
  return { vertexCount: welded.vertexCount, edges, watertight };
}

/**
 * Open-addressing hash set over the float32 bit patterns of the corners (linear probing,
 * keys stored inline so a probe touches one cache line). -0 is folded into +0 because
 * exporters write both for the same point. No strings, no Map, no object per vertex.
 */
export function weldVertices(mesh: Mesh): WeldedVertices {
  const cornerCount = mesh.triangleCount * 3;
  const bits = new Uint32Array(
    mesh.positions.buffer,
    mesh.positions.byteOffset,
    mesh.triangleCount * 9,
  );
  const cornerVertex = new Int32Array(cornerCount);
  // Closed meshes have about half as many vertices as triangles: start there, grow if not.
  let capacity = powerOfTwoAtLeast(Math.max(16, mesh.triangleCount));
  let table: Uint32Array = new Uint32Array(capacity * SLOT_WORDS);
  let mask = capacity - 1;
  let vertexCount = 0;

  for (let corner = 0; corner < cornerCount; corner++) {
    let x = bits[corner * 3] as number;
    let y = bits[corner * 3 + 1] as number;
    let z = bits[corner * 3 + 2] as number;
    if (x === NEGATIVE_ZERO_BITS) x = 0;
    if (y === NEGATIVE_ZERO_BITS) y = 0;
    if (z === NEGATIVE_ZERO_BITS) z = 0;

    let slot = hashBits(x, y, z) & mask;
    for (;;) {
      const base = slot * SLOT_WORDS;
      const storedId = table[base + 3] as number;
      if (storedId === EMPTY_SLOT) {
        table[base] = x;
        table[base + 1] = y;
        table[base + 2] = z;
        table[base + 3] = vertexCount + 1;
        cornerVertex[corner] = vertexCount++;
        break;
      }
      if (table[base] === x && table[base + 1] === y && table[base + 2] === z) {
        cornerVertex[corner] = storedId - 1;
        break;
      }
      slot = (slot + 1) & mask;
    }

    if (vertexCount > capacity * MAX_LOAD) {
      capacity *= 2;
      table = rehash(table, capacity);
      mask = capacity - 1;
    }
  }
  return { cornerVertex, vertexCount };
}

function hashBits(x: number, y: number, z: number): number {
  let h = Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca77) ^ Math.imul(z, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

function rehash(old: Uint32Array, capacity: number): Uint32Array {
  const table = new Uint32Array(capacity * SLOT_WORDS);
  const mask = capacity - 1;
  for (let base = 0; base < old.length; base += SLOT_WORDS) {
    if (old[base + 3] === EMPTY_SLOT) continue;
    const x = old[base] as number;
    const y = old[base + 1] as number;
    const z = old[base + 2] as number;
    let slot = hashBits(x, y, z) & mask;
    while (table[slot * SLOT_WORDS + 3] !== EMPTY_SLOT) slot = (slot + 1) & mask;
    table.set(old.subarray(base, base + SLOT_WORDS), slot * SLOT_WORDS);
  }
  return table;
}

function powerOfTwoAtLeast(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return power;
}

/**
 * Counts undirected edges without a hash map: every directed edge is filed under its
 * lower vertex id (a counting sort, CSR style), then each vertex's short list is sorted
 * and equal neighbours are counted per direction. Entries are `higher·2 + reversed`.
 * Edges of collapsed triangles (a vertex repeated) are skipped: they enclose nothing.
 */
export function countEdges(welded: WeldedVertices, triangleCount: number): MeshEdgeStats {
  const { cornerVertex, vertexCount } = welded;
  const bucketStart = new Int32Array(vertexCount + 1);
  for (let corner = 0; corner < triangleCount * 3; corner++) {
    const from = cornerVertex[corner] as number;
    const to = cornerVertex[nextCorner(corner)] as number;
    if (from === to) continue;
    const bucket = (from < to ? from : to) + 1;
    bucketStart[bucket] = (bucketStart[bucket] as number) + 1;
  }
  for (let v = 0; v < vertexCount; v++) {
    bucketStart[v + 1] = (bucketStart[v + 1] as number) + (bucketStart[v] as number);
  }

  const fill = bucketStart.slice(0, vertexCount);
  const entries = new Int32Array(bucketStart[vertexCount] as number);
  for (let corner = 0; corner < triangleCount * 3; corner++) {
    const from = cornerVertex[corner] as number;
    const to = cornerVertex[nextCorner(corner)] as number;
    if (from === to) continue;
    const lower = from < to ? from : to;
    const slot = fill[lower] as number;
    entries[slot] = from < to ? to * 2 : from * 2 + 1;
    fill[lower] = slot + 1;
  }

  const stats: MeshEdgeStats = {
    edges: 0,
    boundaryEdges: 0,
    nonManifoldEdges: 0,
    inconsistentEdges: 0,
  };
  for (let v = 0; v < vertexCount; v++) {
    const start = bucketStart[v] as number;
    const end = bucketStart[v + 1] as number;
    sortRange(entries, start, end);
    classifyEdges(entries, start, end, stats);
  }
  return stats;
}

/** The corner after `corner` in its triangle (0→1→2→0). */
function nextCorner(corner: number): number {
  return corner % 3 === 2 ? corner - 2 : corner + 1;
}

const INSERTION_SORT_MAX = 32;

function sortRange(entries: Int32Array, start: number, end: number): void {
  if (end - start > INSERTION_SORT_MAX) {
    entries.subarray(start, end).sort();
    return;
  }
  for (let i = start + 1; i < end; i++) {
    const value = entries[i] as number;
    let j = i - 1;
    while (j >= start && (entries[j] as number) > value) {
      entries[j + 1] = entries[j] as number;
      j--;
    }
    entries[j + 1] = value;
  }
}

/** Runs of equal neighbours are one undirected edge; count its uses in each direction. */
function classifyEdges(
  entries: Int32Array,
  start: number,
  end: number,
  stats: MeshEdgeStats,
): void {
  let i = start;
  while (i < end) {
    const neighbour = (entries[i] as number) >> 1;
    let forward = 0;
    let backward = 0;
    while (i < end && (entries[i] as number) >> 1 === neighbour) {
      if (((entries[i] as number) & 1) === 0) forward++;
      else backward++;
      i++;
    }
    stats.edges++;
    const uses = forward + backward;
    if (uses === 1) stats.boundaryEdges++;
    else if (uses > 2) stats.nonManifoldEdges++;
    else if (forward !== 1) stats.inconsistentEdges++;
  }
}
