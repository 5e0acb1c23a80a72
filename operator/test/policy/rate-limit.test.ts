import { Reason } from '@printq/crd';
import type { ScalingRules } from '@printq/crd';
import { scaleDownLimit, scaleUpLimit } from '../../src/policy/index.js';
import { at, makeSpec, run, ticks } from './driver.js';

const hpaUp: ScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Percent', value: 100, periodSeconds: 15 },
    { type: 'Pods', value: 4, periodSeconds: 15 },
  ],
};

describe('scaleUpLimit (HPA policy math)', () => {
  it.each([
    // current, events in the period, Max limit, Min limit
    [1, [], 5, 2],
    [3, [], 7, 6],
    [4, [], 8, 8],
    [10, [], 20, 14],
    // 1 → 5 four seconds ago: the period started at 1 replica.
    [5, [{ atMs: -4000, change: 4 }], 5, 5],
    // that event is 15 s old: outside the period (strictly after the cutoff counts).
    [5, [{ atMs: -15000, change: 4 }], 10, 9],
  ])(
    'from %i replicas with events %j allows %i (Max) and %i (Min)',
    (current, events, max, min) => {
      expect(scaleUpLimit(hpaUp, current, events, 0)).toBe(max);
      expect(scaleUpLimit({ ...hpaUp, selectPolicy: 'Min' }, current, events, 0)).toBe(min);
    },
  );

  it('never blocks activation from zero, even with Percent only', () => {
    const percentOnly: ScalingRules = {
      ...hpaUp,
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    };
    expect(scaleUpLimit(percentOnly, 0, [], 0)).toBe(1);
  });

  it('has no limit without policies and none at all when Disabled', () => {
    expect(scaleUpLimit({ ...hpaUp, policies: [] }, 3, [], 0)).toBe(Number.POSITIVE_INFINITY);
    expect(scaleUpLimit({ ...hpaUp, selectPolicy: 'Disabled' }, 3, [], 0)).toBe(3);
  });
});

describe('scaleDownLimit (HPA policy math)', () => {
  const down: ScalingRules = {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 2, periodSeconds: 60 },
      { type: 'Percent', value: 10, periodSeconds: 60 },
    ],
  };

  it.each([
    [10, [], 8, 9],
    [40, [], 36, 38],
    // 10 → 8 thirty seconds ago used the whole allowance: no further removal.
    [8, [{ atMs: -30_000, change: -2 }], 8, 8],
  ])('from %i with events %j allows down to %i (Max) and %i (Min)', (current, events, max, min) => {
    expect(scaleDownLimit(down, current, events, 0)).toBe(max);
    expect(scaleDownLimit({ ...down, selectPolicy: 'Min' }, current, events, 0)).toBe(min);
  });
});

describe('rate policies in decisions', () => {
  it('ramps 1 → 5 → 10 → 20 → 40 → 50 every 15 s under HPA default scale-up policies', () => {
    const spec = makeSpec({
      targetJobsPerReplica: 1,
      behavior: { scaleUp: hpaUp },
    });
    const result = run(
      spec,
      ticks(0, 80, () => ({ backlog: 5000 })),
      1,
    );
    expect([0, 14, 15, 29, 30, 45, 60].map((t) => at(result, t))).toEqual([
      5, 5, 10, 10, 20, 40, 50,
    ]);
    const limited = result.decisions.find((d) => d.t === 14);
    expect(limited?.reason).toBe(Reason.ScaleUpLimited);
    expect(limited?.conditions.ScalingLimited).toMatchObject({
      status: 'True',
      reason: Reason.ScaleUpLimited,
    });
  });

  it('removes at most 2 pods a minute with a Pods 2 / 60 s scale-down policy', () => {
    const spec = makeSpec({
      targetJobsPerReplica: 1,
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 0,
          policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }],
        },
      },
    });
    const result = run(
      spec,
      ticks(0, 130, () => ({ backlog: 1 })),
      10,
    );
    expect([0, 59, 60, 119, 120].map((t) => at(result, t))).toEqual([8, 8, 6, 6, 4]);
    expect(result.decisions.find((d) => d.t === 30)?.reason).toBe(Reason.ScaleDownLimited);
  });

  it('never scales up when scale-up is Disabled, and says so', () => {
    const spec = makeSpec({ behavior: { scaleUp: { selectPolicy: 'Disabled' } } });
    const [decision] = run(spec, [{ t: 0, backlog: 500 }], 2).decisions;
    expect(decision?.desiredReplicas).toBe(2);
    expect(decision?.reason).toBe(Reason.ScaleUpDisabled);
  });

  it('records a scale event only in the state for an applied decision', () => {
    const spec = makeSpec({ behavior: { scaleUp: hpaUp } });
    const [decision] = run(spec, [{ t: 0, backlog: 500 }], 2).decisions;
    expect(decision?.state.scaleEvents).toEqual([{ atMs: 0, change: 4 }]);
    expect(decision?.stateIfNotApplied.scaleEvents).toEqual([]);
  });
});
