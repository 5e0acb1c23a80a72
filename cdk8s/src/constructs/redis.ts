import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import { labelsFor, selectorLabels, type BuildContext } from '../context.js';
import { NAMES, PORTS, REDIS_PASSWORD_DIR, REDIS_SECRET } from '../names.js';
import { env, hardenedContainer, hardenedPod, scratchVolume } from '../pod.js';
import { AUTOMOUNT_TOKEN, GIDS, REDIS_POLICY, UIDS } from '../security.js';
import { imageRef, type Settings } from '../settings.js';

const DATA_DIR = '/data';
const CONFIG_DIR = '/etc/redis';
const AUTH_DIR = '/run/redis-auth';

/** redis.conf; the password arrives through an included file written at start-up. */
export function redisConf(settings: Settings): string {
  return [
    `port ${PORTS.redis}`,
    'bind * -::*',
    `dir ${DATA_DIR}`,
    `appendonly ${REDIS_POLICY.appendonly}`,
    `appendfsync ${settings.redis.appendfsync}`,
    `maxmemory ${settings.redis.maxmemoryMb}mb`,
    `maxmemory-policy ${REDIS_POLICY.maxmemoryPolicy}`,
    // RDB snapshots on top of AOF only double the disk writes.
    'save ""',
    `include ${AUTH_DIR}/auth.conf`,
    '',
  ].join('\n');
}

// Writes `requirepass` from the mounted Secret into a tmpfs file so the password is never
// in the pod spec, the process arguments or the environment.
const START_SCRIPT = [
  'set -eu',
  `umask 077`,
  `printf 'requirepass "%s"\\n' "$(cat ${REDIS_PASSWORD_DIR}/${REDIS_SECRET.key})" > ${AUTH_DIR}/auth.conf`,
  `exec redis-server ${CONFIG_DIR}/redis.conf`,
].join('\n');

/** Single-replica Redis: StatefulSet with a PVC, AOF on, noeviction, headless Service. */
export class Redis extends Construct {
  constructor(scope: Construct, id: string, ctx: BuildContext) {
    super(scope, id);
    const { settings, values } = ctx;
    const namespace = settings.namespace;
    const labels = labelsFor(NAMES.redis, 'redis');
    const selector = selectorLabels(NAMES.redis, 'redis');

    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name: NAMES.redis, namespace, labels },
      automountServiceAccountToken: AUTOMOUNT_TOKEN.redis,
    });
    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: `${NAMES.redis}-config`, namespace, labels },
      data: { 'redis.conf': redisConf(settings) },
    });
    new k8s.KubeService(this, 'service', {
      metadata: { name: NAMES.redis, namespace, labels },
      spec: {
        clusterIp: 'None',
        selector,
        ports: [
          { name: 'redis', port: PORTS.redis, targetPort: k8s.IntOrString.fromString('redis') },
        ],
      },
    });
    const probe = {
      tcpSocket: { port: k8s.IntOrString.fromString('redis') },
      periodSeconds: 10,
      timeoutSeconds: 2,
    };
    const statefulSet = new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name: NAMES.redis, namespace, labels },
      spec: {
        serviceName: NAMES.redis,
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: hardenedPod({
            serviceAccountName: NAMES.redis,
            automountServiceAccountToken: AUTOMOUNT_TOKEN.redis,
            uid: UIDS.redis,
            gid: GIDS.redis,
            terminationGracePeriodSeconds: 30,
            containers: [
              hardenedContainer({
                name: 'redis',
                image: imageRef(settings.images.redis),
                imagePullPolicy: settings.imagePullPolicy,
                uid: UIDS.redis,
                gid: GIDS.redis,
                resources: settings.redis.resources,
                command: ['sh', '-c', START_SCRIPT],
                env: [env('HOME', DATA_DIR)],
                ports: [{ name: 'redis', containerPort: PORTS.redis }],
                volumeMounts: [
                  { name: 'data', mountPath: DATA_DIR },
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'password', mountPath: REDIS_PASSWORD_DIR, readOnly: true },
                  { name: 'auth', mountPath: AUTH_DIR },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
                livenessProbe: { ...probe, failureThreshold: 6 },
                readinessProbe: { ...probe, failureThreshold: 2 },
              }),
            ],
            volumes: [
              { name: 'config', configMap: { name: `${NAMES.redis}-config` } },
              {
                name: 'password',
                secret: { secretName: REDIS_SECRET.name, defaultMode: 0o440 },
              },
              scratchVolume({ name: 'auth', mountPath: AUTH_DIR, sizeLimit: '1Mi', memory: true }),
              scratchVolume({ name: 'tmp', mountPath: '/tmp', sizeLimit: '16Mi' }),
            ],
          }),
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: settings.redis.storageClassName,
              resources: {
                requests: { storage: k8s.Quantity.fromString(settings.redis.storageSize) },
              },
            },
          },
        ],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      },
    });
    values.bindImage(statefulSet, '/spec/template/spec/containers/0/image', 'redis');
    values.bindValue(statefulSet, '/spec/template/spec/containers/0/resources', 'redis.resources');
    values.bindValue(
      statefulSet,
      '/spec/volumeClaimTemplates/0/spec/resources/requests/storage',
      'redis.storageSize',
    );

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: NAMES.redis, namespace, labels },
      // One replica: a drain must wait for an operator's decision rather than stop the queue.
      spec: { selector: { matchLabels: selector }, maxUnavailable: k8s.IntOrString.fromNumber(0) },
    });
  }
}
