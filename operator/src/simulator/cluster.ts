import type { Job } from './jobs.js';

/** What a controller can see: the queue as a depth reader reports it, and the target. */
export interface ClusterView {
  nowMs: number;
  backlog: number;
  active: number;
  addedTotal: number;
  /** The target's spec.replicas. */
  replicas: number;
  readyPods: number;
}

interface Slot {
  job?: Job;
  busyUntilSeconds: number;
  /** When the slot last became free (or the pod ready). */
  freeSinceSeconds: number;
}

interface Pod {
  createdSeconds: number;
  readySeconds: number;
  slots: Slot[];
  terminating: boolean;
}

export interface ClusterOptions {
  workerConcurrency: number;
  podStartSeconds: number;
}

/**
 * A worker Deployment and its queue, advanced in steps. Pods take jobs once ready, run
 * `workerConcurrency` at a time, and on scale-in stop taking jobs and finish what they run
 * before they go (the worker drains on SIGTERM), so no job is lost in either model.
 */
export class Cluster {
  private readonly queue: Job[] = [];
  private queueHead = 0;
  private pods: Pod[] = [];
  private replicas = 0;
  addedTotal = 0;
  completed = 0;
  workerSeconds = 0;
  readonly latencies: number[] = [];
  lastCompletionSeconds = 0;

  constructor(private readonly options: ClusterOptions) {}

  /** Starts with `replicas` pods already ready at time 0 (a warm deployment). */
  prewarm(replicas: number): void {
    for (let i = 0; i < replicas; i++) this.pods.push(this.newPod(-this.options.podStartSeconds));
    this.replicas = replicas;
  }

  add(jobs: readonly Job[]): void {
    for (const job of jobs) this.queue.push(job);
    this.addedTotal += jobs.length;
  }

  /** Sets spec.replicas like the scale subresource; the ReplicaSet follows at once. */
  scale(replicas: number, nowSeconds: number): void {
    this.replicas = replicas;
    const live = this.pods.filter((p) => !p.terminating);
    for (let i = live.length; i < replicas; i++) this.pods.push(this.newPod(nowSeconds));
    if (live.length > replicas) this.terminate(live, live.length - replicas, nowSeconds);
  }

  /** Runs jobs over [from, to): completions, then starts on free slots, FIFO. */
  advance(fromSeconds: number, toSeconds: number): void {
    for (const pod of this.pods) {
      this.workerSeconds += overlap(pod.createdSeconds, toSeconds, fromSeconds, toSeconds);
      if (pod.readySeconds > toSeconds) continue;
      for (const slot of pod.slots) this.runSlot(pod, slot, toSeconds);
    }
    this.pods = this.pods.filter((p) => !(p.terminating && isIdle(p)));
    this.compactQueue();
  }

  view(nowSeconds: number): ClusterView {
    let active = 0;
    let readyPods = 0;
    for (const pod of this.pods) {
      for (const slot of pod.slots) if (slot.job) active++;
      if (!pod.terminating && pod.readySeconds <= nowSeconds) readyPods++;
    }
    return {
      nowMs: Math.round(nowSeconds * 1000),
      backlog: this.queue.length - this.queueHead,
      active,
      addedTotal: this.addedTotal,
      replicas: this.replicas,
      readyPods,
    };
  }

  get alivePods(): number {
    return this.pods.length;
  }

  get done(): boolean {
    return this.queueHead === this.queue.length && this.pods.every(isIdle);
  }

  private runSlot(pod: Pod, slot: Slot, toSeconds: number): void {
    for (;;) {
      if (slot.job) {
        if (slot.busyUntilSeconds > toSeconds) return;
        this.complete(slot);
      }
      const next = this.queue[this.queueHead];
      if (pod.terminating || !next || next.arrivalSeconds > toSeconds) return;
      this.queueHead++;
      const start = Math.max(slot.freeSinceSeconds, pod.readySeconds, next.arrivalSeconds);
      slot.job = next;
      slot.busyUntilSeconds = start + next.serviceSeconds;
    }
  }

  private complete(slot: Slot): void {
    const job = slot.job;
    if (!job) return;
    this.latencies.push(slot.busyUntilSeconds - job.arrivalSeconds);
    this.completed++;
    this.lastCompletionSeconds = Math.max(this.lastCompletionSeconds, slot.busyUntilSeconds);
    slot.freeSinceSeconds = slot.busyUntilSeconds;
    delete slot.job;
  }

  /**
   * The ReplicaSet's choice of victims: pods not yet ready first, then the most recently
   * started ones. Busy-ness is invisible to it, which is why in-flight work must drain.
   */
  private terminate(live: Pod[], count: number, nowSeconds: number): void {
    const victims = [...live]
      .sort(
        (a, b) =>
          Number(a.readySeconds <= nowSeconds) - Number(b.readySeconds <= nowSeconds) ||
          b.createdSeconds - a.createdSeconds,
      )
      .slice(0, count);
    for (const pod of victims) pod.terminating = true;
  }

  private newPod(createdSeconds: number): Pod {
    const readySeconds = createdSeconds + this.options.podStartSeconds;
    const slots = Array.from({ length: this.options.workerConcurrency }, () => ({
      busyUntilSeconds: readySeconds,
      freeSinceSeconds: readySeconds,
    }));
    return { createdSeconds, readySeconds, slots, terminating: false };
  }

  private compactQueue(): void {
    if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }
}

function isIdle(pod: Pod): boolean {
  return pod.slots.every((s) => !s.job);
}

function overlap(aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  return Math.max(0, Math.min(aEnd, bEnd) - Math.max(aStart, bStart));
}
