// The kind path of the README cannot run here (no Docker, no kind): every step that can be
// checked offline is checked against the real files: kind-config.yaml against kind's Cluster
// schema and the synthesized ingress Service, the documented image builds against the images
// the kind manifests use, and the commands against the CLI's own defaults.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LOCAL_IMAGES, synthesize } from '@printq/cdk8s';
import { parse } from 'yaml';
import { parseCommandLine } from '../../cli/src/args.js';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

interface KindNode {
  role: string;
  labels?: Record<string, string>;
  extraPortMappings?: { containerPort: number; hostPort: number; protocol?: string }[];
}

/** The guides that carry the kind path: the CLI's README, and the root README once merged. */
function guides(): { path: string; text: string }[] {
  return ['cli/README.md', 'README.md']
    .filter((path) => existsSync(root(path)))
    .map((path) => ({ path, text: readFileSync(root(path), 'utf8') }))
    .filter((guide) => guide.text.includes('kind load docker-image'));
}

interface SynthesizedObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: {
    type?: string;
    ports?: { port: number; nodePort: number }[];
    template: { spec: { nodeSelector?: Record<string, string>; containers: { image: string }[] } };
  };
}

function kindObjects(): SynthesizedObject[] {
  return synthesize('kind') as unknown as SynthesizedObject[];
}

describe('the kind path, checked offline', () => {
  const config = parse(readFileSync(root('kind-config.yaml'), 'utf8')) as {
    kind: string;
    apiVersion: string;
    name?: string;
    nodes: KindNode[];
  };

  it('kind-config.yaml is a kind v1alpha4 Cluster with one control-plane node labelled ingress-ready', () => {
    expect(config.kind).toBe('Cluster');
    expect(config.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    const controlPlanes = config.nodes.filter((node) => node.role === 'control-plane');
    expect(controlPlanes).toHaveLength(1);
    expect(controlPlanes[0]?.labels).toEqual({ 'ingress-ready': 'true' });
    for (const node of config.nodes) expect(['control-plane', 'worker']).toContain(node.role);
  });

  it('maps host ports 80 and 443 onto the NodePorts of the synthesized ingress controller Service', () => {
    const mappings = config.nodes[0]?.extraPortMappings ?? [];
    const service = kindObjects().find(
      (object) => object.kind === 'Service' && object.metadata.name === 'ingress-nginx-controller',
    );
    const nodePorts = new Map<number, number>(
      (service?.spec.ports ?? []).map((p) => [p.port, p.nodePort]),
    );
    expect(service?.spec.type).toBe('NodePort');
    for (const hostPort of [80, 443]) {
      const mapping = mappings.find((entry) => entry.hostPort === hostPort);
      expect(mapping?.containerPort).toBe(nodePorts.get(hostPort));
      expect(mapping?.protocol ?? 'TCP').toBe('TCP');
    }
  });

  it('the ingress controller is scheduled onto the ingress-ready node', () => {
    const controller = kindObjects().find(
      (object) =>
        object.kind === 'Deployment' && object.metadata.name === 'ingress-nginx-controller',
    );
    expect(controller?.spec.template.spec.nodeSelector).toMatchObject({ 'ingress-ready': 'true' });
  });

  it('the documented docker builds and kind load produce exactly the images the kind manifests run', () => {
    const images = new Set(
      kindObjects()
        .filter((object) => object.kind === 'Deployment')
        .flatMap((object) =>
          (object.spec.template.spec.containers as { image: string }[]).map((c) => c.image),
        )
        .filter((image) =>
          Object.values(LOCAL_IMAGES).some((repository) => image.startsWith(`${repository}:`)),
        ),
    );
    expect([...images].sort()).toEqual([
      'printq/app:dev',
      'printq/operator:dev',
      'printq/worker:dev',
    ]);

    const found = guides();
    expect(found.map((guide) => guide.path)).toContain('cli/README.md');
    for (const { path, text } of found) {
      const builds = [...text.matchAll(/^docker build --target (\S+) -t (\S+) \.$/gm)].map((m) => ({
        target: m[1],
        image: m[2],
      }));
      expect({ path, images: builds.map((b) => b.image).sort() }).toEqual({
        path,
        images: [...images].sort(),
      });
      for (const build of builds) {
        const component = build.image?.split('/')[1]?.split(':')[0];
        expect(build.target).toBe(component);
      }
      const load = /^kind load docker-image --name (\S+) (.+)$/m.exec(text);
      expect(load?.[1]).toBe(config.name);
      expect(load?.[2]?.split(' ').sort()).toEqual([...images].sort());
    }
  });

  it('the documented printq and helm commands are valid for this CLI and chart', () => {
    for (const { text } of guides()) {
      const up = /^npx printq (up .+)$/m.exec(text)?.[1] ?? '';
      const options = parseCommandLine(up.split(' '));
      expect(options).toMatchObject({
        command: 'up',
        profile: 'kind',
        context: `kind-${config.name}`,
      });
      expect(text).toContain('kind create cluster --config kind-config.yaml');
      expect(text).toMatch(/helm upgrade --install printq charts\/printq/);
    }
    expect(existsSync(root('charts/printq/Chart.yaml'))).toBe(true);
  });

  it('the root Dockerfile has a stage for every target the build commands name', () => {
    const stages = [...readFileSync(root('Dockerfile'), 'utf8').matchAll(/^FROM \S+ AS (\S+)$/gm)];
    const names = stages.map((m) => m[1]);
    for (const { text } of guides())
      for (const m of text.matchAll(/^docker build --target (\S+) /gm))
        expect(names).toContain(m[1]);
    expect(names).toEqual(expect.arrayContaining(['app', 'worker', 'operator']));
  });
});
