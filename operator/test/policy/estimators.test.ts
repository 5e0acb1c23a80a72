import { makeSpec, run, ticks } from './driver.js';

const spec = makeSpec({ targetLatencySeconds: 10 });

describe('rate estimates', () => {
  it('measure arrivals from the added counter and service time by Little’s law', () => {
    // 4 jobs/s arrive and finish, 12 in flight → 3 s per job.
    const result = run(
      spec,
      ticks(0, 30, (t) => ({ backlog: 7, active: 12, added: 4 * t })),
      2,
    );
    expect(result.state.rates.arrivalPerSecond).toBeCloseTo(4, 6);
    expect(result.state.rates.completionPerSecond).toBeCloseTo(4, 6);
    expect(result.state.rates.serviceTimeSeconds).toBeCloseTo(3, 6);
  });

  it('infer completions from the job balance when the backlog shrinks', () => {
    // Nothing arrives; the backlog falls by 5 a second with a steady 10 in flight.
    const result = run(
      spec,
      ticks(0, 20, (t) => ({ backlog: 200 - 5 * t, active: 10, added: 500 })),
      2,
    );
    expect(result.state.rates.arrivalPerSecond).toBeCloseTo(0, 6);
    expect(result.state.rates.completionPerSecond).toBeCloseTo(5, 6);
    expect(result.state.rates.serviceTimeSeconds).toBeCloseTo(2, 6);
  });

  it('follow a step in the arrival rate within a few time constants', () => {
    let added = 0;
    const series = ticks(0, 120, (t) => {
      added += t < 60 ? 2 : 20;
      return { backlog: 0, active: 0, added };
    });
    const result = run(spec, series, 1);
    const rateAt = (t: number) =>
      result.decisions.find((d) => d.t === t)?.estimates.arrivalPerSecond;
    expect(rateAt(59)).toBeCloseTo(2, 6);
    expect(rateAt(70)).toBeGreaterThan(12);
    expect(rateAt(119)).toBeGreaterThan(19.5);
  });

  it('treat a counter that went back (queue obliterated) as no arrivals, never negative', () => {
    const series = [
      { t: 0, backlog: 0, added: 1000 },
      { t: 1, backlog: 0, added: 3 },
    ];
    const result = run(spec, series, 1);
    expect(result.state.rates.arrivalPerSecond).toBe(0);
  });

  it('fall back to growth of backlog + active without a counter (list queues)', () => {
    const result = run(
      spec,
      ticks(0, 10, (t) => ({ backlog: 3 * t })),
      1,
    );
    expect(result.state.rates.arrivalPerSecond).toBeCloseTo(3, 6);
  });

  it('keep the service time steady through a quiet spell with single jobs', () => {
    // 2 s jobs, 10 in flight at 5/s for a minute, then one job every 20 s.
    let added = 0;
    const busy = ticks(0, 60, () => {
      added += 5;
      return { backlog: 0, active: 10, added };
    });
    const quiet = ticks(60, 300, (t) => {
      const arrives = t % 20 === 0;
      if (arrives) added += 1;
      return { backlog: 0, active: t % 20 < 2 ? 1 : 0, added };
    });
    const result = run(spec, [...busy, ...quiet], 2);
    const serviceAt = (t: number) =>
      result.decisions.find((d) => d.t === t)?.estimates.serviceTimeSeconds ?? NaN;
    expect(serviceAt(59)).toBeCloseTo(2, 1);
    for (const t of [100, 200, 299]) {
      expect(serviceAt(t)).toBeGreaterThan(1);
      expect(serviceAt(t)).toBeLessThan(3);
    }
  });
});
