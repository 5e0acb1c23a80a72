import type { KubeObject } from '../src/objects.js';
import { isOwnedByRelease, refOf, sortForApply, withOwnershipLabels } from '../src/objects.js';

const object = (apiVersion: string, kind: string, name: string): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name },
});

describe('objects', () => {
  it('sorts CRDs first, namespaces second, and keeps the given order otherwise', () => {
    const input = [
      object('apps/v1', 'Deployment', 'app'),
      object('v1', 'Namespace', 'printq'),
      object('v1', 'Service', 'app'),
      object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'queuescalers.printq.dev'),
      object('printq.dev/v1alpha1', 'QueueScaler', 'worker'),
    ];
    expect(sortForApply(input).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'CustomResourceDefinition/queuescalers.printq.dev',
      'Namespace/printq',
      'Deployment/app',
      'Service/app',
      'QueueScaler/worker',
    ]);
  });

  it('adds ownership labels on a copy, keeping existing labels', () => {
    const original: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { a: 'b' } },
    };
    const labelled = withOwnershipLabels(original, 'printq');
    expect(labelled.metadata.labels).toEqual({
      a: 'b',
      'app.kubernetes.io/managed-by': 'printq',
      'printq.dev/release': 'printq',
    });
    expect(original.metadata.labels).toEqual({ a: 'b' });
    expect(isOwnedByRelease(labelled, 'printq')).toBe(true);
    expect(isOwnedByRelease(labelled, 'other')).toBe(false);
    expect(isOwnedByRelease(original, 'printq')).toBe(false);
  });

  it('leaves namespace out of refs of cluster-scoped objects', () => {
    expect(refOf(object('v1', 'Namespace', 'printq'))).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'printq',
    });
  });
});
