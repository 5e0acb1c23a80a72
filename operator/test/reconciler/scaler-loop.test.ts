import type { V1Secret } from '@kubernetes/client-node';
import {
  API_VERSION,
  KIND,
  withDefaults,
  type QueueScaler,
  type QueueScalerSpecInput,
  type QueueScalerStatus,
} from '@printq/crd';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { RedisServer } from '../../../test/helpers/redis.js';
import { ErrorReason, KubeError } from '../../src/errors.js';
import type { ObjectRef, ScaleReading } from '../../src/kube/api.js';
import { OperatorMetrics } from '../../src/metrics.js';
import { RedisConnectionCache } from '../../src/queues/connection.js';
import { ScalerLoop, type KubeCalls } from '../../src/reconciler/scaler-loop.js';
import { VirtualClock } from '../support/virtual-clock.js';

// Real Redis and real BullMQ queues; the Kubernetes side is a recording stand-in so each
// poll's writes can be inspected one by one on virtual time. The same loop runs against a
// real apiserver in test/e2e/operator-scaling.test.ts.
const PASSWORD = 'pw';
let redis: RedisServer;
let producer: Redis;
let connections: RedisConnectionCache;
let queueCounter = 0;

beforeAll(async () => {
  redis = await RedisServer.start({ password: PASSWORD });
  producer = new Redis(redis.url, { maxRetriesPerRequest: null });
  connections = new RedisConnectionCache();
});

afterAll(async () => {
  await connections.closeAll();
  producer.disconnect();
  await redis.dispose();
});

class RecordingKube implements KubeCalls {
  /** What the scale subresource holds (the truth). */
  replicas: number;
  patches: number[] = [];
  statuses: QueueScalerStatus[] = [];
  events: { type: string; reason: string; message: string }[] = [];
  patchFailure: Error | undefined;
  secretReads = 0;

  constructor(replicas: number) {
    this.replicas = replicas;
  }

  async readDeploymentScale(): Promise<ScaleReading> {
    return { replicas: this.replicas };
  }

  async patchDeploymentScale(_ns: string, _name: string, replicas: number): Promise<ScaleReading> {
    if (this.patchFailure) throw this.patchFailure;
    this.patches.push(replicas);
    this.replicas = replicas;
    return { replicas };
  }

  async patchQueueScalerStatus(_ns: string, _name: string, status: QueueScalerStatus) {
    this.statuses.push(status);
  }

  async recordEvent(_ref: ObjectRef, type: string, reason: string, message: string) {
    this.events.push({ type, reason, message });
  }

  async readSecret(): Promise<V1Secret> {
    this.secretReads += 1;
    return { data: { password: Buffer.from(PASSWORD).toString('base64') } };
  }
}

interface Fixture {
  loop: ScalerLoop;
  kube: RecordingKube;
  queue: Queue;
  clock: VirtualClock;
  metrics: OperatorMetrics;
  /** What the Deployment informer's cache says; may lag the scale subresource. */
  cache: { replicas: number | undefined };
}

function fixture(replicas: number, spec: Partial<QueueScalerSpecInput> = {}): Fixture {
  queueCounter += 1;
  const queue = new Queue(`loop-${queueCounter}`, { connection: producer });
  const kube = new RecordingKube(replicas);
  const clock = new VirtualClock();
  const metrics = new OperatorMetrics({ defaultMetrics: false });
  const cache = { replicas: replicas as number | undefined };
  const scaler: QueueScaler = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: 'worker', namespace: 'ns', generation: 1, uid: 'u1' },
    spec: withDefaults({
      scaleTargetRef: { name: 'worker' },
      queue: {
        name: queue.name,
        connection: {
          host: redis.host,
          port: redis.port,
          passwordSecretRef: { name: 'redis', key: 'password' },
        },
      },
      maxReplicas: 10,
      targetJobsPerReplica: 5,
      behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
      ...spec,
    }),
  };
  const loop = new ScalerLoop(scaler, {
    kube,
    targets: { replicasOf: () => cache.replicas },
    connections,
    metrics,
    clock,
    log: pino({ level: 'silent' }),
    random: () => 0.5,
  });
  return { loop, kube, queue, clock, metrics, cache };
}

async function addJobs(queue: Queue, count: number): Promise<void> {
  await queue.addBulk(Array.from({ length: count }, (_, i) => ({ name: 'j', data: { i } })));
}

describe('ScalerLoop', () => {
  it('patches the target once when the desired count changes and not again while it holds', async () => {
    const { loop, kube, queue } = fixture(0);
    await addJobs(queue, 12);
    await loop.poll();
    expect(kube.patches).toEqual([3]);
    await loop.poll();
    await loop.poll();
    expect(kube.patches).toEqual([3]);
  });

  it('records a Normal scale Event naming the Deployment, the change and the reason', async () => {
    const { loop, kube, queue } = fixture(0);
    await addJobs(queue, 6);
    await loop.poll();
    expect(kube.events).toContainEqual(
      expect.objectContaining({
        type: 'Normal',
        reason: 'Activated',
        message: expect.stringMatching(/^Scaled Deployment worker from 0 to 2: /),
      }),
    );
  });

  it('writes status only when it changes and keeps lastTransitionTime until a flip', async () => {
    const { loop, kube, queue, clock } = fixture(1);
    await addJobs(queue, 4);
    await loop.poll();
    expect(kube.statuses).toHaveLength(1);
    const first = kube.statuses[0];
    expect(first).toMatchObject({ queueDepth: 4, desiredReplicas: 1, currentReplicas: 1 });
    expect(first?.observedGeneration).toBe(1);
    await clock.advance(1000);
    await loop.poll();
    expect(kube.statuses).toHaveLength(1);

    await clock.advance(1000);
    await redis.stop();
    try {
      await loop.poll();
    } finally {
      await redis.start();
    }
    const failed = kube.statuses.at(-1);
    const metric = failed?.conditions?.find((c) => c.type === 'MetricAvailable');
    expect(metric).toMatchObject({ status: 'False', reason: 'RedisConnectionRefused' });
    expect(metric?.lastTransitionTime).toBe(new Date(clock.nowMs()).toISOString());
    const ready = failed?.conditions?.find((c) => c.type === 'Ready');
    const firstReady = first?.conditions?.find((c) => c.type === 'Ready');
    expect(ready?.lastTransitionTime).toBe(firstReady?.lastTransitionTime);
    expect(kube.events.at(-1)).toMatchObject({ type: 'Warning', reason: 'RedisConnectionRefused' });
    expect(kube.patches).toEqual([]);
  });

  it('decides on the scale subresource when the informer cache lags a human change', async () => {
    const { loop, kube, queue, cache } = fixture(2);
    kube.replicas = 6; // someone ran `kubectl scale --replicas=6`; the cache still says 2
    await addJobs(queue, 20); // wants 4
    const result = await loop.poll();
    expect(result.currentReplicas).toBe(4);
    expect(kube.events.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/^Scaled Deployment worker from 6 to 4/),
    );
    expect(cache.replicas).toBe(2);
  });

  it('reports a failed scale as Ready=False ScaleFailed and retries on the next poll', async () => {
    const { loop, kube, queue, metrics } = fixture(0);
    await addJobs(queue, 5);
    kube.patchFailure = new KubeError(ErrorReason.ScaleFailed, 'scale: 500 etcd down', true);
    const failed = await loop.poll();
    expect(failed.ready).toMatchObject({ status: 'False', reason: 'ScaleFailed' });
    expect(kube.statuses.at(-1)?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    const errors = await metrics.errors.get();
    expect(errors.values.find((v) => v.labels.reason === 'ScaleFailed')?.value).toBe(1);
    kube.patchFailure = undefined;
    await loop.poll();
    expect(kube.patches).toEqual([1]);
  });

  it('leaves replicas alone while paused, even with backlog', async () => {
    const { loop, kube, queue } = fixture(3, { paused: true });
    await addJobs(queue, 40);
    await loop.poll();
    expect(kube.patches).toEqual([]);
    expect(
      kube.statuses.at(-1)?.conditions?.find((c) => c.type === 'ScalingLimited'),
    ).toMatchObject({ reason: 'Paused' });
  });

  it('reports a missing target as Ready=False TargetNotFound without deciding', async () => {
    const { loop, kube, queue, cache } = fixture(0);
    cache.replicas = undefined;
    kube.readDeploymentScale = async () => {
      throw new KubeError(ErrorReason.TargetNotFound, 'Deployment ns/worker: not found', false);
    };
    await addJobs(queue, 10);
    const result = await loop.poll();
    expect(result.ready).toMatchObject({ status: 'False', reason: 'TargetNotFound' });
    expect(result.decision).toBeUndefined();
    expect(kube.statuses.at(-1)).toMatchObject({ queueDepth: 10 });
  });

  it('polls at the spec interval with bounded jitter once started, and stops on stop()', async () => {
    const { loop, clock } = fixture(0, { pollIntervalSeconds: 2 });
    loop.start();
    await clock.advance(0);
    // Each poll does real Redis I/O: wait until it finished and scheduled the next one.
    const nextScheduled = (polls: number) => () =>
      loop.polls === polls && clock.pendingDelaysMs().length === 1;
    await waitUntil(nextScheduled(1));
    for (let i = 2; i <= 4; i += 1) {
      await clock.advance(2000);
      await waitUntil(nextScheduled(i));
    }
    const [delay] = clock.pendingDelaysMs();
    expect(delay).toBeGreaterThanOrEqual(1800);
    expect(delay).toBeLessThanOrEqual(2200);
    await loop.stop();
    expect(clock.pendingDelaysMs()).toEqual([]);
  });

  it('does not repeat condition Events when the informer hands back an older copy', async () => {
    const { loop, kube, queue } = fixture(1);
    await addJobs(queue, 3);
    await loop.poll();
    const eventsAfterFirst = kube.events.length;
    expect(eventsAfterFirst).toBeGreaterThan(0);
    const stale = structuredClone(loopScaler(loop));
    delete stale.status;
    loop.update(stale);
    await loop.poll();
    expect(kube.events).toHaveLength(eventsAfterFirst);
  });

  it('reads the Secret once and reuses it across polls', async () => {
    const { loop, kube } = fixture(0);
    await loop.poll();
    await loop.poll();
    await loop.poll();
    expect(kube.secretReads).toBe(1);
  });
});

function loopScaler(loop: ScalerLoop): QueueScaler {
  return (loop as unknown as { scaler: QueueScaler }).scaler;
}

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
