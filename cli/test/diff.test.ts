import { describeChange, hasChanges, normalizeForDiff, renderDiff } from '../src/diff.js';
import type { KubeObject } from '../src/objects.js';
import { refOf } from '../src/objects.js';

function deployment(image: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'printq-app', namespace: 'printq', ...extra },
    spec: { template: { spec: { containers: [{ name: 'app', image }] } } },
  };
}

describe('normalizeForDiff', () => {
  it('drops status, server bookkeeping and the deployment revision annotation', () => {
    const live = {
      ...deployment('a', {
        resourceVersion: '42',
        uid: 'u',
        generation: 3,
        creationTimestamp: 'now',
        managedFields: [{ manager: 'printq' }],
        annotations: { 'deployment.kubernetes.io/revision': '3', team: 'quotes' },
      }),
      status: { replicas: 1 },
    };
    expect(normalizeForDiff(live)).toEqual({
      ...deployment('a'),
      metadata: { name: 'printq-app', namespace: 'printq', annotations: { team: 'quotes' } },
    });
    expect(live.metadata.resourceVersion).toBe('42');
  });
});

describe('describeChange', () => {
  it('reports unchanged when only volatile fields differ', () => {
    const live = { ...deployment('a', { resourceVersion: '1' }), status: { replicas: 2 } };
    expect(describeChange(refOf(live), live, deployment('a', { resourceVersion: '2' })).kind).toBe(
      'unchanged',
    );
  });

  it('shows an image change as a unified diff between live and printq', () => {
    const change = describeChange(
      refOf(deployment('a')),
      deployment('printq/app:dev'),
      deployment('printq/app:v2'),
    );
    expect(change.kind).toBe('update');
    const text = change.kind === 'update' ? change.text : '';
    expect(text).toContain(
      '--- live/apps/v1/Deployment/printq/printq-app\n+++ printq/apps/v1/Deployment/printq/printq-app\n',
    );
    expect(text).toMatch(/^-\s+(- )?image: printq\/app:dev$/m);
    expect(text).toMatch(/^\+\s+(- )?image: printq\/app:v2$/m);
  });

  it('shows a new object as created from /dev/null', () => {
    const change = describeChange(refOf(deployment('a')), undefined, deployment('a'));
    expect(change.kind).toBe('create');
    expect(change.kind === 'create' && change.text.startsWith('--- /dev/null\n')).toBe(true);
  });
});

describe('renderDiff', () => {
  it('summarizes creations, updates and prunes, and counts them', () => {
    const created = describeChange(refOf(deployment('a')), undefined, deployment('a'));
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'printq', name: 'old' };
    const text = renderDiff([created], [{ action: 'delete', ref: configMap }], true);
    expect(text).toBe(
      '+ create Deployment printq/printq-app\n- prune  ConfigMap printq/old\n1 to create, 0 to update, 1 to prune\n',
    );
    expect(hasChanges([], [{ action: 'skip', ref: configMap, reason: 'not-owned' }])).toBe(false);
    expect(hasChanges([], [{ action: 'delete', ref: configMap }])).toBe(true);
  });
});
