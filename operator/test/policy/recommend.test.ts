import { Reason } from '@printq/crd';
import { at, changes, makeSpec, run, ticks } from './driver.js';

const noWindows = {
  behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
};

describe('backlog mode', () => {
  it.each([
    [1, 1],
    [10, 1],
    [11, 2],
    [99, 10],
    [100, 10],
    [101, 11],
    [499, 50],
    [100_000, 50],
  ])('backlog %i at 10 jobs per replica asks for %i replicas', (backlog, expected) => {
    const spec = makeSpec({ targetJobsPerReplica: 10, ...noWindows });
    const result = run(spec, [{ t: 0, backlog }], 1);
    expect(result.replicas).toEqual([expected]);
  });

  it('does not count active jobs as backlog', () => {
    const spec = makeSpec({ targetJobsPerReplica: 10, ...noWindows });
    const result = run(spec, [{ t: 0, backlog: 20, active: 400 }], 1);
    expect(result.replicas).toEqual([2]);
    expect(result.decisions[0]?.reason).toBe(Reason.ScaledToBacklog);
  });

  it('caps at maxReplicas and reports ScalingLimited', () => {
    const spec = makeSpec({ targetJobsPerReplica: 10, maxReplicas: 7 });
    const [decision] = run(spec, [{ t: 0, backlog: 5000 }], 7).decisions;
    expect(decision?.desiredReplicas).toBe(7);
    expect(decision?.reason).toBe(Reason.TooManyReplicas);
    expect(decision?.conditions.ScalingLimited).toMatchObject({
      status: 'True',
      reason: Reason.TooManyReplicas,
    });
  });

  it('raises to minReplicas even with an empty queue', () => {
    const spec = makeSpec({ minReplicas: 3, ...noWindows });
    const [decision] = run(spec, [{ t: 0, backlog: 0 }], 0).decisions;
    expect(decision?.desiredReplicas).toBe(3);
    expect(decision?.conditions.ScalingLimited.reason).toBe(Reason.TooFewReplicas);
  });
});

describe('latency mode', () => {
  // 10 jobs/s arrive and finish; 20 in flight → 2 s per job (Little's law); 50 wait.
  const steady = (t: number) => ({ backlog: 50, active: 20, added: 1000 + 10 * t });

  it('sizes for arrival × service time plus the backlog drained within the target', () => {
    const spec = makeSpec({
      targetLatencySeconds: 10,
      workerConcurrency: 2,
      ...noWindows,
    });
    const result = run(spec, ticks(0, 5, steady), 10);
    const last = result.decisions.at(-1);
    // slots = 10/s × 2 s + 50 × 2 s / 10 s = 30; at 2 jobs per replica → 15.
    expect(last?.desiredReplicas).toBe(15);
    expect(last?.reason).toBe(Reason.ScaledToLatencyTarget);
    expect(last?.estimates.arrivalPerSecond).toBeCloseTo(10, 6);
    expect(last?.estimates.serviceTimeSeconds).toBeCloseTo(2, 6);
  });

  it('uses the serviceTimeSeconds hint until a service time was measured', () => {
    const spec = makeSpec({ targetLatencySeconds: 5, serviceTimeSeconds: 4, ...noWindows });
    const result = run(spec, [{ t: 0, backlog: 20, added: 20 }], 0);
    // 20 × 4 / 5 = 16 slots at concurrency 1.
    expect(result.replicas).toEqual([16]);
  });

  it('assumes a job takes the target latency when nothing else is known', () => {
    const spec = makeSpec({ targetLatencySeconds: 30, workerConcurrency: 4, ...noWindows });
    const result = run(spec, [{ t: 0, backlog: 40 }], 0);
    // 40 × 30 / 30 = 40 slots / 4 per replica.
    expect(result.replicas).toEqual([10]);
  });
});

describe('activation (KEDA semantics: strictly greater than activationDepth)', () => {
  it.each([
    [0, 0, 0],
    [0, 1, 1],
    [5, 5, 0],
    [5, 6, 1],
  ])('activationDepth %i with backlog %i from zero gives %i replicas', (depth, backlog, want) => {
    const spec = makeSpec({ activationDepth: depth, targetJobsPerReplica: 100 });
    const [decision] = run(spec, [{ t: 0, backlog }], 0).decisions;
    expect(decision?.desiredReplicas).toBe(want);
    expect(decision?.reason).toBe(
      want > 0 ? Reason.Activated : backlog > 0 ? Reason.BelowActivation : Reason.Deactivated,
    );
    expect(decision?.conditions.Active.status).toBe(want > 0 ? 'True' : 'False');
  });

  it('does not flap between 0 and 1 while the backlog hovers at the threshold', () => {
    const spec = makeSpec({ activationDepth: 5, targetJobsPerReplica: 100 });
    const hovering = [4, 5, 6, 5, 4, 5, 6, 6, 5, 4, 3, 5, 6, 5, 4, 5];
    const series = ticks(0, 120, (t) => ({ backlog: hovering[t % hovering.length] }));
    const result = run(spec, series, 0);
    expect(result.replicas.slice(0, 2)).toEqual([0, 0]);
    expect(at(result, 2)).toBe(1);
    expect(Math.min(...result.replicas.slice(2))).toBe(1);
    expect(changes(result.replicas)).toBe(1);
  });

  it('deactivates only when the queue is empty and nothing is in flight', () => {
    const spec = makeSpec({
      activationDepth: 5,
      targetJobsPerReplica: 100,
      behavior: { scaleDown: { stabilizationWindowSeconds: 10 } },
    });
    const series = [
      ...ticks(0, 5, () => ({ backlog: 10 })),
      ...ticks(5, 30, () => ({ backlog: 0, active: 1 })),
      ...ticks(30, 60, () => ({ backlog: 0, active: 0 })),
    ];
    const result = run(spec, series, 0);
    expect(at(result, 29)).toBe(1);
    // The last "1" was recommended at t=29; the 10 s window keeps it until t=39.
    expect(at(result, 38)).toBe(1);
    expect(at(result, 39)).toBe(0);
    expect(result.decisions.find((d) => d.t === 39)?.reason).toBe(Reason.Deactivated);
  });

  it('stays active while a running replica works on jobs that never showed as backlog', () => {
    const spec = makeSpec({ activationDepth: 0, targetJobsPerReplica: 10 });
    // One replica picks every job before a poll sees it waiting: backlog always 0.
    const series = [
      { t: 0, backlog: 3 },
      ...ticks(1, 120, (t) => ({ backlog: 0, active: t % 3 === 0 ? 0 : 1 })),
    ];
    const result = run(spec, series, 0);
    expect(Math.min(...result.replicas)).toBe(1);
  });

  it('counts jobs added between two polls as work, even when both polls saw an idle queue', () => {
    const spec = makeSpec({ targetJobsPerReplica: 10 });
    let added = 0;
    const series = ticks(0, 120, (t) => {
      if (t % 5 === 0) added += 1; // a 1-second job every 5 s, done before the next poll
      return { backlog: 0, active: 0, added };
    });
    const result = run(spec, series, 1);
    expect(Math.min(...result.replicas)).toBe(1);
    const quiet = run(
      spec,
      ticks(0, 120, () => ({ backlog: 0, active: 0, added: 7 })),
      1,
    );
    expect(quiet.replicas.at(-1)).toBe(0);
  });
});
