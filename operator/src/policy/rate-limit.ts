import type { ScalingPolicy, ScalingRules } from '@printq/crd';
import type { ScaleEvent } from './types.js';

/** Net replicas added (positive) or removed (negative) in the last `periodSeconds`. */
function changeInPeriod(events: readonly ScaleEvent[], periodSeconds: number, nowMs: number) {
  const cutoffMs = nowMs - periodSeconds * 1000;
  let added = 0;
  let removed = 0;
  for (const event of events) {
    if (event.atMs <= cutoffMs) continue;
    if (event.change > 0) added += event.change;
    else removed -= event.change;
  }
  return { added, removed };
}

/**
 * The most replicas the scale-up policies allow now (HPA semantics): each policy measures
 * from the replica count at the start of its sliding period; `Max` picks the most
 * permissive policy, `Min` the strictest; no policy means no limit. From zero replicas at
 * least one is always allowed, since Percent of 0 would otherwise block activation forever.
 */
export function scaleUpLimit(
  rules: ScalingRules,
  currentReplicas: number,
  events: readonly ScaleEvent[],
  nowMs: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  if (rules.policies.length === 0) return Number.POSITIVE_INFINITY;
  const proposals = rules.policies.map((policy) => {
    const start = periodStartReplicas(policy, currentReplicas, events, nowMs);
    return policy.type === 'Pods'
      ? start + policy.value
      : Math.ceil(start * (1 + policy.value / 100));
  });
  const limit = rules.selectPolicy === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
  return Math.max(limit, currentReplicas, currentReplicas === 0 ? 1 : 0);
}

/**
 * The fewest replicas the scale-down policies allow now (HPA semantics, mirror image of
 * {@link scaleUpLimit}): `Max` allows the largest removal, `Min` the smallest.
 */
export function scaleDownLimit(
  rules: ScalingRules,
  currentReplicas: number,
  events: readonly ScaleEvent[],
  nowMs: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  if (rules.policies.length === 0) return 0;
  const proposals = rules.policies.map((policy) => {
    const start = periodStartReplicas(policy, currentReplicas, events, nowMs);
    return policy.type === 'Pods'
      ? start - policy.value
      : Math.floor(start * (1 - policy.value / 100));
  });
  const limit = rules.selectPolicy === 'Min' ? Math.max(...proposals) : Math.min(...proposals);
  return Math.min(Math.max(limit, 0), currentReplicas);
}

function periodStartReplicas(
  policy: ScalingPolicy,
  currentReplicas: number,
  events: readonly ScaleEvent[],
  nowMs: number,
): number {
  const { added, removed } = changeInPeriod(events, policy.periodSeconds, nowMs);
  return currentReplicas - added + removed;
}

/** Events inside the longest policy period of either direction, plus the new change. */
export function recordScaleEvent(
  up: ScalingRules,
  down: ScalingRules,
  events: readonly ScaleEvent[],
  nowMs: number,
  change: number,
): ScaleEvent[] {
  const periods = [...up.policies, ...down.policies].map((p) => p.periodSeconds);
  const longestMs = Math.max(0, ...periods) * 1000;
  const kept = events.filter((e) => e.atMs > nowMs - longestMs);
  return change === 0 ? kept : [...kept, { atMs: nowMs, change }];
}
