import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import { labelsFor, selectorLabels, type BuildContext } from '../context.js';
import { NAMES, PORTS } from '../names.js';
import { env, hardenedContainer, hardenedPod, httpProbe, scratchVolume } from '../pod.js';
import { AUTOMOUNT_TOKEN, GIDS, UIDS } from '../security.js';
import { imageRef } from '../settings.js';
import { redisClientEnv, redisPasswordMount, redisPasswordVolume } from './redis-client.js';

/** Seconds the app keeps serving after endpoints are removed (SIGTERM comes after). */
export const APP_PRE_STOP_SECONDS = 5;
/** The app's own drain deadline (SHUTDOWN_GRACE_MS) in seconds. */
export const APP_SHUTDOWN_GRACE_SECONDS = 10;

/**
 * The HTTP API: Deployment, Service, PDB and, when autoscaling is on, an HPA. Replicas are
 * either static in the Deployment or owned by the HPA, never both (the field is absent then).
 */
export class App extends Construct {
  constructor(scope: Construct, id: string, ctx: BuildContext) {
    super(scope, id);
    const { settings, values } = ctx;
    const namespace = settings.namespace;
    const labels = labelsFor(NAMES.app, 'api');
    const selector = selectorLabels(NAMES.app, 'api');
    const autoscaling = settings.app.autoscaling.enabled;

    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name: NAMES.app, namespace, labels },
      automountServiceAccountToken: AUTOMOUNT_TOKEN.app,
    });

    const deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: NAMES.app, namespace, labels },
      spec: {
        replicas: autoscaling ? undefined : settings.app.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromNumber(1),
            maxUnavailable: k8s.IntOrString.fromNumber(0),
          },
        },
        template: {
          metadata: { labels },
          spec: hardenedPod({
            serviceAccountName: NAMES.app,
            automountServiceAccountToken: AUTOMOUNT_TOKEN.app,
            uid: UIDS.printq,
            gid: GIDS.printq,
            terminationGracePeriodSeconds: APP_PRE_STOP_SECONDS + APP_SHUTDOWN_GRACE_SECONDS + 5,
            containers: [
              hardenedContainer({
                name: 'app',
                image: imageRef(settings.images.app),
                imagePullPolicy: settings.imagePullPolicy,
                uid: UIDS.printq,
                gid: GIDS.printq,
                resources: settings.app.resources,
                env: [
                  env('PORT', PORTS.app),
                  env('NODE_ENV', 'production'),
                  env('SHUTDOWN_GRACE_MS', APP_SHUTDOWN_GRACE_SECONDS * 1000),
                  ...redisClientEnv(),
                ],
                ports: [{ name: 'http', containerPort: PORTS.app }],
                volumeMounts: [redisPasswordMount(), { name: 'tmp', mountPath: '/tmp' }],
                startupProbe: httpProbe('/healthz', 'http', {
                  periodSeconds: 2,
                  failureThreshold: 30,
                }),
                livenessProbe: httpProbe('/healthz', 'http'),
                readinessProbe: httpProbe('/readyz', 'http', {
                  periodSeconds: 5,
                  failureThreshold: 2,
                }),
                lifecycle: {
                  preStop: { exec: { command: ['sleep', String(APP_PRE_STOP_SECONDS)] } },
                },
              }),
            ],
            volumes: [
              redisPasswordVolume(),
              // Multipart uploads may spill to disk; sized above the upload limit.
              scratchVolume({ name: 'tmp', mountPath: '/tmp', sizeLimit: '256Mi' }),
            ],
          }),
        },
      },
    });
    values.bindImage(deployment, '/spec/template/spec/containers/0/image', 'app');
    values.bindValue(deployment, '/spec/template/spec/containers/0/resources', 'app.resources');
    if (!autoscaling) values.bindValue(deployment, '/spec/replicas', 'app.replicas');

    new k8s.KubeService(this, 'service', {
      metadata: { name: NAMES.app, namespace, labels },
      spec: {
        selector,
        ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http') }],
      },
    });

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: NAMES.app, namespace, labels },
      spec: { selector: { matchLabels: selector }, maxUnavailable: k8s.IntOrString.fromNumber(1) },
    });

    if (autoscaling) this.addAutoscaler(ctx, labels);
  }

  private addAutoscaler(ctx: BuildContext, labels: Record<string, string>): void {
    const { settings, values } = ctx;
    const hpa = settings.app.autoscaling;
    const autoscaler = new k8s.KubeHorizontalPodAutoscalerV2(this, 'hpa', {
      metadata: { name: NAMES.app, namespace: settings.namespace, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: NAMES.app },
        minReplicas: hpa.minReplicas,
        maxReplicas: hpa.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: hpa.cpuUtilizationPercent },
            },
          },
        ],
      },
    });
    values.bindValue(autoscaler, '/spec/minReplicas', 'app.autoscaling.minReplicas');
    values.bindValue(autoscaler, '/spec/maxReplicas', 'app.autoscaling.maxReplicas');
  }
}
