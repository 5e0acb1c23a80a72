import {
  NAMES,
  PORTS,
  REDIS_PASSWORD_FILE,
  REDIS_SECRET,
  parseSettings,
  synthesize,
} from '../src/index.js';
import { QUOTE_QUEUE } from '@printq/shared';
import { WORKER_QUEUE } from '../src/constructs/operator.js';
import { workerGracePeriodSeconds } from '../src/constructs/worker.js';
import { BOTH, find, objectsOf, type Container, type PodSpec } from './helpers/manifests.js';

const podSpec = (profile: 'kind' | 'production', kind: string, name: string): PodSpec =>
  (find(objectsOf(profile), kind, name).spec as { template: { spec: PodSpec } }).template.spec;
const container = (spec: PodSpec): Container => spec.containers[0] as Container;
const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));

describe.each(BOTH)('workloads (%s profile)', (profile) => {
  const objects = objectsOf(profile);

  it('never gives the worker Deployment a replicas field: the operator owns it', () => {
    const worker = find(objects, 'Deployment', NAMES.worker);
    expect(worker.spec).not.toHaveProperty('replicas');
  });

  it('gives the worker a grace period longer than its longest job, and a preStop hook', () => {
    const settings =
      profile === 'kind'
        ? parseSettings('kind')
        : parseSettings('production', { tls: { acmeEmail: 'a@b.io' } });
    const spec = podSpec(profile, 'Deployment', NAMES.worker);
    expect(spec.terminationGracePeriodSeconds).toBe(workerGracePeriodSeconds(settings));
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(settings.worker.longestJobSeconds);
    const drainMs = Number(envOf(container(spec)).WORKER_SHUTDOWN_GRACE_MS);
    // The worker's own drain deadline ends before the kubelet's SIGKILL.
    expect(drainMs / 1000).toBeGreaterThan(settings.worker.longestJobSeconds);
    expect(drainMs / 1000).toBeLessThan(spec.terminationGracePeriodSeconds ?? 0);
    expect(container(spec).lifecycle?.preStop).toBeDefined();
  });

  it('probes the app on /healthz and /readyz of port 8080 and the worker on 9091', () => {
    const app = container(podSpec(profile, 'Deployment', NAMES.app));
    expect(app.ports).toEqual([{ name: 'http', containerPort: PORTS.app }]);
    expect(envOf(app).PORT).toBe('8080');
    expect(app.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(app.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    const worker = container(podSpec(profile, 'Deployment', NAMES.worker));
    expect(worker.ports).toEqual([{ name: 'metrics', containerPort: PORTS.workerMetrics }]);
    expect(envOf(worker).METRICS_PORT).toBe('9091');
    expect(worker.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(worker.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
  });

  it('connects app and worker to Redis through env and a mounted password file', () => {
    for (const name of [NAMES.app, NAMES.worker]) {
      const spec = podSpec(profile, 'Deployment', name);
      expect(envOf(container(spec))).toMatchObject({
        REDIS_HOST: NAMES.redis,
        REDIS_PORT: String(PORTS.redis),
        REDIS_PASSWORD_FILE,
      });
      const volume = spec.volumes?.find((v) => v.name === 'redis-password');
      expect(volume?.secret).toMatchObject({ secretName: REDIS_SECRET.name });
    }
  });

  it('runs Redis with AOF, noeviction and the password from the Secret file', () => {
    const config = find(objects, 'ConfigMap', `${NAMES.redis}-config`);
    const conf = (config.data as Record<string, string>)['redis.conf'] ?? '';
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(conf).toMatch(/^appendfsync (everysec|always)$/m);
    expect(conf).not.toMatch(/requirepass/);
    const redis = find(objects, 'StatefulSet', NAMES.redis);
    const spec = redis.spec as { volumeClaimTemplates: unknown[]; serviceName: string };
    expect(spec.volumeClaimTemplates).toHaveLength(1);
    expect(spec.serviceName).toBe(NAMES.redis);
    const service = find(objects, 'Service', NAMES.redis);
    expect((service.spec as { clusterIP: string }).clusterIP).toBe('None');
  });

  it('runs the operator with its token, two replicas and a QueueScaler for the worker', () => {
    const spec = podSpec(profile, 'Deployment', NAMES.operator);
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(container(spec).ports).toEqual([
      { name: 'metrics', containerPort: PORTS.operatorMetrics },
    ]);
    expect(
      (find(objects, 'Deployment', NAMES.operator).spec as { replicas: number }).replicas,
    ).toBe(2);
    const scaler = find(objects, 'QueueScaler', NAMES.workerScaler);
    expect(scaler.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: NAMES.worker },
      queue: {
        type: 'bullmq',
        name: 'quotes',
        connection: { host: NAMES.redis, port: PORTS.redis },
      },
    });
  });
});

describe('the worker queue', () => {
  it('is the queue the app and worker use (QUOTE_QUEUE of @printq/shared)', () => {
    expect(WORKER_QUEUE).toBe(QUOTE_QUEUE);
  });
});

describe('app replicas', () => {
  it('are static in kind (no HPA) and HPA-owned in production (no replicas field)', () => {
    const kindApp = find(objectsOf('kind'), 'Deployment', NAMES.app);
    expect((kindApp.spec as { replicas?: number }).replicas).toBe(1);
    expect(objectsOf('kind').filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    const prodApp = find(objectsOf('production'), 'Deployment', NAMES.app);
    expect(prodApp.spec).not.toHaveProperty('replicas');
    const hpa = find(objectsOf('production'), 'HorizontalPodAutoscaler', NAMES.app);
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: NAMES.app },
      minReplicas: 2,
    });
  });

  it('follow the settings either way', () => {
    const objects = synthesize('kind', { 'app.autoscaling.enabled': 'true' });
    expect(find(objects, 'Deployment', NAMES.app).spec).not.toHaveProperty('replicas');
    expect(find(objects, 'HorizontalPodAutoscaler', NAMES.app)).toBeDefined();
    const fixed = synthesize('production', {
      tls: { acmeEmail: 'a@b.io' },
      app: { autoscaling: { enabled: false }, replicas: 3 },
    });
    expect((find(fixed, 'Deployment', NAMES.app).spec as { replicas: number }).replicas).toBe(3);
    expect(fixed.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
  });
});
