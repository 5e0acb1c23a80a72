import type { Clock, TimerHandle } from '../../src/clock.js';

/** A clock that moves only when the test says so; timers fire in due order on advance(). */
export class VirtualClock implements Clock {
  private now: number;
  private timers: { id: number; dueMs: number; callback: () => void }[] = [];
  private nextId = 1;

  constructor(startMs = Date.parse('2026-12-04T12:00:00Z')) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, dueMs: this.now + Math.max(0, delayMs), callback });
    return { id } as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id?: number }).id;
    this.timers = this.timers.filter((timer) => timer.id !== id);
  }

  /** Delays of the timers pending now, relative to the current time. */
  pendingDelaysMs(): number[] {
    return this.timers.map((timer) => timer.dueMs - this.now);
  }

  /** Moves time forward, firing due timers in order (and letting their promises settle). */
  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      const next = this.timers
        .filter((t) => t.dueMs <= target)
        .sort((a, b) => a.dueMs - b.dueMs)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t.id !== next.id);
      this.now = next.dueMs;
      next.callback();
      await settle();
    }
    this.now = target;
    await settle();
  }
}

/** Lets pending promise chains (including real I/O already answered) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}
