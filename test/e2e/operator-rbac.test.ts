import { CoordinationV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { OPERATOR_LEASE, operatorRules } from '../../cdk8s/src/constructs/operator.js';
import { loadOperatorConfig } from '../../operator/src/config.js';
import { Operator } from '../../operator/src/operator.js';
import { Cluster, waitFor } from '../../operator/test/support/cluster.js';
import { describeWithControlPlane, useControlPlane } from '../harness/jest-control-plane.js';
import { RedisServer } from '../helpers/redis.js';

// The operator authenticated as its ServiceAccount with exactly the namespaced Role the
// cdk8s chart grants (operatorRules()), on a real apiserver with RBAC: every call it makes
// (informers, scale, status, Events, Lease, Secret) must be allowed, or this test fails.
const NS = 'printq';
const SA = 'printq-operator';
const SECRET = { name: 'printq-redis', key: 'password' };
const PASSWORD = 'rbac-pass';

describeWithControlPlane('operator under the chart’s least-privilege Role', () => {
  const plane = useControlPlane({ controllers: false });
  let redis: RedisServer;
  let producer: Redis;
  let queue: Queue;
  let operator: Operator | undefined;

  beforeAll(async () => {
    redis = await RedisServer.start({ password: PASSWORD });
    producer = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue('rbac-jobs', { connection: producer });
  });

  afterAll(async () => {
    await operator?.stop();
    await queue?.close();
    producer?.disconnect();
    await redis?.dispose();
  }, 60_000);

  it('scales, writes status and Events and holds its Lease with only the granted rules', async () => {
    const admin = new Cluster(plane().kubeConfig);
    await admin.installCrd();
    await admin.createNamespace(NS);
    await admin.core.createNamespacedServiceAccount({
      namespace: NS,
      body: { metadata: { name: SA } },
    });
    const rbac = plane().kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: NS,
      body: { metadata: { name: SA }, rules: operatorRules() },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: NS,
      body: {
        metadata: { name: SA },
        subjects: [{ kind: 'ServiceAccount', name: SA, namespace: NS }],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: SA },
      },
    });
    await admin.createDeployment(NS, 'printq-worker', 0);
    await admin.createPasswordSecret(NS, SECRET.name, PASSWORD);
    await admin.createScaler(NS, 'printq-worker', {
      scaleTargetRef: { name: 'printq-worker' },
      queue: {
        name: queue.name,
        connection: { host: redis.host, port: redis.port, passwordSecretRef: SECRET },
      },
      maxReplicas: 5,
      targetJobsPerReplica: 2,
      pollIntervalSeconds: 0.5,
    });

    const serviceAccount = new KubeConfig();
    serviceAccount.loadFromFile(await plane().serviceAccountKubeconfig(NS, SA));
    operator = new Operator({
      config: loadOperatorConfig({
        METRICS_PORT: '0',
        WATCH_NAMESPACE: NS,
        LEASE_NAMESPACE: NS,
        LEASE_NAME: OPERATOR_LEASE,
        POD_NAME: 'printq-operator-0',
      }),
      kubeConfig: serviceAccount,
      log: pino({ level: 'silent' }),
    });
    await operator.start();

    await queue.addBulk(Array.from({ length: 6 }, (_, i) => ({ name: 'j', data: { i } })));
    await admin.waitForReplicas(NS, 'printq-worker', 3);
    await waitFor(
      async () => (await admin.getScaler(NS, 'printq-worker')).status?.desiredReplicas === 3,
      'status written',
    );
    const scaler = await admin.getScaler(NS, 'printq-worker');
    const metric = scaler.status?.conditions?.find((c) => c.type === 'MetricAvailable');
    expect(metric).toMatchObject({ status: 'True', reason: 'QueueRead' });
    const events = await admin.events(NS, 'printq-worker');
    expect(events.some((e) => e.reason === 'Activated')).toBe(true);
    const lease = await plane()
      .kubeConfig.makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace: NS, name: OPERATOR_LEASE });
    expect(lease.spec?.holderIdentity).toBe('printq-operator-0');
    expect(operator.readiness().ok).toBe(true);
  }, 120_000);
});
