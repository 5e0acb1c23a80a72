import { withDefaults, type QueueScaler, type QueueScalerSpecInput } from '@printq/crd';
import type { Logger } from 'pino';
import { ScalerLoop, type ScalerLoopDeps } from './scaler-loop.js';

/**
 * Owns one {@link ScalerLoop} per QueueScaler the informer knows. Loops run only while this
 * replica leads; followers keep the objects so a takeover starts polling at once.
 */
export class ScalerManager {
  private readonly loops = new Map<string, ScalerLoop>();
  private leading = false;

  constructor(
    private readonly deps: ScalerLoopDeps,
    private readonly log: Logger,
  ) {}

  upsert(object: QueueScaler): void {
    const scaler = normalized(object);
    const key = keyOf(scaler);
    const existing = this.loops.get(key);
    if (existing) {
      existing.update(scaler);
      return;
    }
    const loop = new ScalerLoop(scaler, this.deps);
    this.loops.set(key, loop);
    this.log.info({ scaler: key }, 'scaler added');
    if (this.leading) loop.start();
  }

  /** Deletion stops polling; the target keeps whatever replicas it has. */
  remove(object: QueueScaler): void {
    const key = keyOf(object);
    const loop = this.loops.get(key);
    if (!loop) return;
    this.loops.delete(key);
    this.deps.metrics.forgetScaler(key);
    this.log.info({ scaler: key }, 'scaler removed; polling stopped');
    void loop.dispose();
  }

  setLeading(leading: boolean): void {
    this.leading = leading;
    for (const loop of this.loops.values()) {
      if (leading) loop.start();
      else void loop.stop();
    }
  }

  get size(): number {
    return this.loops.size;
  }

  get(key: string): ScalerLoop | undefined {
    return this.loops.get(key);
  }

  /**
   * Loops alive: while leading, every scaler polled within three poll intervals (plus slack
   * for a slow Redis). A follower has nothing to prove.
   */
  loopsAlive(nowMs: number): boolean {
    if (!this.leading) return true;
    for (const loop of this.loops.values()) {
      const last = Math.max(loop.lastPoll?.atMs ?? 0, loop.startedAtMs ?? 0);
      if (nowMs - last > loop.intervalBaseMs * 3 + 10_000) return false;
    }
    return true;
  }

  async stopAll(): Promise<void> {
    this.leading = false;
    await Promise.all([...this.loops.values()].map((loop) => loop.dispose()));
    this.loops.clear();
  }
}

function keyOf(scaler: QueueScaler): string {
  return `${scaler.metadata.namespace ?? 'default'}/${scaler.metadata.name ?? ''}`;
}

/** Fills defaults the apiserver would have, for objects stored under an older CRD. */
function normalized(scaler: QueueScaler): QueueScaler {
  return { ...scaler, spec: withDefaults(scaler.spec as QueueScalerSpecInput) };
}
