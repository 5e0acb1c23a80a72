import { SlotTimers } from '../../src/reconciler/slot-timers.js';
import { VirtualClock } from '../support/virtual-clock.js';

describe('SlotTimers', () => {
  it('runs timers due within one slot together from a single clock timer', async () => {
    const clock = new VirtualClock(1_000_000);
    const timers = new SlotTimers(clock, 50);
    const fired: string[] = [];
    timers.setTimeout(() => fired.push(`a@${clock.nowMs()}`), 910);
    timers.setTimeout(() => fired.push(`b@${clock.nowMs()}`), 949);
    timers.setTimeout(() => fired.push(`c@${clock.nowMs()}`), 951);
    expect(clock.pendingDelaysMs().sort((x, y) => x - y)).toEqual([950, 1000]);
    await clock.advance(950);
    expect(fired).toEqual(['a@1000950', 'b@1000950']);
    await clock.advance(50);
    expect(fired).toEqual(['a@1000950', 'b@1000950', 'c@1001000']);
  });

  it('never fires a timer early and at most one slot late', async () => {
    const clock = new VirtualClock(1_000_013);
    const timers = new SlotTimers(clock, 50);
    let firedAt = 0;
    timers.setTimeout(() => (firedAt = clock.nowMs()), 100);
    await clock.advance(200);
    expect(firedAt - 1_000_013).toBeGreaterThanOrEqual(100);
    expect(firedAt - 1_000_013).toBeLessThan(150);
  });

  it('drops a cleared timer and the slot timer once its slot is empty', async () => {
    const clock = new VirtualClock(0);
    const timers = new SlotTimers(clock, 50);
    let fired = false;
    const handle = timers.setTimeout(() => (fired = true), 20);
    timers.clearTimeout(handle);
    expect(clock.pendingDelaysMs()).toEqual([]);
    await clock.advance(100);
    expect(fired).toBe(false);
  });
});
