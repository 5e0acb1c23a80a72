import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import { labelsFor, selectorLabels, type BuildContext } from '../context.js';
import { NAMES, PORTS } from '../names.js';
import { env, hardenedContainer, hardenedPod, httpProbe, scratchVolume } from '../pod.js';
import { AUTOMOUNT_TOKEN, GIDS, UIDS } from '../security.js';
import { imageRef, type Settings } from '../settings.js';
import { redisClientEnv, redisPasswordMount, redisPasswordVolume } from './redis-client.js';

/** Margin between the worker's own drain deadline and the kubelet's SIGKILL. */
export const WORKER_KILL_MARGIN_SECONDS = 15;
/** Margin between the longest job and the worker's drain deadline. */
export const WORKER_DRAIN_MARGIN_SECONDS = 15;
/** Pause before SIGTERM (see the preStop comment). */
export const WORKER_PRE_STOP_SECONDS = 2;

/**
 * Grace period: the longest job, plus time to close connections, plus a margin before
 * SIGKILL. The worker stops taking jobs on SIGTERM and finishes the ones it holds.
 */
export function workerGracePeriodSeconds(settings: Settings): number {
  return (
    WORKER_PRE_STOP_SECONDS +
    settings.worker.longestJobSeconds +
    WORKER_DRAIN_MARGIN_SECONDS +
    WORKER_KILL_MARGIN_SECONDS
  );
}

/**
 * The BullMQ worker. Its Deployment has NO `spec.replicas`: the operator owns that field
 * through the scale subresource, so `printq upgrade` / `helm upgrade` never reset it. The
 * field must be absent from every revision (helm #12650: removing it later sends a null).
 */
export class Worker extends Construct {
  constructor(scope: Construct, id: string, ctx: BuildContext) {
    super(scope, id);
    const { settings, values } = ctx;
    const namespace = settings.namespace;
    const labels = labelsFor(NAMES.worker, 'worker');
    const selector = selectorLabels(NAMES.worker, 'worker');
    const drainDeadlineMs =
      (settings.worker.longestJobSeconds + WORKER_DRAIN_MARGIN_SECONDS) * 1000;

    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name: NAMES.worker, namespace, labels },
      automountServiceAccountToken: AUTOMOUNT_TOKEN.worker,
    });

    const deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: NAMES.worker, namespace, labels },
      spec: {
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromString('25%'),
            maxUnavailable: k8s.IntOrString.fromNumber(0),
          },
        },
        template: {
          metadata: { labels },
          spec: hardenedPod({
            serviceAccountName: NAMES.worker,
            automountServiceAccountToken: AUTOMOUNT_TOKEN.worker,
            uid: UIDS.printq,
            gid: GIDS.printq,
            terminationGracePeriodSeconds: workerGracePeriodSeconds(settings),
            containers: [
              hardenedContainer({
                name: 'worker',
                image: imageRef(settings.images.worker),
                imagePullPolicy: settings.imagePullPolicy,
                uid: UIDS.printq,
                gid: GIDS.printq,
                resources: settings.worker.resources,
                env: [
                  env('METRICS_PORT', PORTS.workerMetrics),
                  env('NODE_ENV', 'production'),
                  env('WORKER_CONCURRENCY', settings.worker.concurrency),
                  env('WORKER_SHUTDOWN_GRACE_MS', drainDeadlineMs),
                  ...redisClientEnv(),
                ],
                ports: [{ name: 'metrics', containerPort: PORTS.workerMetrics }],
                volumeMounts: [redisPasswordMount(), { name: 'tmp', mountPath: '/tmp' }],
                startupProbe: httpProbe('/healthz', 'metrics', {
                  periodSeconds: 2,
                  failureThreshold: 30,
                }),
                livenessProbe: httpProbe('/healthz', 'metrics'),
                readinessProbe: httpProbe('/readyz', 'metrics', { periodSeconds: 5 }),
                // The drain itself runs on SIGTERM within the grace period. This short pause
                // lets a rolling update's replacement register before this pod stops taking jobs.
                lifecycle: {
                  preStop: { exec: { command: ['sleep', String(WORKER_PRE_STOP_SECONDS)] } },
                },
              }),
            ],
            volumes: [redisPasswordVolume(), scratchVolume({ name: 'tmp', mountPath: '/tmp' })],
          }),
        },
      },
    });
    values.bindImage(deployment, '/spec/template/spec/containers/0/image', 'worker');
    values.bindValue(deployment, '/spec/template/spec/containers/0/resources', 'worker.resources');

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: NAMES.worker, namespace, labels },
      // maxUnavailable (not minAvailable) keeps working at 0 replicas.
      spec: { selector: { matchLabels: selector }, maxUnavailable: k8s.IntOrString.fromNumber(1) },
    });
  }
}
