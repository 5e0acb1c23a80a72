import { Reason } from '@printq/crd';
import { at, makeSpec, run, ticks } from './driver.js';

describe('stabilization windows (HPA semantics)', () => {
  it('scales down only to the highest recommendation of the scale-down window', () => {
    const spec = makeSpec({
      targetJobsPerReplica: 1,
      behavior: { scaleDown: { stabilizationWindowSeconds: 30 } },
    });
    // Recommendations: 10 at t=0, 4 at t=10, 6 at t=20, 2 from t=30 on.
    const backlog = (t: number) => (t < 10 ? 10 : t < 20 ? 4 : t < 30 ? 6 : 2);
    const result = run(
      spec,
      ticks(0, 80, (t) => ({ backlog: backlog(t) })),
      10,
    );
    expect(at(result, 29)).toBe(10);
    // t=9's "10" leaves the window at t=39; t=29's "6" at t=59.
    expect(at(result, 38)).toBe(10);
    expect(at(result, 39)).toBe(6);
    expect(at(result, 58)).toBe(6);
    expect(at(result, 59)).toBe(2);
    const held = result.decisions.find((d) => d.t === 45);
    expect(held?.reason).toBe(Reason.ScaleDownStabilized);
    expect(held?.conditions.ScalingLimited.status).toBe('True');
  });

  it('scales up only to the lowest recommendation of the scale-up window', () => {
    const spec = makeSpec({
      targetJobsPerReplica: 1,
      behavior: { scaleUp: { stabilizationWindowSeconds: 20 } },
    });
    const backlog = (t: number) => (t < 10 ? 2 : 8);
    const result = run(
      spec,
      ticks(0, 40, (t) => ({ backlog: backlog(t) })),
      2,
    );
    expect(at(result, 10)).toBe(2);
    expect(at(result, 28)).toBe(2);
    expect(at(result, 29)).toBe(8);
    expect(result.decisions.find((d) => d.t === 15)?.reason).toBe(Reason.ScaleUpStabilized);
  });

  it('reacts at once to scale-up with the default (zero) scale-up window', () => {
    const spec = makeSpec({ targetJobsPerReplica: 10 });
    const result = run(
      spec,
      [
        { t: 0, backlog: 0 },
        { t: 1, backlog: 300 },
      ],
      0,
    );
    expect(result.replicas).toEqual([0, 30]);
  });

  it('keeps the default 30 s window before scaling to zero after a burst', () => {
    const spec = makeSpec({ targetJobsPerReplica: 10 });
    const series = [...ticks(0, 10, () => ({ backlog: 200 })), ...ticks(10, 60, () => ({}))];
    const result = run(spec, series, 0);
    expect(at(result, 38)).toBe(20);
    expect(at(result, 39)).toBe(0);
  });

  it('does not skip the window after a restart: the current count counts as recommended', () => {
    const spec = makeSpec({ targetJobsPerReplica: 10 });
    const result = run(
      spec,
      ticks(100, 140, () => ({})),
      12,
    );
    expect(at(result, 100)).toBe(12);
    expect(at(result, 129)).toBe(12);
    expect(at(result, 130)).toBe(0);
  });
});
