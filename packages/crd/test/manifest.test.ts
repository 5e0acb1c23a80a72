import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ALL_REASONS, crdManifest, crdYaml, Reason } from '../src/index.js';
import type { OpenApiSchema } from '../src/index.js';

const committedPath = fileURLToPath(new URL('../queuescaler.crd.yaml', import.meta.url));

interface Version {
  name: string;
  schema: { openAPIV3Schema: OpenApiSchema };
  subresources: Record<string, unknown>;
  additionalPrinterColumns: { name: string; jsonPath: string }[];
}

function version(): Version {
  const spec = crdManifest().spec as { versions: Version[] };
  const [first] = spec.versions;
  if (!first) throw new Error('CRD has no version');
  return first;
}

function walk(node: OpenApiSchema, path: string, visit: (n: OpenApiSchema, p: string) => void) {
  visit(node, path);
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    walk(child, `${path}.${key}`, visit);
  }
  if (node.items) walk(node.items, `${path}[]`, visit);
}

describe('QueueScaler CRD manifest', () => {
  it('matches the committed YAML (run `npm run crd -w @printq/crd` when this fails)', () => {
    expect(readFileSync(committedPath, 'utf8')).toBe(crdYaml());
  });

  it('round-trips through YAML to the same object', () => {
    expect(parse(crdYaml())).toEqual(crdManifest());
  });

  it('is a structural schema: a type on every node, no $ref, no additionalProperties', () => {
    const problems: string[] = [];
    walk(version().schema.openAPIV3Schema, '', (node, path) => {
      const raw = node as unknown as Record<string, unknown>;
      if (!raw.type) problems.push(`${path}: no type`);
      for (const banned of ['$ref', 'additionalProperties', 'anyOf', 'oneOf', 'nullable']) {
        if (banned in raw) problems.push(`${path}: ${banned}`);
      }
      for (const name of node.required ?? []) {
        if (!node.properties?.[name]) problems.push(`${path}: required ${name} not a property`);
      }
    });
    expect(problems).toEqual([]);
  });

  it('has defaults that validate against their own node', () => {
    const problems: string[] = [];
    walk(version().schema.openAPIV3Schema, '', (node, path) => {
      if (node.default === undefined) return;
      const value = node.default;
      const ok =
        (node.type === 'object' && typeof value === 'object' && !Array.isArray(value)) ||
        (node.type === 'array' && Array.isArray(value)) ||
        (node.type === 'integer' && Number.isInteger(value)) ||
        (node.type === 'number' && typeof value === 'number') ||
        (node.type === 'boolean' && typeof value === 'boolean') ||
        (node.type === 'string' && typeof value === 'string');
      if (!ok) problems.push(`${path}: default ${JSON.stringify(value)} is not ${node.type}`);
      if (node.enum && !node.enum.includes(value as string)) problems.push(`${path}: not in enum`);
      if (typeof value === 'number' && node.minimum !== undefined && value < node.minimum) {
        problems.push(`${path}: default below minimum`);
      }
    });
    expect(problems).toEqual([]);
  });

  it('declares the status and scale subresources with paths that exist in the schema', () => {
    const v = version();
    const scale = v.subresources.scale as Record<string, string>;
    expect(v.subresources.status).toEqual({});
    const root = v.schema.openAPIV3Schema;
    for (const path of Object.values(scale)) {
      const node = path
        .split('.')
        .filter(Boolean)
        .reduce<OpenApiSchema | undefined>((n, key) => n?.properties?.[key], root);
      expect({ path, type: node?.type }).toEqual({
        path,
        type: path.endsWith('selector') ? 'string' : 'integer',
      });
    }
  });

  it('prints the columns kubectl get hpa users expect', () => {
    const names = version().additionalPrinterColumns.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['Target', 'Depth', 'Desired', 'Current', 'Age']));
  });

  it('carries CEL rules for the cross-field constraints', () => {
    const spec = version().schema.openAPIV3Schema.properties?.spec;
    const rules = (spec?.['x-kubernetes-validations'] ?? []).map((r) => r.rule);
    expect(rules).toEqual(
      expect.arrayContaining([
        'self.minReplicas <= self.maxReplicas',
        'has(self.targetJobsPerReplica) != has(self.targetLatencySeconds)',
      ]),
    );
  });

  it('accepts exactly the reasons of the catalog in conditions', () => {
    const root = version().schema.openAPIV3Schema;
    const reasonNode = root.properties?.status?.properties?.conditions?.items?.properties?.reason;
    expect(reasonNode?.enum).toEqual(ALL_REASONS);
    expect(ALL_REASONS).toContain(Reason.FallbackApplied);
    for (const reason of ALL_REASONS) expect(reason).toMatch(/^[A-Z][A-Za-z]*$/);
  });
});
