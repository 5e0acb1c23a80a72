import type { Clock, TimerHandle } from '../clock.js';

export type Timers = Pick<Clock, 'setTimeout' | 'clearTimeout'>;

interface SlotEntry extends TimerHandle {
  slotMs: number;
  callback: () => void;
}

/**
 * Timers rounded up to fixed slots, all callbacks of a slot run by one clock timer in one
 * go: the polls due in a slot then start in the same turn of the event loop, so their Redis
 * reads leave in one pipelined write (ioredis auto-pipelining) instead of one write each.
 * A poll starts at most `slotMs` late.
 */
export class SlotTimers implements Timers {
  private readonly slots = new Map<number, { timer: TimerHandle; entries: Set<SlotEntry> }>();

  constructor(
    private readonly clock: Clock,
    /** @default 50 */
    private readonly slotMs = 50,
  ) {}

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const dueMs = this.clock.nowMs() + Math.max(0, delayMs);
    const slotMs = Math.ceil(dueMs / this.slotMs) * this.slotMs;
    const entry: SlotEntry = { slotMs, callback };
    let slot = this.slots.get(slotMs);
    if (!slot) {
      const timer = this.clock.setTimeout(() => this.fire(slotMs), slotMs - this.clock.nowMs());
      slot = { timer, entries: new Set() };
      this.slots.set(slotMs, slot);
    }
    slot.entries.add(entry);
    return entry;
  }

  clearTimeout(handle: TimerHandle): void {
    const entry = handle as SlotEntry;
    const slot = this.slots.get(entry.slotMs);
    if (!slot) return;
    slot.entries.delete(entry);
    if (slot.entries.size === 0) {
      this.clock.clearTimeout(slot.timer);
      this.slots.delete(entry.slotMs);
    }
  }

  private fire(slotMs: number): void {
    const slot = this.slots.get(slotMs);
    this.slots.delete(slotMs);
    for (const entry of slot?.entries ?? []) entry.callback();
  }
}
