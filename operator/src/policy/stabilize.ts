import type { QueueScalerSpec } from '@printq/crd';
import type { TimedValue } from './types.js';

export interface Stabilized {
  replicas: number;
  /** Which window held the recommendation back, if any. */
  heldBy?: 'up' | 'down';
}

/**
 * HPA stabilization: scale up only to the lowest recommendation of the scale-up window and
 * down only to the highest of the scale-down window (both include `recommended`). The
 * history holds unclamped recommendations, so a change of min/max applies at once.
 */
export function stabilize(
  behavior: QueueScalerSpec['behavior'],
  history: readonly TimedValue[],
  recommended: number,
  currentReplicas: number,
  nowMs: number,
): Stabilized {
  const upCutoffMs = nowMs - behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoffMs = nowMs - behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let upFloor = recommended;
  let downCeiling = recommended;
  for (const entry of history) {
    if (entry.atMs > upCutoffMs) upFloor = Math.min(upFloor, entry.replicas);
    if (entry.atMs > downCutoffMs) downCeiling = Math.max(downCeiling, entry.replicas);
  }
  if (currentReplicas < upFloor) return held(upFloor, recommended, 'up');
  if (currentReplicas > downCeiling) return held(downCeiling, recommended, 'down');
  return held(currentReplicas, recommended, recommended > currentReplicas ? 'up' : 'down');
}

function held(replicas: number, recommended: number, direction: 'up' | 'down'): Stabilized {
  return replicas === recommended ? { replicas } : { replicas, heldBy: direction };
}

/** History to keep: entries still inside the longer window, plus the new one. */
export function recordRecommendation(
  behavior: QueueScalerSpec['behavior'],
  history: readonly TimedValue[],
  entry: TimedValue,
): TimedValue[] {
  const longestMs =
    Math.max(
      behavior.scaleUp.stabilizationWindowSeconds,
      behavior.scaleDown.stabilizationWindowSeconds,
    ) * 1000;
  const kept = history.filter((h) => h.atMs > entry.atMs - longestMs);
  return [...kept, entry];
}
