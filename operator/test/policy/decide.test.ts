import { ALL_REASONS, Reason } from '@printq/crd';
import { decide, initialPolicyState } from '../../src/policy/index.js';
import type { PolicyDecision } from '../../src/policy/index.js';
import { at, makeSpec, run, ticks } from './driver.js';

describe('paused', () => {
  it('leaves replicas alone whatever the queue says (spec field)', () => {
    const spec = makeSpec({ paused: true });
    const result = run(
      spec,
      [
        { t: 0, backlog: 5000 },
        { t: 1, backlog: 0 },
      ],
      3,
    );
    expect(result.replicas).toEqual([3, 3]);
    expect(result.decisions.every((d) => d.reason === Reason.Paused && !d.scale)).toBe(true);
  });

  it('leaves a human’s manual count alone when paused by annotation', () => {
    const spec = makeSpec();
    const result = run(spec, [{ t: 0, backlog: 5000, paused: true }], 7);
    expect(result.replicas).toEqual([7]);
    expect(result.decisions[0]?.conditions.ScalingLimited.reason).toBe(Reason.Paused);
  });

  it('keeps measuring while paused so rates are ready on resume', () => {
    const spec = makeSpec({ paused: true });
    const result = run(
      spec,
      ticks(0, 3, (t) => ({ backlog: 10, added: 100 + 5 * t })),
      1,
    );
    expect(result.state.rates.arrivalPerSecond).toBeCloseTo(5, 6);
  });
});

describe('metric failure', () => {
  it('holds the current count and reports MetricAvailable=False with the read error', () => {
    const spec = makeSpec();
    const [decision] = run(spec, [{ t: 0, fail: true }], 4).decisions;
    expect(decision).toMatchObject({
      desiredReplicas: 4,
      reason: Reason.HeldOnMetricFailure,
      scale: false,
      conditions: {
        MetricAvailable: { status: 'False', reason: Reason.RedisConnectionRefused },
        Active: { status: 'Unknown' },
      },
    });
  });

  it('applies fallbackReplicas after fallbackAfterFailures consecutive failures', () => {
    const spec = makeSpec({ fallbackReplicas: 3, fallbackAfterFailures: 3 });
    const result = run(
      spec,
      ticks(0, 5, () => ({ fail: true })),
      1,
    );
    expect(result.replicas).toEqual([1, 1, 3, 3, 3]);
    expect(result.decisions[2]?.reason).toBe(Reason.FallbackApplied);
  });

  it('never lowers replicas to the fallback: fallback only raises', () => {
    const spec = makeSpec({ fallbackReplicas: 2, fallbackAfterFailures: 1 });
    const result = run(
      spec,
      ticks(0, 600, () => ({ fail: true })),
      9,
    );
    expect(new Set(result.replicas)).toEqual(new Set([9]));
  });

  it('counts failures from zero again after a good read', () => {
    const spec = makeSpec({ fallbackReplicas: 5, fallbackAfterFailures: 2 });
    const series = [{ t: 0, fail: true }, { t: 1 }, { t: 2, fail: true }, { t: 3, fail: true }];
    const result = run(spec, series, 0);
    expect(result.replicas).toEqual([0, 0, 0, 5]);
  });
});

describe('implausible reads', () => {
  it.each([
    ['a negative backlog', { backlog: -1 }],
    ['a NaN active count', { active: Number.NaN }],
    ['an infinite backlog', { backlog: Number.POSITIVE_INFINITY }],
  ])('treats %s as a failed read and holds replicas', (_name, tick) => {
    const spec = makeSpec();
    const [decision] = run(spec, [{ t: 0, ...tick }], 4).decisions;
    expect(decision).toMatchObject({
      desiredReplicas: 4,
      reason: Reason.HeldOnMetricFailure,
      conditions: { MetricAvailable: { status: 'False', reason: Reason.QueueReadFailed } },
    });
  });
});

describe('in-flight protection on scale-in', () => {
  it('keeps ceil(active / workerConcurrency) replicas while jobs run', () => {
    const spec = makeSpec({
      workerConcurrency: 2,
      behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
    });
    const [decision] = run(spec, [{ t: 0, backlog: 0, active: 17 }], 10).decisions;
    expect(decision?.desiredReplicas).toBe(9);
    expect(decision?.reason).toBe(Reason.InFlightProtected);
    expect(decision?.conditions.ScalingLimited.reason).toBe(Reason.InFlightProtected);
  });

  it('never scales up because of in-flight jobs', () => {
    const spec = makeSpec({ workerConcurrency: 1 });
    const result = run(spec, [{ t: 0, backlog: 0, active: 30 }], 2);
    expect(result.replicas).toEqual([2]);
  });
});

describe('reasons', () => {
  it('come from the catalog for every decision and condition of a mixed run', () => {
    const spec = makeSpec({
      fallbackReplicas: 2,
      activationDepth: 3,
      behavior: { scaleUp: { policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] } },
    });
    const series = ticks(0, 400, (t) => ({
      backlog: Math.round(200 * Math.abs(Math.sin(t / 40))),
      active: t % 7,
      fail: t % 53 === 0,
      paused: t > 300 && t < 320,
    }));
    const reasons = new Set<string>();
    for (const d of run(spec, series, 0).decisions) {
      reasons.add(d.reason);
      for (const c of Object.values(d.conditions)) reasons.add(c.reason);
    }
    for (const reason of reasons) expect(ALL_REASONS).toContain(reason);
    expect(reasons.size).toBeGreaterThan(6);
  });
});

describe('decide() is pure', () => {
  it('returns the same decision for the same input and does not mutate the state', () => {
    const spec = makeSpec({ targetLatencySeconds: 10 });
    const state = initialPolicyState();
    const frozen = structuredClone(state);
    const input = {
      spec,
      currentReplicas: 2,
      observation: { ok: true as const, atMs: 0, backlog: 40, active: 3, addedTotal: 9 },
      state,
      nowMs: 0,
    };
    const first: PolicyDecision = decide(input);
    expect(decide(input)).toEqual(first);
    expect(state).toEqual(frozen);
    expect(at(run(spec, [{ t: 0, backlog: 40, active: 3, added: 9 }], 2), 0)).toBe(
      first.desiredReplicas,
    );
  });
});
