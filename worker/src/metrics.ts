import { decodeFailure } from '@printq/shared';
import type { Job, Worker } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface WorkerMetrics {
  registry: Registry;
}

const DURATION_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Job outcomes and durations, fed by the worker's own events. */
export function createWorkerMetrics(worker: Worker): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'printq_worker_' });
  const completed = new Counter({
    name: 'printq_worker_jobs_completed_total',
    help: 'Jobs finished successfully, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: 'printq_worker_jobs_failed_total',
    help: 'Job attempts that failed, by kind and failure code',
    labelNames: ['kind', 'code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'printq_worker_job_duration_seconds',
    help: 'Processing time per job attempt, by kind',
    labelNames: ['kind'] as const,
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'printq_worker_jobs_in_flight',
    help: 'Jobs being processed by this worker now',
    registers: [registry],
  });
  const observe = (job: Job) => {
    if (job.processedOn && job.finishedOn) {
      duration.observe({ kind: job.name }, (job.finishedOn - job.processedOn) / 1000);
    }
  };
  worker.on('active', () => inFlight.inc());
  worker.on('completed', (job) => {
    inFlight.dec();
    completed.inc({ kind: job.name });
    observe(job);
  });
  worker.on('failed', (job) => {
    inFlight.dec();
    if (!job) return;
    failed.inc({ kind: job.name, code: decodeFailure(job.failedReason ?? '').code });
    observe(job);
  });
  return { registry };
}
