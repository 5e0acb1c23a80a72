// Random (seeded) spec and observation sequences; after every decision the invariants the
// design promises must hold. A failure prints the seed to replay.
import { ALL_REASONS } from '@printq/crd';
import type { QueueScalerSpecInput } from '@printq/crd';
import { decide, initialPolicyState } from '../../src/policy/index.js';
import type { Observation } from '../../src/policy/index.js';
import { seededRandom } from '../../../test/helpers/random.js';
import { makeSpec } from './driver.js';

function randomSpec(r: () => number) {
  const maxReplicas = 1 + Math.floor(r() * 40);
  const minReplicas = Math.floor(r() * Math.min(maxReplicas, 4));
  const overrides: Partial<QueueScalerSpecInput> = {
    minReplicas,
    maxReplicas,
    activationDepth: Math.floor(r() * 5),
    workerConcurrency: 1 + Math.floor(r() * 4),
    behavior: {
      scaleUp: {
        stabilizationWindowSeconds: r() < 0.5 ? 0 : Math.floor(r() * 60),
        policies:
          r() < 0.5 ? [] : [{ type: 'Pods', value: 1 + Math.floor(r() * 5), periodSeconds: 15 }],
      },
      scaleDown: {
        stabilizationWindowSeconds: Math.floor(r() * 60),
        policies:
          r() < 0.5
            ? []
            : [{ type: 'Percent', value: 1 + Math.floor(r() * 100), periodSeconds: 30 }],
      },
    },
  };
  if (r() < 0.5) overrides.fallbackReplicas = 1 + Math.floor(r() * maxReplicas);
  if (r() < 0.5) overrides.targetJobsPerReplica = 1 + Math.floor(r() * 20);
  else overrides.targetLatencySeconds = 1 + r() * 30;
  return makeSpec(overrides);
}

describe('policy invariants over random runs', () => {
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('hold for seed %i', (seed) => {
    const r = seededRandom(seed);
    const spec = randomSpec(r);
    let state = initialPolicyState();
    let current = Math.floor(r() * (spec.maxReplicas + 3));
    let added = 0;
    const violations: string[] = [];
    for (let t = 0; t < 600; t++) {
      const nowMs = t * 1000;
      const backlog = r() < 0.2 ? 0 : Math.floor(r() ** 3 * 2000);
      const active = Math.floor(r() * current * spec.workerConcurrency);
      added += Math.floor(r() * 50);
      const failing = r() < 0.05;
      const observation: Observation = failing
        ? { ok: false, atMs: nowMs, reason: 'RedisTimeout', message: 'timeout' }
        : { ok: true, atMs: nowMs, backlog, active, addedTotal: added };
      const paused = r() < 0.02;
      const d = decide({ spec, currentReplicas: current, observation, state, nowMs, paused });
      const broken = (rule: string) =>
        violations.push(`t=${t} ${current}→${d.desiredReplicas} (${d.reason}): ${rule}`);

      if (!ALL_REASONS.includes(d.reason)) broken('reason outside the catalog');
      if (paused) {
        if (d.desiredReplicas !== current) broken('paused but changed');
      } else {
        if (d.desiredReplicas > spec.maxReplicas) broken('above maxReplicas');
        if (d.desiredReplicas < spec.minReplicas) broken('below minReplicas');
        if (failing && current > 0 && d.desiredReplicas < Math.min(current, spec.maxReplicas)) {
          broken('scaled in on a failed read');
        }
        const busy = Math.ceil(active / spec.workerConcurrency);
        if (!failing && d.desiredReplicas < Math.min(current, busy, spec.maxReplicas)) {
          broken('scaled in below the replicas running jobs');
        }
      }
      state = d.state;
      current = d.desiredReplicas;
    }
    expect(violations).toEqual([]);
  });
});
