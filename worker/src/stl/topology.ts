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
const NEGATIVE_ZERO_BITS = 0x80000000;
const MAX_LOAD = 0.5;
/**
 * Exporters write neighbouring triangles close together, so most corners repeat a vertex
 * seen a few thousand corners earlier. A direct-mapped cache of recent vertices (16 KiB,
 * stays in L1/L2) answers ≈ 80 % of lookups on a tessellated surface without touching the
 * big table. Most of the rest are first sightings (inserts), each a likely cache miss:
 * that is the weld's main cost on large meshes (see bench/results/quote.md).
 */
const RECENT_BITS = 12;
const RECENT_SHIFT = 32 - RECENT_BITS;

/** Welds corners with bit-identical coordinates and checks how triangles share edges. */
export function analyzeTopology(mesh: Mesh): MeshTopology {
  const welded = weldVertices(mesh);
  const edges = countEdges(welded, mesh.triangleCount);
  const watertight =
    edges.boundaryEdges === 0 && edges.nonManifoldEdges === 0 && edges.inconsistentEdges === 0;
  return { vertexCount: welded.vertexCount, edges, watertight };
}

/**
 * Open-addressing hash set (linear probing) over the float32 bit patterns of the corners.
 * The table holds only vertex ids (4 bytes a slot, so it stays small enough for the CPU
 * caches); the coordinates live once per vertex in `keys`, in first-seen order, which
 * keeps neighbouring vertices close in memory. -0 is folded into +0 because exporters
 * write both for the same point. No strings, no Map, no object per vertex.
 */
export function weldVertices(mesh: Mesh): WeldedVertices {
  const cornerCount = mesh.triangleCount * 3;
  const bits = new Uint32Array(mesh.positions.buffer, mesh.positions.byteOffset, cornerCount * 3);
  const cornerVertex = new Int32Array(cornerCount);
  const recent = new Int32Array(1 << RECENT_BITS);
  // Closed meshes have about half as many vertices as triangles: size for that, grow if not.
  let keys: Uint32Array = new Uint32Array((16 + (mesh.triangleCount >> 1)) * 3);
  let capacity = powerOfTwoAtLeast(Math.max(16, mesh.triangleCount));
  let table: Int32Array = new Int32Array(capacity);
  let mask = capacity - 1;
  let vertexCount = 0;

  for (let corner = 0; corner < cornerCount; corner++) {
    let x = bits[corner * 3] as number;
    let y = bits[corner * 3 + 1] as number;
    let z = bits[corner * 3 + 2] as number;
    if (x === NEGATIVE_ZERO_BITS) x = 0;
    if (y === NEGATIVE_ZERO_BITS) y = 0;
    if (z === NEGATIVE_ZERO_BITS) z = 0;
    const hash = hashBits(x, y, z);

    const recentSlot = hash >>> RECENT_SHIFT;
    const recentId = (recent[recentSlot] as number) - 1;
    if (recentId >= 0 && sameKey(keys, recentId, x, y, z)) {
      cornerVertex[corner] = recentId;
      continue;
    }

    let slot = hash & mask;
    let id = (table[slot] as number) - 1;
    while (id >= 0 && !sameKey(keys, id, x, y, z)) {
      slot = (slot + 1) & mask;
      id = (table[slot] as number) - 1;
    }
    if (id < 0) {
      if ((vertexCount + 1) * 3 > keys.length) keys = grow(keys);
      id = vertexCount++;
      keys[id * 3] = x;
      keys[id * 3 + 1] = y;
      keys[id * 3 + 2] = z;
      table[slot] = id + 1;
      if (vertexCount > capacity * MAX_LOAD) {
        capacity *= 2;
        mask = capacity - 1;
        table = rehash(keys, vertexCount, capacity);
      }
    }
    cornerVertex[corner] = id;
    recent[recentSlot] = id + 1;
  }
  return { cornerVertex, vertexCount };
}

function sameKey(keys: Uint32Array, id: number, x: number, y: number, z: number): boolean {
  return keys[id * 3] === x && keys[id * 3 + 1] === y && keys[id * 3 + 2] === z;
}

/** murmur3-style mixing: float bits of round numbers have all-zero low bits. */
function hashBits(x: number, y: number, z: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ y ^ (y >>> 16), 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ z ^ (z >>> 16), 0x27d4eb2f);
  h ^= h >>> 15;
  return h >>> 0;
}

function rehash(keys: Uint32Array, vertexCount: number, capacity: number): Int32Array {
  const table = new Int32Array(capacity);
  const mask = capacity - 1;
  for (let id = 0; id < vertexCount; id++) {
    let slot =
      hashBits(keys[id * 3] as number, keys[id * 3 + 1] as number, keys[id * 3 + 2] as number) &
      mask;
    while (table[slot] !== EMPTY_SLOT) slot = (slot + 1) & mask;
    table[slot] = id + 1;
  }
  return table;
}

function grow(keys: Uint32Array): Uint32Array {
  const bigger = new Uint32Array(keys.length * 2);
  bigger.set(keys);
  return bigger;
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
 */
export function countEdges(welded: WeldedVertices, triangleCount: number): MeshEdgeStats {
  const { cornerVertex, vertexCount } = welded;
  const bucketStart = new Int32Array(vertexCount + 1);
  for (let corner = 0; corner < triangleCount * 3; corner += 3) {
    if (isCollapsed(cornerVertex, corner)) continue;
    for (let k = 0; k < 3; k++) {
      const from = cornerVertex[corner + k] as number;
      const to = cornerVertex[corner + (NEXT[k] as number)] as number;
      const bucket = (from < to ? from : to) + 1;
      bucketStart[bucket] = (bucketStart[bucket] as number) + 1;
    }
  }
  for (let v = 0; v < vertexCount; v++) {
    bucketStart[v + 1] = (bucketStart[v + 1] as number) + (bucketStart[v] as number);
  }

  const fill = bucketStart.slice(0, vertexCount);
  const entries = new Int32Array(bucketStart[vertexCount] as number);
  for (let corner = 0; corner < triangleCount * 3; corner += 3) {
    if (isCollapsed(cornerVertex, corner)) continue;
    for (let k = 0; k < 3; k++) {
      const from = cornerVertex[corner + k] as number;
      const to = cornerVertex[corner + (NEXT[k] as number)] as number;
      const lower = from < to ? from : to;
      const slot = fill[lower] as number;
      entries[slot] = from < to ? to * 2 : from * 2 + 1;
      fill[lower] = slot + 1;
    }
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

/** Position in its triangle of the corner after corner k (0→1→2→0). */
const NEXT = [1, 2, 0] as const;

/**
 * A triangle with a repeated vertex encloses nothing and its two real edges cancel
 * (a→b, b→a); counting them would make a sound edge look non-manifold.
 */
function isCollapsed(cornerVertex: Int32Array, corner: number): boolean {
  const a = cornerVertex[corner];
  const b = cornerVertex[corner + 1];
  const c = cornerVertex[corner + 2];
  return a === b || b === c || c === a;
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
