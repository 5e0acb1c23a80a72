import { stringify } from 'yaml';
import { applyOne } from './apply.js';
import { CliError } from './errors.js';
import type { PruneVerdict } from './inventory.js';
import type { KubeClient } from './kube.js';
import type { KubeObject, ObjectRef } from './objects.js';
import { describeRef, refOf } from './objects.js';
import { unifiedDiff } from './textdiff.js';

/** Fields the server owns or that change on every write: noise in a diff. */
const VOLATILE_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
];
const VOLATILE_ANNOTATIONS = [
  'deployment.kubernetes.io/revision',
  'kubectl.kubernetes.io/last-applied-configuration',
];

export type ObjectChange =
  | { kind: 'create'; ref: ObjectRef; text: string }
  | { kind: 'update'; ref: ObjectRef; text: string }
  | { kind: 'unchanged'; ref: ObjectRef };

/** A copy without status and server bookkeeping, so only meaningful fields are compared. */
export function normalizeForDiff(object: KubeObject): KubeObject {
  const rest = withoutKeys(object, ['status']);
  const metadata = withoutKeys(rest.metadata, VOLATILE_METADATA);
  const annotations = withoutKeys(metadata.annotations ?? {}, VOLATILE_ANNOTATIONS);
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...rest, metadata } as KubeObject;
}

function withoutKeys<T extends object>(value: T, keys: readonly string[]): T {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key))) as T;
}

export function objectPath(ref: ObjectRef): string {
  return [ref.apiVersion, ref.kind, ref.namespace, ref.name].filter(Boolean).join('/');
}

/** Compares what the server would store (dry-run result) with what it stores now. */
export function describeChange(
  ref: ObjectRef,
  live: KubeObject | undefined,
  planned: KubeObject,
): ObjectChange {
  const after = stringify(normalizeForDiff(planned), { sortMapEntries: true });
  if (!live) {
    return {
      kind: 'create',
      ref,
      text: unifiedDiff('', after, { before: '/dev/null', after: `printq/${objectPath(ref)}` }),
    };
  }
  const before = stringify(normalizeForDiff(live), { sortMapEntries: true });
  const text = unifiedDiff(before, after, {
    before: `live/${objectPath(ref)}`,
    after: `printq/${objectPath(ref)}`,
  });
  return text === '' ? { kind: 'unchanged', ref } : { kind: 'update', ref, text };
}

/**
 * Plans each object: a server-side dry-run apply yields what the API server would store
 * (defaults, admission, field ownership included), which is diffed against the live object.
 * When the server cannot dry-run an object because what it depends on is not there yet (its
 * namespace or CRD is part of the same revision), the manifest itself is shown as created.
 */
export async function planChanges(
  client: KubeClient,
  objects: readonly KubeObject[],
  options: { forceConflicts: boolean },
): Promise<ObjectChange[]> {
  const changes: ObjectChange[] = [];
  for (const object of objects) {
    const ref = refOf(object);
    const live = (await client.resourceFor(ref)) ? await client.get(ref) : undefined;
    const planned = live
      ? await applyOne(client, object, { dryRun: true, forceConflicts: options.forceConflicts })
      : await dryRunOrManifest(client, object, options.forceConflicts);
    changes.push(describeChange(ref, live, planned));
  }
  return changes;
}

async function dryRunOrManifest(client: KubeClient, object: KubeObject, forceConflicts: boolean) {
  try {
    return await applyOne(client, object, { dryRun: true, forceConflicts });
  } catch (error) {
    const dependsOnThisRevision =
      error instanceof CliError &&
      (error.code === 'MISSING_CRD' || /namespaces? .*not found/i.test(error.message));
    if (dependsOnThisRevision) return object;
    throw error;
  }
}

/** The printed report: one unified diff per changed object, then creations and prunes. */
export function renderDiff(
  changes: readonly ObjectChange[],
  prune: readonly PruneVerdict[],
  summaryOnly: boolean,
): string {
  const out: string[] = [];
  if (!summaryOnly) {
    for (const change of changes) if (change.kind !== 'unchanged') out.push(change.text);
  }
  const created = changes.filter((change) => change.kind === 'create');
  const updated = changes.filter((change) => change.kind === 'update');
  const deleted = prune.filter((verdict) => verdict.action === 'delete');
  for (const change of created) out.push(`+ create ${describeRef(change.ref)}\n`);
  for (const change of updated) out.push(`~ update ${describeRef(change.ref)}\n`);
  for (const verdict of deleted) out.push(`- prune  ${describeRef(verdict.ref)}\n`);
  for (const verdict of prune) {
    if (verdict.action === 'skip' && verdict.reason !== 'gone')
      out.push(`  keep   ${describeRef(verdict.ref)} (${verdict.reason})\n`);
  }
  out.push(
    `${created.length} to create, ${updated.length} to update, ${deleted.length} to prune\n`,
  );
  return out.join('');
}

export function hasChanges(
  changes: readonly ObjectChange[],
  prune: readonly PruneVerdict[],
): boolean {
  return (
    changes.some((change) => change.kind !== 'unchanged') ||
    prune.some((verdict) => verdict.action === 'delete')
  );
}
