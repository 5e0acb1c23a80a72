import type { ConditionType, QueueScalerCondition, Reason } from '@printq/crd';

export interface ConditionValue {
  status: 'True' | 'False' | 'Unknown';
  reason: Reason;
  message: string;
}

export type ConditionValues = Record<ConditionType, ConditionValue>;

/** A condition whose status or reason changed: worth an Event. */
export interface ConditionChange {
  type: ConditionType;
  from?: ConditionValue;
  to: ConditionValue;
}

/**
 * Builds the status conditions from this poll's values. `lastTransitionTime` moves only when
 * the status flips (the Kubernetes convention); a changed reason alone keeps the old time
 * but still counts as a change for Events.
 */
export function mergeConditions(
  previous: readonly QueueScalerCondition[] | undefined,
  values: ConditionValues,
  observedGeneration: number | undefined,
  now: Date,
): { conditions: QueueScalerCondition[]; changes: ConditionChange[] } {
  const conditions: QueueScalerCondition[] = [];
  const changes: ConditionChange[] = [];
  for (const [type, value] of Object.entries(values) as [ConditionType, ConditionValue][]) {
    const old = previous?.find((condition) => condition.type === type);
    const flipped = old?.status !== value.status;
    conditions.push({
      type,
      status: value.status,
      reason: value.reason,
      message: value.message,
      lastTransitionTime: flipped || !old ? now.toISOString() : old.lastTransitionTime,
      ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    });
    if (flipped || old?.reason !== value.reason) {
      changes.push({ type, to: value, ...(old ? { from: old } : {}) });
    }
  }
  return { conditions, changes };
}

/** Conditions whose False status means something is wrong (an Event of type Warning). */
export function isWarning(type: ConditionType, value: ConditionValue): boolean {
  return (type === 'Ready' || type === 'MetricAvailable') && value.status === 'False';
}
