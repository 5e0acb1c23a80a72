import { compareInventories, planPrune } from '../src/inventory.js';
import type { KubeObject, ObjectRef } from '../src/objects.js';
import { ownershipLabels, refKey } from '../src/objects.js';

const deployment = (name: string): ObjectRef => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'printq',
  name,
});
const configMap = (name: string): ObjectRef => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  namespace: 'printq',
  name,
});
const namespace: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: 'printq' };
const pvc: ObjectRef = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  namespace: 'printq',
  name: 'data',
};

function live(ref: ObjectRef, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, namespace: ref.namespace, labels },
  };
}

describe('compareInventories', () => {
  it('splits refs into added, kept and removed', () => {
    const change = compareInventories(
      [deployment('app'), configMap('old')],
      [deployment('app'), configMap('new')],
    );
    expect(change.added).toEqual([configMap('new')]);
    expect(change.kept).toEqual([deployment('app')]);
    expect(change.removed).toEqual([configMap('old')]);
  });

  it('treats a version bump of the same group and kind as the same object', () => {
    const v1 = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      namespace: 'printq',
      name: 'app',
    };
    const v2 = { ...v1, apiVersion: 'autoscaling/v2' };
    expect(compareInventories([v1], [v2]).removed).toEqual([]);
  });
});

describe('planPrune', () => {
  const owned = ownershipLabels('printq');

  it('deletes only removed objects labelled as owned by this release', () => {
    const dropped = configMap('printq-extra');
    const verdicts = planPrune(
      [dropped],
      new Map([[refKey(dropped), live(dropped, owned)]]),
      'printq',
    );
    expect(verdicts).toEqual([{ action: 'delete', ref: dropped }]);
  });

  it('leaves alone an object without the labels, or labelled for another release', () => {
    const foreign = configMap('printq-extra-copy');
    const other = configMap('printq-other');
    const verdicts = planPrune(
      [foreign, other],
      new Map([
        [refKey(foreign), live(foreign, { app: 'someone-else' })],
        [refKey(other), live(other, ownershipLabels('staging'))],
      ]),
      'printq',
    );
    expect(verdicts.map((v) => v.action)).toEqual(['skip', 'skip']);
    expect(verdicts.every((v) => v.action === 'skip' && v.reason === 'not-owned')).toBe(true);
  });

  it('never prunes namespaces, PVCs or CRDs even when owned', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: 'x.printq.dev',
    };
    const refs = [namespace, pvc, crd];
    const verdicts = planPrune(
      refs,
      new Map(refs.map((ref) => [refKey(ref), live(ref, owned)])),
      'printq',
    );
    expect(verdicts.every((v) => v.action === 'skip' && v.reason === 'data-bearing')).toBe(true);
  });

  it('reports objects already gone as skipped', () => {
    expect(planPrune([configMap('x')], new Map(), 'printq')).toEqual([
      { action: 'skip', ref: configMap('x'), reason: 'gone' },
    ]);
  });

  it('orders deletions in reverse apply order', () => {
    const refs = [deployment('a'), configMap('b')];
    const verdicts = planPrune(
      refs,
      new Map(refs.map((ref) => [refKey(ref), live(ref, owned)])),
      'printq',
    );
    expect(verdicts.map((v) => v.ref.name)).toEqual(['b', 'a']);
  });
});
