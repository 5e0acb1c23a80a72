import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';
import { QUEUE_FAILURE_REASONS } from './queue-failures.js';

export interface AppMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  requestDuration: Histogram<'method' | 'route'>;
  enqueueFailures: Counter<'reason'>;
  jobsEnqueued: Counter<'kind'>;
}

const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** A scrape must never wait on Redis for long; the gauge keeps its last value instead. */
const QUEUE_DEPTH_TIMEOUT_MS = 250;

/** One registry per app instance, so several apps (tests) never share counters. */
export function createAppMetrics(queue: Queue): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'printq_app_' });
  const enqueueFailures = new Counter({
    name: 'printq_app_enqueue_failures_total',
    help: 'Enqueues and status reads answered 503 because Redis failed, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of QUEUE_FAILURE_REASONS) enqueueFailures.inc({ reason }, 0);
  new Gauge({
    name: 'printq_app_queue_depth',
    help: 'Jobs waiting in the quote queue (wait + prioritized), read at scrape time',
    registers: [registry],
    async collect() {
      const counts = await readDepth(queue);
      if (counts !== undefined) this.set(counts);
    },
  });
  return {
    registry,
    enqueueFailures,
    requests: new Counter({
      name: 'printq_app_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'printq_app_http_request_duration_seconds',
      help: 'HTTP request latency by method and route',
      labelNames: ['method', 'route'] as const,
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [registry],
    }),
    jobsEnqueued: new Counter({
      name: 'printq_app_jobs_enqueued_total',
      help: 'Jobs added to the queue by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
  };
}

async function readDepth(queue: Queue): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), QUEUE_DEPTH_TIMEOUT_MS);
  });
  const counts = queue
    .getJobCounts('wait', 'prioritized')
    .then((c) => (c.wait ?? 0) + (c.prioritized ?? 0))
    .catch(() => undefined);
  try {
    return await Promise.race([counts, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
