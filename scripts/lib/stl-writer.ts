/** A triangle as three [x, y, z] vertices in mm, counter-clockwise seen from outside. */
export type Vertex = readonly [number, number, number];
export type Triangle = readonly [Vertex, Vertex, Vertex];

const HEADER_BYTES = 80;
const TRIANGLE_BYTES = 50;

function normalOf([a, b, c]: Triangle): Vertex {
  const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  const n = [
    (u[1] ?? 0) * (v[2] ?? 0) - (u[2] ?? 0) * (v[1] ?? 0),
    (u[2] ?? 0) * (v[0] ?? 0) - (u[0] ?? 0) * (v[2] ?? 0),
    (u[0] ?? 0) * (v[1] ?? 0) - (u[1] ?? 0) * (v[0] ?? 0),
  ] as const;
  const length = Math.hypot(...n) || 1;
  return [n[0] / length, n[1] / length, n[2] / length];
}

/** Binary STL: 80-byte header, uint32 count, then 50 bytes per triangle (little endian). */
export function binaryStl(triangles: readonly Triangle[], header: string): Buffer {
  const buffer = Buffer.alloc(HEADER_BYTES + 4 + triangles.length * TRIANGLE_BYTES);
  buffer.write(header.slice(0, HEADER_BYTES), 0, 'latin1');
  buffer.writeUInt32LE(triangles.length, HEADER_BYTES);
  triangles.forEach((triangle, index) => {
    let offset = HEADER_BYTES + 4 + index * TRIANGLE_BYTES;
    for (const vector of [normalOf(triangle), ...triangle]) {
      for (const component of vector) offset = buffer.writeFloatLE(component, offset);
    }
  });
  return buffer;
}

/** ASCII STL as CAD exporters write it. */
export function asciiStl(triangles: readonly Triangle[], name: string): Buffer {
  const format = (v: Vertex) => v.map((c) => c.toExponential(6)).join(' ');
  const facets = triangles.map((triangle) =>
    [
      `  facet normal ${format(normalOf(triangle))}`,
      '    outer loop',
      ...triangle.map((vertex) => `      vertex ${format(vertex)}`),
      '    endloop',
      '  endfacet',
    ].join('\n'),
  );
  return Buffer.from(`solid ${name}\n${facets.join('\n')}\nendsolid ${name}\n`, 'latin1');
}

/** An axis-aligned box from the origin, 12 triangles wound outward. */
export function box(sizeX: number, sizeY: number, sizeZ: number): Triangle[] {
  const p = (x: number, y: number, z: number): Vertex => [x * sizeX, y * sizeY, z * sizeZ];
  const quad = (a: Vertex, b: Vertex, c: Vertex, d: Vertex): Triangle[] => [
    [a, b, c],
    [a, c, d],
  ];
  return [
    ...quad(p(0, 0, 0), p(0, 1, 0), p(1, 1, 0), p(1, 0, 0)), // bottom, facing -z
    ...quad(p(0, 0, 1), p(1, 0, 1), p(1, 1, 1), p(0, 1, 1)), // top, facing +z
    ...quad(p(0, 0, 0), p(1, 0, 0), p(1, 0, 1), p(0, 0, 1)), // front, facing -y
    ...quad(p(0, 1, 0), p(0, 1, 1), p(1, 1, 1), p(1, 1, 0)), // back, facing +y
    ...quad(p(0, 0, 0), p(0, 0, 1), p(0, 1, 1), p(0, 1, 0)), // left, facing -x
    ...quad(p(1, 0, 0), p(1, 1, 0), p(1, 1, 1), p(1, 0, 1)), // right, facing +x
  ];
}

/**
 * A tube (annular cylinder) standing on z = 0: outer and inner walls and two annular caps,
 * `segments` around. Closed and consistently oriented, so the mesh is watertight.
 */
export function tube(outerRadius: number, innerRadius: number, height: number, segments: number) {
  const ring = (radius: number, z: number, i: number): Vertex => {
    const angle = (2 * Math.PI * (i % segments)) / segments;
    return [radius * Math.cos(angle), radius * Math.sin(angle), z];
  };
  const triangles: Triangle[] = [];
  for (let i = 0; i < segments; i++) {
    const [ob0, ob1] = [ring(outerRadius, 0, i), ring(outerRadius, 0, i + 1)];
    const [ot0, ot1] = [ring(outerRadius, height, i), ring(outerRadius, height, i + 1)];
    const [ib0, ib1] = [ring(innerRadius, 0, i), ring(innerRadius, 0, i + 1)];
    const [it0, it1] = [ring(innerRadius, height, i), ring(innerRadius, height, i + 1)];
    triangles.push([ob0, ob1, ot1], [ob0, ot1, ot0]); // outer wall, facing out
    triangles.push([ib0, it1, ib1], [ib0, it0, it1]); // inner wall, facing the axis
    triangles.push([it0, ot0, ot1], [it0, ot1, it1]); // top cap, facing +z
    triangles.push([ib0, ob1, ob0], [ib0, ib1, ob1]); // bottom cap, facing -z
  }
  return triangles;
}
