import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadOperatorConfig } from '../../operator/src/config.js';
import { Operator } from '../../operator/src/operator.js';
import { Cluster, waitFor } from '../../operator/test/support/cluster.js';
import { describeWithControlPlane, useControlPlane } from '../harness/jest-control-plane.js';
import { RedisServer } from '../helpers/redis.js';

// The operator in-process against a real kube-apiserver + etcd (test/harness) and a real
// redis-server with real BullMQ queues. No kubelet runs, so Deployments get no pods; their
// scale subresource (what the operator drives) works as in any cluster.
const PASSWORD = 'queue-pass';
const POLL_SECONDS = 0.5;

describeWithControlPlane('QueueScaler operator against a real apiserver', () => {
  const plane = useControlPlane({ controllers: false });
  let cluster: Cluster;
  let redis: RedisServer;
  let producer: Redis;
  let operator: Operator;
  let counter = 0;
  const queues: Queue[] = [];

  beforeAll(async () => {
    cluster = new Cluster(plane().kubeConfig);
    await cluster.installCrd();
    redis = await RedisServer.start({ password: PASSWORD });
    producer = new Redis(redis.url, { maxRetriesPerRequest: null });
    operator = new Operator({
      config: loadOperatorConfig({
        METRICS_PORT: '0',
        POD_NAME: 'operator-under-test',
        LEASE_NAMESPACE: 'default',
      }),
      kubeConfig: plane().kubeConfig,
      log: pino({ level: 'silent' }),
    });
    await operator.start();
    await waitFor(() => operator.elector.isLeader, 'operator leads');
  }, 180_000);

  afterAll(async () => {
    await operator?.stop();
    await Promise.all(queues.map((queue) => queue.close()));
    producer?.disconnect();
    await redis?.dispose();
  }, 60_000);

  /** A fresh namespace with a Deployment, the Redis Secret and a QueueScaler on a new queue. */
  async function scenario(
    replicas: number,
    spec: Record<string, unknown> = {},
    annotations: Record<string, string> = {},
  ): Promise<{ ns: string; queue: Queue }> {
    counter += 1;
    const ns = `scale-${counter}`;
    const queue = new Queue(`jobs-${counter}`, { connection: producer });
    queue.on('error', () => undefined); // the Redis outage test makes producers complain
    queues.push(queue);
    await cluster.createNamespace(ns);
    await cluster.createDeployment(ns, 'worker', replicas);
    await cluster.createPasswordSecret(ns, 'redis', PASSWORD);
    await cluster.createScaler(
      ns,
      'worker',
      {
        scaleTargetRef: { name: 'worker' },
        queue: {
          type: 'bullmq',
          name: queue.name,
          connection: {
            host: redis.host,
            port: redis.port,
            passwordSecretRef: { name: 'redis', key: 'password' },
          },
        },
        minReplicas: 0,
        maxReplicas: 10,
        targetJobsPerReplica: 5,
        pollIntervalSeconds: POLL_SECONDS,
        behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
        ...spec,
      },
      annotations,
    );
    return { ns, queue };
  }

  async function addJobs(queue: Queue, count: number): Promise<void> {
    await queue.addBulk(Array.from({ length: count }, (_, i) => ({ name: 'quote', data: { i } })));
  }

  function condition(
    scaler: Awaited<ReturnType<Cluster['getScaler']>>,
    type: string,
  ): { status: string; reason: string; message: string } | undefined {
    return scaler.status?.conditions?.find((c) => c.type === type);
  }

  it('scales a Deployment up with BullMQ backlog and back to zero when workers drain it', async () => {
    const { ns, queue } = await scenario(0);
    await addJobs(queue, 23);
    await cluster.waitForReplicas(ns, 'worker', 5);

    await waitFor(
      async () => (await cluster.getScaler(ns, 'worker')).status?.queueDepth === 23,
      'status depth',
    );
    const scaled = await cluster.getScaler(ns, 'worker');
    expect(scaled.status).toMatchObject({ desiredReplicas: 5, currentReplicas: 5, queueDepth: 23 });
    expect(scaled.status?.observedGeneration).toBe(scaled.metadata.generation);
    expect(scaled.status?.lastScaleTime).toBeDefined();
    expect(condition(scaled, 'Ready')).toMatchObject({ status: 'True', reason: 'Reconciled' });
    expect(condition(scaled, 'MetricAvailable')).toMatchObject({
      status: 'True',
      reason: 'QueueRead',
    });
    expect(condition(scaled, 'Active')?.status).toBe('True');
    const events = await cluster.events(ns, 'worker');
    const scaleEvent = events.find((e) =>
      /Scaled Deployment worker from 0 to 5/.test(e.message ?? ''),
    );
    expect(scaleEvent).toMatchObject({ type: 'Normal', reason: 'Activated' });

    const worker = new Worker(queue.name, async () => 'done', {
      connection: new Redis(redis.url, { maxRetriesPerRequest: null }),
      concurrency: 8,
    });
    try {
      await cluster.waitForReplicas(ns, 'worker', 0, 30_000);
    } finally {
      await worker.close();
      await worker.disconnect();
    }
    const drained = await cluster.getScaler(ns, 'worker');
    expect(drained.status).toMatchObject({ queueDepth: 0, desiredReplicas: 0, currentReplicas: 0 });
    const messages = (await cluster.events(ns, 'worker')).map((e) => e.message ?? '');
    expect(messages.some((m) => /from \d+ to 0/.test(m))).toBe(true);
  });

  it('counts prioritized jobs, so a queue of only prioritized jobs still scales up', async () => {
    const { ns, queue } = await scenario(0);
    await queue.addBulk(
      Array.from({ length: 12 }, (_, i) => ({ name: 'quote', data: { i }, opts: { priority: 3 } })),
    );
    await cluster.waitForReplicas(ns, 'worker', 3);
  });

  it('patches spec.replicas only through the scale subresource, as field manager printq-operator', async () => {
    const { ns, queue } = await scenario(1);
    await addJobs(queue, 12);
    await cluster.waitForReplicas(ns, 'worker', 3);
    const deployment = await cluster.apps.readNamespacedDeployment({
      namespace: ns,
      name: 'worker',
    });
    const ours = (deployment.metadata?.managedFields ?? [])
      .filter((entry) => entry.manager === 'printq-operator')
      .map((entry) => ({
        subresource: entry.subresource,
        fields: JSON.stringify(entry.fieldsV1),
      }));
    // Every write of the operator went through /scale and touched replicas only.
    expect(ours).toEqual([{ subresource: 'scale', fields: '{"f:spec":{"f:replicas":{}}}' }]);
  });

  it('holds replicas when Redis goes down, reports why, and follows the queue again after', async () => {
    const { ns, queue } = await scenario(0);
    await addJobs(queue, 10);
    await cluster.waitForReplicas(ns, 'worker', 2);
    await redis.stop();
    try {
      await waitFor(async () => {
        const scaler = await cluster.getScaler(ns, 'worker');
        return condition(scaler, 'MetricAvailable')?.reason === 'RedisConnectionRefused';
      }, 'MetricAvailable=False RedisConnectionRefused');
      const scaler = await cluster.getScaler(ns, 'worker');
      expect(condition(scaler, 'MetricAvailable')).toMatchObject({ status: 'False' });
      expect(condition(scaler, 'MetricAvailable')?.message).toMatch(/ECONNREFUSED/);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(await cluster.replicas(ns, 'worker')).toBe(2);
      const warnings = (await cluster.events(ns, 'worker')).filter((e) => e.type === 'Warning');
      expect(warnings.map((e) => e.reason)).toContain('RedisConnectionRefused');
    } finally {
      await redis.start();
    }
    // The test Redis keeps no data across a restart, so the queue starts over empty.
    await addJobs(queue, 15);
    await cluster.waitForReplicas(ns, 'worker', 3);
  });

  it('applies fallbackReplicas from zero replicas when the queue cannot be read', async () => {
    const { ns } = await scenario(0, {
      fallbackReplicas: 2,
      fallbackAfterFailures: 1,
      queue: {
        type: 'bullmq',
        name: 'unreachable',
        connection: {
          host: '127.0.0.1',
          port: 1,
          passwordSecretRef: { name: 'redis', key: 'password' },
        },
      },
    });
    await cluster.waitForReplicas(ns, 'worker', 2);
    const scaler = await cluster.getScaler(ns, 'worker');
    expect(condition(scaler, 'MetricAvailable')).toMatchObject({
      status: 'False',
      reason: 'RedisConnectionRefused',
    });
  });

  it('reports a wrong password in the Secret as MetricAvailable=False RedisAuthFailed', async () => {
    const { ns } = await scenario(1, {
      queue: {
        type: 'bullmq',
        name: 'any',
        connection: {
          host: redis.host,
          port: redis.port,
          passwordSecretRef: { name: 'wrong', key: 'password' },
        },
      },
    });
    await cluster.createPasswordSecret(ns, 'wrong', 'not-the-password');
    await waitFor(async () => {
      const scaler = await cluster.getScaler(ns, 'worker');
      return condition(scaler, 'MetricAvailable')?.reason === 'RedisAuthFailed';
    }, 'RedisAuthFailed condition');
    const scaler = await cluster.getScaler(ns, 'worker');
    expect(condition(scaler, 'MetricAvailable')?.message).toMatch(/rejected the credentials/);
    expect(await cluster.replicas(ns, 'worker')).toBe(1);
  });

  it('keeps a human kubectl scale while paused by annotation, and resumes when unpaused', async () => {
    const { ns, queue } = await scenario(0, {}, { 'printq.dev/paused': 'true' });
    await addJobs(queue, 20);
    await waitFor(async () => {
      const scaler = await cluster.getScaler(ns, 'worker');
      return condition(scaler, 'ScalingLimited')?.reason === 'Paused';
    }, 'paused status');
    await cluster.scaleByHand(ns, 'worker', 7);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await cluster.replicas(ns, 'worker')).toBe(7);

    await cluster.patchScaler(ns, 'worker', {
      metadata: { annotations: { 'printq.dev/paused': null } },
    });
    await cluster.waitForReplicas(ns, 'worker', 4);
  });

  it('keeps a human change while spec.paused is true', async () => {
    const { ns, queue } = await scenario(2, { paused: true });
    await addJobs(queue, 40);
    await cluster.scaleByHand(ns, 'worker', 1);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await cluster.replicas(ns, 'worker')).toBe(1);
  });

  it('stops polling when the QueueScaler is deleted and leaves the replicas as they are', async () => {
    const { ns, queue } = await scenario(0);
    await addJobs(queue, 15);
    await cluster.waitForReplicas(ns, 'worker', 3);
    await cluster.deleteScaler(ns, 'worker');
    await waitFor(() => operator.manager.get(`${ns}/worker`) === undefined, 'loop removed');
    await addJobs(queue, 30);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await cluster.replicas(ns, 'worker')).toBe(3);
  });

  it('recovers after the apiserver restarts and scales on new jobs', async () => {
    const { ns, queue } = await scenario(0);
    await addJobs(queue, 5);
    await cluster.waitForReplicas(ns, 'worker', 1);
    await plane().restartApiserver();
    await addJobs(queue, 10);
    await cluster.waitForReplicas(ns, 'worker', 3, 60_000);
    // And the informers came back: a new scaler created after the restart is picked up.
    const second = await scenario(0);
    await addJobs(second.queue, 6);
    await cluster.waitForReplicas(second.ns, 'worker', 2, 60_000);
  }, 120_000);

  it('serves metrics and health', async () => {
    const base = `http://127.0.0.1:${operator.port}`;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/printq_scaler_queue_depth\{scaler="scale-1\/worker"\}/);
    expect(metrics).toMatch(/printq_operator_leader 1/);
    expect(metrics).toMatch(/printq_scaler_errors_total\{reason="RedisConnectionRefused"\} [1-9]/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});
