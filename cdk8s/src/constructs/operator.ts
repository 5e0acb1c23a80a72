import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import {
  API_VERSION,
  GROUP,
  KIND,
  PLURAL,
  crdManifest,
  type QueueScalerSpecInput,
} from '@printq/crd';
import { labelsFor, selectorLabels, type BuildContext } from '../context.js';
import { NAMES, PORTS, REDIS_SECRET } from '../names.js';
import { env, fieldEnv, hardenedContainer, hardenedPod, httpProbe, scratchVolume } from '../pod.js';
import { AUTOMOUNT_TOKEN, GIDS, SCAN_EXCEPTIONS, UIDS, scanSkipAnnotations } from '../security.js';
import { imageRef } from '../settings.js';

/**
 * The BullMQ queue the worker consumes: QUOTE_QUEUE of @printq/shared (a test checks they
 * are equal). Not imported: @printq/shared loads pino and ioredis, ~0.7 s on every synth.
 */
export const WORKER_QUEUE = 'quotes';

/** Lease the operator replicas elect a leader with. */
export const OPERATOR_LEASE = NAMES.operator;

/** The QueueScaler CRD (from @printq/crd, the single source of its schema). */
export class QueueScalerCrd extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const manifest = crdManifest() as {
      apiVersion: string;
      kind: string;
      metadata: { name: string };
    };
    new ApiObject(this, 'crd', manifest);
  }
}

/**
 * The operator: ServiceAccount, a namespaced Role with only what it reads and writes, a
 * Deployment of two replicas (one acts, elected through a Lease), and the QueueScaler that
 * drives the worker Deployment.
 */
export class Operator extends Construct {
  constructor(scope: Construct, id: string, ctx: BuildContext) {
    super(scope, id);
    const { settings, values } = ctx;
    const namespace = settings.namespace;
    const labels = labelsFor(NAMES.operator, 'operator');
    const selector = selectorLabels(NAMES.operator, 'operator');

    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name: NAMES.operator, namespace, labels },
      automountServiceAccountToken: AUTOMOUNT_TOKEN.operator,
    });
    new k8s.KubeRole(this, 'role', {
      metadata: { name: NAMES.operator, namespace, labels },
      rules: operatorRules(),
    });
    new k8s.KubeRoleBinding(this, 'rolebinding', {
      metadata: { name: NAMES.operator, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAMES.operator },
      subjects: [{ kind: 'ServiceAccount', name: NAMES.operator, namespace }],
    });

    const deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: {
        name: NAMES.operator,
        namespace,
        labels,
        annotations: scanSkipAnnotations([SCAN_EXCEPTIONS.apiserverClient]),
      },
      spec: {
        replicas: settings.operator.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: hardenedPod({
            serviceAccountName: NAMES.operator,
            automountServiceAccountToken: AUTOMOUNT_TOKEN.operator,
            uid: UIDS.printq,
            gid: GIDS.printq,
            terminationGracePeriodSeconds: 15,
            containers: [
              hardenedContainer({
                name: 'operator',
                image: imageRef(settings.images.operator),
                imagePullPolicy: settings.imagePullPolicy,
                uid: UIDS.printq,
                gid: GIDS.printq,
                resources: settings.operator.resources,
                env: [
                  env('METRICS_PORT', PORTS.operatorMetrics),
                  env('NODE_ENV', 'production'),
                  env('LEASE_NAME', OPERATOR_LEASE),
                  fieldEnv('WATCH_NAMESPACE', 'metadata.namespace'),
                  // The Role grants Lease access in this namespace only.
                  fieldEnv('LEASE_NAMESPACE', 'metadata.namespace'),
                  fieldEnv('POD_NAME', 'metadata.name'),
                ],
                ports: [{ name: 'metrics', containerPort: PORTS.operatorMetrics }],
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                livenessProbe: httpProbe('/healthz', 'metrics', { initialDelaySeconds: 5 }),
                readinessProbe: httpProbe('/readyz', 'metrics', { periodSeconds: 5 }),
              }),
            ],
            volumes: [scratchVolume({ name: 'tmp', mountPath: '/tmp', sizeLimit: '16Mi' })],
          }),
        },
      },
    });
    values.bindImage(deployment, '/spec/template/spec/containers/0/image', 'operator');
    values.bindValue(
      deployment,
      '/spec/template/spec/containers/0/resources',
      'operator.resources',
    );

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: NAMES.operator, namespace, labels },
      spec: { selector: { matchLabels: selector }, maxUnavailable: k8s.IntOrString.fromNumber(1) },
    });

    const spec: QueueScalerSpecInput = {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: NAMES.worker },
      queue: {
        type: 'bullmq',
        name: WORKER_QUEUE,
        connection: {
          host: NAMES.redis,
          port: PORTS.redis,
          passwordSecretRef: { name: REDIS_SECRET.name, key: REDIS_SECRET.key },
        },
      },
      minReplicas: settings.worker.minReplicas,
      maxReplicas: settings.worker.maxReplicas,
      targetJobsPerReplica: settings.worker.targetJobsPerReplica,
      workerConcurrency: settings.worker.concurrency,
    };
    const scaler = new ApiObject(this, 'queuescaler', {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: {
        name: NAMES.workerScaler,
        namespace,
        labels: labelsFor(NAMES.workerScaler, 'worker'),
      },
      spec,
    });
    values.bindValue(scaler, '/spec/minReplicas', 'worker.minReplicas');
    values.bindValue(scaler, '/spec/maxReplicas', 'worker.maxReplicas');
  }
}

/**
 * Least privilege: the scalers and their status; Deployments read-only except their scale
 * subresource; Events; its own Lease; and the one Secret the scaler's connection names.
 * Everything is namespaced (a Role, no ClusterRole).
 */
export function operatorRules(): k8s.PolicyRule[] {
  return [
    { apiGroups: [GROUP], resources: [PLURAL], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [GROUP], resources: [`${PLURAL}/status`], verbs: ['patch'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'watch'] },
    { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get', 'patch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    // `create` cannot be limited by name; get/update only touch the operator's own Lease.
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    {
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: [OPERATOR_LEASE],
      verbs: ['get', 'update'],
    },
    { apiGroups: [''], resources: ['secrets'], resourceNames: [REDIS_SECRET.name], verbs: ['get'] },
  ];
}
