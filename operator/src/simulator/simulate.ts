import { Cluster } from './cluster.js';
import type { Controller } from './controllers.js';
import type { Job } from './jobs.js';
import type { Trace } from './trace.js';

/** Once the trace is over, wait this long at most for the last jobs to finish. */
const MAX_OVERRUN_SECONDS = 3600;

/** One point per simulated second. */
export interface Sample {
  t: number;
  backlog: number;
  active: number;
  /** spec.replicas set by the controller. */
  replicas: number;
  /** Pods that exist (starting, ready or draining). */
  pods: number;
  readyPods: number;
}

export interface Summary {
  jobs: number;
  completed: number;
  /** First arrival → last job done, seconds. */
  drainSeconds: number;
  /** Pod-seconds from creation to exit (starting and draining pods included). */
  workerSeconds: number;
  p50LatencySeconds: number;
  p95LatencySeconds: number;
  maxLatencySeconds: number;
  /** Times spec.replicas changed. */
  replicaChanges: number;
  peakReplicas: number;
  peakPods: number;
  /** First arrival → first scale-up (null when it never scaled up). */
  firstScaleUpSeconds: number | null;
  /** First arrival → replicas reach their peak. */
  timeToPeakSeconds: number | null;
  simulatedSeconds: number;
}

export interface SimulationResult {
  controller: string;
  label: string;
  samples: Sample[];
  summary: Summary;
}

/** Replays `jobs` through one controller on a fresh cluster; pure and deterministic. */
export function simulate(trace: Trace, jobs: readonly Job[], controller: Controller) {
  const { stepSeconds, durationSeconds } = trace;
  const cluster = new Cluster(trace.workload);
  cluster.prewarm(controller.initialReplicas);
  const samples: Sample[] = [];
  const changes: { t: number; replicas: number }[] = [];
  let nextJob = 0;
  let replicas = controller.initialReplicas;
  const lastStep = Math.ceil((durationSeconds + MAX_OVERRUN_SECONDS) / stepSeconds);

  for (let step = 0; step < lastStep; step++) {
    const from = step * stepSeconds;
    const to = (step + 1) * stepSeconds;
    const arriving: Job[] = [];
    while (nextJob < jobs.length && (jobs[nextJob] as Job).arrivalSeconds < to) {
      arriving.push(jobs[nextJob++] as Job);
    }
    cluster.add(arriving);
    cluster.advance(from, to);

    const desired = controller.tick(cluster.view(to));
    if (desired !== replicas) {
      cluster.scale(desired, to);
      changes.push({ t: to, replicas: desired });
      replicas = desired;
    }
    if (isWholeSecond(to, stepSeconds)) samples.push(sample(cluster, to));
    if (to >= durationSeconds && nextJob === jobs.length && cluster.done) break;
  }
  return {
    controller: controller.name,
    label: controller.label,
    samples,
    summary: summarize(cluster, jobs, samples, changes, controller.initialReplicas),
  } satisfies SimulationResult;
}

function isWholeSecond(t: number, stepSeconds: number): boolean {
  return Math.abs(t - Math.round(t)) < stepSeconds / 2;
}

function sample(cluster: Cluster, t: number): Sample {
  const view = cluster.view(t);
  return {
    t: Math.round(t),
    backlog: view.backlog,
    active: view.active,
    replicas: view.replicas,
    pods: cluster.alivePods,
    readyPods: view.readyPods,
  };
}

function summarize(
  cluster: Cluster,
  jobs: readonly Job[],
  samples: readonly Sample[],
  changes: readonly { t: number; replicas: number }[],
  initialReplicas: number,
): Summary {
  const latencies = [...cluster.latencies].sort((a, b) => a - b);
  const firstArrival = jobs[0]?.arrivalSeconds ?? 0;
  const peakReplicas = changes.reduce((m, c) => Math.max(m, c.replicas), initialReplicas);
  const firstUp = changes.find(
    (c, i) => c.t >= firstArrival && c.replicas > (changes[i - 1]?.replicas ?? initialReplicas),
  );
  const peakAt = changes.find((c) => c.replicas === peakReplicas && c.t >= firstArrival);
  return {
    jobs: jobs.length,
    completed: cluster.completed,
    drainSeconds: jobs.length ? cluster.lastCompletionSeconds - firstArrival : 0,
    workerSeconds: cluster.workerSeconds,
    p50LatencySeconds: quantile(latencies, 0.5),
    p95LatencySeconds: quantile(latencies, 0.95),
    maxLatencySeconds: latencies.at(-1) ?? 0,
    replicaChanges: changes.length,
    peakReplicas,
    peakPods: samples.reduce((m, s) => Math.max(m, s.pods), 0),
    firstScaleUpSeconds: firstUp ? firstUp.t - firstArrival : null,
    timeToPeakSeconds: peakAt ? peakAt.t - firstArrival : null,
    simulatedSeconds: samples.at(-1)?.t ?? 0,
  };
}

/** Nearest-rank quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}
