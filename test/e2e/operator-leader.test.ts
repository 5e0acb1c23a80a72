import { CoordinationV1Api } from '@kubernetes/client-node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Cluster, waitFor } from '../../operator/test/support/cluster.js';
import { OperatorProcess } from '../../operator/test/support/operator-process.js';
import { describeWithControlPlane, useControlPlane } from '../harness/jest-control-plane.js';
import { RedisServer } from '../helpers/redis.js';

// Two real operator processes against a real kube-apiserver and a real Redis: leader
// election on a coordination.k8s.io Lease, one acting replica, takeover after SIGKILL.
const NS = 'leader-test';
const LEASE = 'printq-operator';

describeWithControlPlane('operator leader election on a Lease', () => {
  const plane = useControlPlane({ controllers: false });
  let cluster: Cluster;
  let redis: RedisServer;
  let producer: Redis;
  let queue: Queue;
  const operators: OperatorProcess[] = [];

  beforeAll(async () => {
    cluster = new Cluster(plane().kubeConfig);
    await cluster.installCrd();
    redis = await RedisServer.start();
    producer = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue('leader-jobs', { connection: producer });
    await cluster.createNamespace(NS);
    await cluster.createDeployment(NS, 'worker', 0);
    await cluster.createScaler(NS, 'worker', {
      scaleTargetRef: { name: 'worker' },
      queue: { name: queue.name, connection: { host: redis.host, port: redis.port } },
      maxReplicas: 20,
      targetJobsPerReplica: 1,
      pollIntervalSeconds: 0.5,
      behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(operators.map((operator) => operator.dispose()));
    await queue?.close();
    producer?.disconnect();
    await redis?.dispose();
  }, 60_000);

  async function holder(): Promise<string | undefined> {
    const api = plane().kubeConfig.makeApiClient(CoordinationV1Api);
    const lease = await api.readNamespacedLease({ namespace: NS, name: LEASE });
    return lease.spec?.holderIdentity ?? undefined;
  }

  async function launch(name: string): Promise<OperatorProcess> {
    const operator = await OperatorProcess.start(name, {
      KUBECONFIG: plane().kubeconfigPath,
      LEASE_NAMESPACE: NS,
      LEASE_NAME: LEASE,
      LOG_LEVEL: 'info',
    });
    operators.push(operator);
    return operator;
  }

  async function addJobs(count: number): Promise<void> {
    await queue.addBulk(Array.from({ length: count }, (_, i) => ({ name: 'j', data: { i } })));
  }

  it('lets exactly one of two replicas act, and the other take over within 15 s of a SIGKILL', async () => {
    const first = await launch('operator-a');
    await waitFor(async () => (await first.leaderGauge()) === 1, 'operator-a leads', 60_000);
    const second = await launch('operator-b');
    await waitFor(async () => (await second.leaderGauge()) === 0, 'operator-b follows', 60_000);
    expect(await holder()).toBe('operator-a');

    await addJobs(4);
    await cluster.waitForReplicas(NS, 'worker', 4, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(first.logged('scaled').length).toBeGreaterThan(0);
    expect(second.logged('scaled')).toEqual([]);
    expect(second.logged('became leader')).toEqual([]);

    first.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      async () => (await holder()) === 'operator-b',
      'operator-b takes the Lease',
      30_000,
    );
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThanOrEqual(15_500);
    expect(await second.leaderGauge()).toBe(1);

    await addJobs(3);
    await cluster.waitForReplicas(NS, 'worker', 7, 30_000);
    expect(second.logged('scaled').length).toBeGreaterThan(0);
  }, 150_000);

  it('releases the Lease on SIGTERM so a peer takes over at once', async () => {
    const current = operators.find((o) => o.name === 'operator-b');
    if (!current) throw new Error('operator-b missing');
    const third = await launch('operator-c');
    await waitFor(async () => (await third.leaderGauge()) === 0, 'operator-c follows', 60_000);
    current.kill('SIGTERM');
    const stoppedAt = Date.now();
    expect(await current.waitForExit()).toBe(0);
    expect(current.logged('lease released').length).toBe(1);
    await waitFor(
      async () => (await holder()) === 'operator-c',
      'operator-c takes the Lease',
      30_000,
    );
    // Released, not expired: the follower's next retry (2 s) picks it up.
    expect(Date.now() - stoppedAt).toBeLessThan(8_000);
  }, 120_000);
});
