import { createHash } from 'node:crypto';
import type { ApiObject } from 'cdk8s';
import type { Settings } from './settings.js';

interface Binding {
  readonly objectKey: string;
  readonly pointer: string;
  readonly token: string;
}

/** Identifies a synthesized object: kind, namespace and name. */
export function objectKeyOf(o: {
  kind: string;
  metadata: { name?: string; namespace?: string };
}): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/**
 * Where a Helm value lands in a synthesized object. In plain synthesis binding is a no-op;
 * when the chart is generated, the bound field is replaced by a token that the chart writer
 * turns into the Go template `expression`. Tokens derive from the expression, so the kind
 * and production renders of one object stay equal when only bound values differ.
 */
export class ValueBinder {
  readonly #expressions = new Map<string, string>();
  readonly #bindings: Binding[] = [];

  constructor(readonly forHelm: boolean) {}

  /** Replaces the field at JSON `pointer` of `object` by a Helm template `expression`. */
  bind(object: ApiObject, pointer: string, expression: string): void {
    if (!this.forHelm) return;
    const token = tokenFor(expression);
    this.#expressions.set(token, expression);
    const objectKey = objectKeyOf({ kind: object.kind, metadata: object.metadata.toJson() });
    this.#bindings.push({ objectKey, pointer, token });
  }

  /**
   * Puts the tokens into synthesized JSON. This runs on the final JSON rather than as a cdk8s
   * JSON patch, because typed (L1) objects re-serialize patched fields and would drop a
   * string where an object (resources, quantities) is expected.
   */
  apply<T extends { kind: string; metadata: { name?: string; namespace?: string } }>(
    objects: T[],
  ): T[] {
    for (const binding of this.#bindings) {
      const object = objects.find((o) => objectKeyOf(o) === binding.objectKey);
      if (object) replaceAt(object, binding.pointer, binding.token);
    }
    return objects;
  }

  /** Binds to `.Values.<valuesPath>`, rendered as JSON (valid YAML for any value type). */
  bindValue(object: ApiObject, pointer: string, valuesPath: string): void {
    this.bind(object, pointer, `{{ .Values.${valuesPath} | toJson }}`);
  }

  /** Binds an image field to `.Values.images.<name>.repository` and `.tag`. */
  bindImage(object: ApiObject, pointer: string, name: keyof Settings['images']): void {
    const image = `.Values.images.${name}`;
    this.bind(object, pointer, `{{ printf "%s:%s" ${image}.repository ${image}.tag | toJson }}`);
  }

  /** token → Go template expression, for the chart writer. */
  get expressions(): ReadonlyMap<string, string> {
    return this.#expressions;
  }
}

function replaceAt(root: object, pointer: string, value: unknown): void {
  const parts = pointer.split('/').slice(1);
  const last = parts.pop();
  let node: unknown = root;
  for (const part of parts) node = (node as Record<string, unknown>)[part];
  if (last === undefined || typeof node !== 'object' || node === null || !(last in node)) {
    throw new Error(`cannot bind a Helm value at ${pointer}: no such field`);
  }
  (node as Record<string, unknown>)[last] = value;
}

/** A plain YAML scalar that cannot occur in real manifests. */
function tokenFor(expression: string): string {
  return `pqvalue${createHash('sha256').update(expression).digest('hex').slice(0, 16)}`;
}

/** What every construct receives: validated settings and the Helm value binder. */
export interface BuildContext {
  readonly settings: Settings;
  readonly values: ValueBinder;
}

/** Components of printq, as in `app.kubernetes.io/component`. */
export type Component = 'api' | 'worker' | 'redis' | 'operator' | 'ingress-controller';

export const PART_OF = 'printq';

/** Standard labels; `selectorLabels` is the stable subset used in selectors. */
export function labelsFor(name: string, component: Component): Record<string, string> {
  return {
    ...selectorLabels(name, component),
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': 'printq',
  };
}

/** Selector labels: fixed strings, never derived from construct paths (selectors are immutable). */
export function selectorLabels(name: string, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': PART_OF,
    'app.kubernetes.io/component': component,
  };
}
