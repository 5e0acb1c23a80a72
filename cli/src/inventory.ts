import type { KubeObject, ObjectRef } from './objects.js';
import {
  describeRef,
  isCrd,
  isNamespace,
  isOwnedByRelease,
  isPersistentVolumeClaim,
  refKey,
  sortForApply,
} from './objects.js';

/** How the next revision's objects relate to the previous revision's inventory. */
export interface InventoryChange {
  added: ObjectRef[];
  kept: ObjectRef[];
  removed: ObjectRef[];
}

export function compareInventories(
  previous: readonly ObjectRef[],
  next: readonly ObjectRef[],
): InventoryChange {
  const previousKeys = new Set(previous.map(refKey));
  const nextKeys = new Set(next.map(refKey));
  return {
    added: next.filter((ref) => !previousKeys.has(refKey(ref))),
    kept: next.filter((ref) => previousKeys.has(refKey(ref))),
    removed: previous.filter((ref) => !nextKeys.has(refKey(ref))),
  };
}

/**
 * Kinds an upgrade never deletes on its own, because deleting them takes data with them:
 * a CRD deletes every custom resource of its type, a Namespace everything inside it, a PVC
 * its volume. `printq down --delete-data/--delete-crds` removes them on explicit request.
 */
export function isDataBearing(ref: ObjectRef): boolean {
  return isCrd(ref) || isNamespace(ref) || isPersistentVolumeClaim(ref);
}

export type PruneVerdict =
  | { action: 'delete'; ref: ObjectRef }
  | { action: 'skip'; ref: ObjectRef; reason: 'gone' | 'not-owned' | 'data-bearing' };

/**
 * Decides, for each object the previous revision had and the next one lacks, whether to delete
 * it. `live` holds what the cluster returned for each candidate (undefined when absent). Only
 * an object labelled as managed by printq for this very release is ever deleted.
 */
export function planPrune(
  removed: readonly ObjectRef[],
  live: ReadonlyMap<string, KubeObject | undefined>,
  release: string,
): PruneVerdict[] {
  const verdicts = removed.map((ref): PruneVerdict => {
    const object = live.get(refKey(ref));
    if (!object) return { action: 'skip', ref, reason: 'gone' };
    if (!isOwnedByRelease(object, release)) return { action: 'skip', ref, reason: 'not-owned' };
    if (isDataBearing(ref)) return { action: 'skip', ref, reason: 'data-bearing' };
    return { action: 'delete', ref };
  });
  // Delete in reverse apply order: dependents before what they depend on.
  const deletions = sortForApply(verdicts.filter((v) => v.action === 'delete').map((v) => v.ref));
  const order = new Map(deletions.reverse().map((ref, index) => [refKey(ref), index]));
  return verdicts.sort(
    (a, b) => (order.get(refKey(a.ref)) ?? Infinity) - (order.get(refKey(b.ref)) ?? Infinity),
  );
}

export function describeSkip(verdict: PruneVerdict & { action: 'skip' }): string {
  const what = describeRef(verdict.ref);
  switch (verdict.reason) {
    case 'gone':
      return `${what} is already gone`;
    case 'not-owned':
      return `${what} is not labelled as owned by this release: left alone`;
    case 'data-bearing':
      return `${what} holds data: kept (use printq down --delete-data/--delete-crds to remove)`;
  }
}
