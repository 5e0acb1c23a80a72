/** One reading of a queue, taken in a single Redis round trip. */
export interface QueueDepth {
  /** Jobs waiting to be picked up: what more workers would drain. */
  backlog: number;
  /** Jobs a worker holds right now; reported and protected, never counted as backlog. */
  active: number;
  /**
   * Monotonic count of jobs ever added (BullMQ's `id` counter), for arrival-rate
   * measurement. Absent for queue kinds without such a counter.
   */
  addedTotal?: number;
  /** The queue is paused by its owner (BullMQ `meta.paused`). */
  paused?: boolean;
}

/** Reads a queue's depth. Implementations throw {@link MetricError} on failure. */
export interface DepthReader {
  readDepth(): Promise<QueueDepth>;
}
