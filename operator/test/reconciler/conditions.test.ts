import type { QueueScalerCondition } from '@printq/crd';
import { mergeConditions, type ConditionValues } from '../../src/reconciler/conditions.js';

const T0 = new Date('2026-12-04T10:00:00Z');
const T1 = new Date('2026-12-04T10:05:00Z');

const healthy: ConditionValues = {
  Ready: { status: 'True', reason: 'Reconciled', message: 'ok' },
  Active: { status: 'True', reason: 'ScaledToBacklog', message: 'backlog 10' },
  ScalingLimited: { status: 'False', reason: 'DesiredWithinRange', message: 'none' },
  MetricAvailable: { status: 'True', reason: 'QueueRead', message: 'backlog 10' },
};

describe('mergeConditions', () => {
  it('stamps every condition on first write and reports each as a change', () => {
    const { conditions, changes } = mergeConditions(undefined, healthy, 3, T0);
    expect(conditions).toHaveLength(4);
    expect(conditions.every((c) => c.lastTransitionTime === T0.toISOString())).toBe(true);
    expect(conditions.every((c) => c.observedGeneration === 3)).toBe(true);
    expect(changes.map((c) => c.type)).toEqual([
      'Ready',
      'Active',
      'ScalingLimited',
      'MetricAvailable',
    ]);
  });

  it('keeps lastTransitionTime and reports nothing when only the message changes', () => {
    const first = mergeConditions(undefined, healthy, 1, T0).conditions;
    const next = {
      ...healthy,
      MetricAvailable: { ...healthy.MetricAvailable, message: 'backlog 11' },
    };
    const { conditions, changes } = mergeConditions(first, next, 1, T1);
    expect(changes).toEqual([]);
    const metric = conditions.find((c) => c.type === 'MetricAvailable');
    expect(metric).toMatchObject({ message: 'backlog 11', lastTransitionTime: T0.toISOString() });
  });

  it('moves lastTransitionTime only on a status flip; a new reason alone is a change event', () => {
    const first: QueueScalerCondition[] = mergeConditions(undefined, healthy, 1, T0).conditions;
    const next: ConditionValues = {
      ...healthy,
      Active: { status: 'True', reason: 'ScaledToLatencyTarget', message: 'latency' },
      MetricAvailable: { status: 'False', reason: 'RedisTimeout', message: 'slow' },
    };
    const { conditions, changes } = mergeConditions(first, next, 1, T1);
    expect(changes.map((c) => [c.type, c.from?.status, c.to.status])).toEqual([
      ['Active', 'True', 'True'],
      ['MetricAvailable', 'True', 'False'],
    ]);
    expect(conditions.find((c) => c.type === 'Active')?.lastTransitionTime).toBe(T0.toISOString());
    expect(conditions.find((c) => c.type === 'MetricAvailable')?.lastTransitionTime).toBe(
      T1.toISOString(),
    );
  });
});
