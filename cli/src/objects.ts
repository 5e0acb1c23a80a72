/** A Kubernetes object as plain JSON: printq never needs typed models, only identity and labels. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** Identity of an object: what a release inventory records. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'printq';
export const RELEASE_LABEL = 'printq.dev/release';

export function refOf(object: KubeObject): ObjectRef {
  const ref: ObjectRef = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
  };
  if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
  return ref;
}

/**
 * A stable key for set operations. The group, not the version, identifies a resource: moving
 * `autoscaling/v1` → `autoscaling/v2` must not look like "delete one, create another".
 */
export function refKey(ref: ObjectRef): string {
  return `${groupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** `Deployment printq/printq-app` or `Namespace printq`, for messages. */
export function describeRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

export function isCrd(ref: ObjectRef): boolean {
  return (
    ref.kind === 'CustomResourceDefinition' && groupOf(ref.apiVersion) === 'apiextensions.k8s.io'
  );
}

export function isNamespace(ref: ObjectRef): boolean {
  return ref.kind === 'Namespace' && ref.apiVersion === 'v1';
}

export function isPersistentVolumeClaim(ref: ObjectRef): boolean {
  return ref.kind === 'PersistentVolumeClaim' && ref.apiVersion === 'v1';
}

export function ownershipLabels(release: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [RELEASE_LABEL]: release };
}

/** True only for objects that carry printq's ownership labels for exactly this release. */
export function isOwnedByRelease(object: KubeObject, release: string): boolean {
  const labels = object.metadata.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[RELEASE_LABEL] === release;
}

/** Returns a copy with printq's ownership labels added (never mutates the synthesized input). */
export function withOwnershipLabels(object: KubeObject, release: string): KubeObject {
  const copy = structuredClone(object);
  copy.metadata.labels = { ...copy.metadata.labels, ...ownershipLabels(release) };
  return copy;
}

function applyRank(ref: ObjectRef): number {
  if (isCrd(ref)) return 0;
  if (isNamespace(ref)) return 1;
  return 2;
}

/**
 * Dependency order: CRDs, then namespaces, then everything else in the order given (the
 * synthesizer already orders the rest). Stable, so equal ranks keep their relative order.
 */
export function sortForApply<T extends KubeObject | ObjectRef>(items: readonly T[]): T[] {
  const rank = (item: T): number => applyRank('metadata' in item ? refOf(item) : item);
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => rank(a.item) - rank(b.item) || a.index - b.index)
    .map(({ item }) => item);
}
