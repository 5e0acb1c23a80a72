// Each case replays a failure KEDA users reported (see shared/pitfalls.md) and asserts
// printq's policy does the right thing instead.
import { Reason } from '@printq/crd';
import { at, changes, makeSpec, run, ticks } from './driver.js';

describe('failures reported against KEDA, replayed through the printq policy', () => {
  it('applies fallback from zero replicas (KEDA #7239, #7411, #8056)', () => {
    const spec = makeSpec({ minReplicas: 0, fallbackReplicas: 2, fallbackAfterFailures: 3 });
    const result = run(
      spec,
      ticks(0, 10, () => ({ fail: true })),
      0,
    );
    expect(at(result, 1)).toBe(0);
    expect(at(result, 2)).toBe(2);
    expect(result.decisions.find((d) => d.t === 2)?.reason).toBe(Reason.FallbackApplied);
  });

  it('never scales to zero on metric errors', () => {
    const spec = makeSpec({ minReplicas: 0 });
    const series = [{ t: 0, backlog: 50 }, ...ticks(1, 900, () => ({ fail: true }))];
    const result = run(spec, series, 0);
    expect(at(result, 0)).toBe(5);
    expect(Math.min(...result.replicas)).toBe(5);
  });

  it('scales 0 → 1 on the first job (KEDA #3918)', () => {
    const spec = makeSpec({ targetJobsPerReplica: 1000 });
    const result = run(spec, [...ticks(0, 3, () => ({})), { t: 3, backlog: 1 }], 0);
    expect(result.replicas).toEqual([0, 0, 0, 1]);
    expect(result.decisions[3]?.reason).toBe(Reason.Activated);
  });

  it('does not flap around the activation threshold (KEDA #2314)', () => {
    const spec = makeSpec({ activationDepth: 10, targetJobsPerReplica: 50 });
    // A trickle that keeps the backlog between 8 and 12 for ten minutes.
    const series = ticks(0, 600, (t) => ({ backlog: 10 + ((t * 7) % 5) - 2, active: t % 2 }));
    const result = run(spec, series, 0);
    expect(changes(result.replicas)).toBe(1);
  });

  it('does not scale in below the busy replicas during long jobs (KEDA #6719, #3680)', () => {
    const spec = makeSpec({ workerConcurrency: 1, targetJobsPerReplica: 5 });
    // 40 jobs start at once; each runs 10 minutes; the backlog is empty from t=10.
    const series = [
      ...ticks(0, 10, () => ({ backlog: 40 })),
      ...ticks(10, 610, () => ({ backlog: 0, active: 40 })),
      ...ticks(610, 700, () => ({ backlog: 0, active: 0 })),
    ];
    const result = run(spec, series, 0);
    expect(at(result, 9)).toBe(8);
    // 40 jobs in flight at concurrency 1 need 40 replicas; scale-in never goes below the
    // replicas that exist (8) while they are all busy.
    expect(Math.min(...result.replicas.slice(10, 610))).toBe(8);
    expect(at(result, 640)).toBe(0);
  });

  it('keeps exactly the busy replicas when some finish early', () => {
    const spec = makeSpec({ workerConcurrency: 4, targetJobsPerReplica: 4 });
    const series = [
      ...ticks(0, 5, () => ({ backlog: 40 })),
      ...ticks(5, 200, (t) => ({ backlog: 0, active: Math.max(0, 40 - Math.floor(t / 5)) })),
    ];
    const result = run(spec, series, 0);
    for (const d of result.decisions.filter((x) => x.t >= 5)) {
      const active = Math.max(0, 40 - Math.floor(d.t / 5));
      expect(d.desiredReplicas).toBeGreaterThanOrEqual(Math.min(d.from, Math.ceil(active / 4)));
    }
  });

  it('reacts within one poll to a burst (KEDA #3272: slow reaction)', () => {
    const spec = makeSpec({ targetJobsPerReplica: 10, maxReplicas: 50 });
    const result = run(spec, [{ t: 0 }, { t: 1, backlog: 5000 }], 0);
    expect(result.replicas).toEqual([0, 50]);
  });
});
