import { parseAllDocuments } from 'yaml';
import { synthesize, type ManifestObject, type Profile } from '../../src/index.js';

/** Every object of both profiles (production with a test e-mail), cached per test file. */
const cache = new Map<Profile, ManifestObject[]>();
export const TEST_EMAIL = 'ops@printq.test';

export function objectsOf(profile: Profile): ManifestObject[] {
  let objects = cache.get(profile);
  if (!objects) {
    objects = synthesize(
      profile,
      profile === 'production' ? { tls: { acmeEmail: TEST_EMAIL } } : {},
    );
    cache.set(profile, objects);
  }
  return objects;
}

export const BOTH: readonly Profile[] = ['kind', 'production'];

export function find(objects: ManifestObject[], kind: string, name: string): ManifestObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

/** A pod template's spec and where it came from, for workloads of any kind. */
export interface PodOf {
  owner: ManifestObject;
  spec: PodSpec;
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown> & {
    capabilities?: { drop?: string[]; add?: string[] };
  };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: unknown };
  volumeMounts?: { name: string; mountPath: string }[];
  command?: string[];
  args?: string[];
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  volumes?: { name: string; emptyDir?: unknown; secret?: unknown }[];
  nodeSelector?: Record<string, string>;
  hostNetwork?: boolean;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

export function podsOf(objects: ManifestObject[]): PodOf[] {
  return objects
    .filter((o) => WORKLOADS.has(o.kind))
    .map((owner) => ({
      owner,
      spec: (owner.spec as { template: { spec: PodSpec } }).template.spec,
    }));
}

export function allContainers(pod: PodOf): Container[] {
  return [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
}

/** Parses multi-document YAML (helm output), dropping empty documents. */
export function parseYamlStream(text: string): ManifestObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as ManifestObject | null)
    .filter((o): o is ManifestObject => o !== null && typeof o === 'object');
}

export const keyOf = (o: ManifestObject) =>
  `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
