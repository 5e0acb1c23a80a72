import {
  AppsV1Api,
  CustomObjectsApi,
  KubeConfig,
  type KubernetesListObject,
  type V1Deployment,
} from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type QueueScaler } from '@printq/crd';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { OperatorConfig } from './config.js';
import type { HealthReport, HealthSource } from './http.js';
import { OperatorHttpServer } from './http.js';
import { reuseConnections } from './kube/agent.js';
import { KubeApi } from './kube/api.js';
import { ResilientInformer } from './kube/informer.js';
import { LeaderElector, apiLeaseStore } from './kube/lease.js';
import { OperatorMetrics } from './metrics.js';
import { RedisConnectionCache } from './queues/connection.js';
import { ScalerManager } from './reconciler/manager.js';
import { SlotTimers } from './reconciler/slot-timers.js';
import { hostname } from 'node:os';

/** Loads in-cluster credentials in a Pod, else KUBECONFIG / ~/.kube/config. */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (kubeconfigPath) kubeConfig.loadFromFile(kubeconfigPath);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

export interface OperatorOptions {
  config: OperatorConfig;
  kubeConfig: KubeConfig;
  log: Logger;
  clock?: Clock;
}

/**
 * The operator process: informers on QueueScalers and Deployments (always running, so a
 * follower's caches are warm), a Lease election gating the poll loops, and the HTTP server.
 */
export class Operator implements HealthSource {
  readonly metrics = new OperatorMetrics();
  readonly manager: ScalerManager;
  readonly elector: LeaderElector;
  private readonly scalers: ResilientInformer<QueueScaler>;
  private readonly deployments: ResilientInformer<V1Deployment>;
  private readonly http: OperatorHttpServer;
  private readonly connections: RedisConnectionCache;
  private readonly clock: Clock;
  private started = false;
  /** The port /metrics listens on once started. */
  port: number | undefined;

  constructor(private readonly options: OperatorOptions) {
    const { config, log } = options;
    const kubeConfig = reuseConnections(options.kubeConfig);
    this.clock = options.clock ?? systemClock;
    const identity = config.POD_NAME ?? `${hostname()}-${process.pid}`;
    const kube = new KubeApi(kubeConfig, identity);
    this.connections = new RedisConnectionCache({
      connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS,
      commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    });
    const informerOptions = { staleAfterMs: config.INFORMER_STALE_AFTER_MS, clock: this.clock };
    this.deployments = deploymentInformer(kubeConfig, config.WATCH_NAMESPACE, log, informerOptions);
    this.manager = new ScalerManager(
      {
        kube,
        targets: {
          replicasOf: (namespace, name) => this.deployments.get(name, namespace)?.spec?.replicas,
        },
        connections: this.connections,
        metrics: this.metrics,
        clock: this.clock,
        timers: new SlotTimers(this.clock),
        log,
      },
      log,
    );
    this.scalers = scalerInformer(
      kubeConfig,
      config.WATCH_NAMESPACE,
      this.manager,
      log,
      informerOptions,
    );
    this.elector = new LeaderElector(
      apiLeaseStore(kubeConfig),
      {
        namespace: config.LEASE_NAMESPACE,
        leaseName: config.LEASE_NAME,
        identity,
        leaseDurationMs: config.LEASE_DURATION_MS,
        renewDeadlineMs: config.LEASE_RENEW_DEADLINE_MS,
        retryPeriodMs: config.LEASE_RETRY_PERIOD_MS,
      },
      {
        onStartedLeading: () => {
          this.metrics.leader.set(1);
          this.manager.setLeading(true);
        },
        onStoppedLeading: () => {
          this.metrics.leader.set(0);
          this.manager.setLeading(false);
        },
      },
      log,
      this.clock,
    );
    this.http = new OperatorHttpServer(this.metrics, this);
  }

  async start(): Promise<void> {
    this.port = await this.http.listen(this.options.config.METRICS_PORT);
    // Deployments first: a scaler's first poll then finds its target in the cache.
    await this.deployments.start();
    await this.scalers.start();
    this.elector.start();
    this.started = true;
    this.options.log.info({ port: this.port }, 'operator started');
  }

  /** Graceful stop: hand the Lease back first so a peer takes over without waiting. */
  async stop(): Promise<void> {
    await this.elector.stop();
    await this.manager.stopAll();
    await Promise.all([this.scalers.stop(), this.deployments.stop()]);
    await this.connections.closeAll();
    await this.http.close();
    this.options.log.info('operator stopped');
  }

  liveness(): HealthReport {
    const checks = {
      loopsAlive: this.manager.loopsAlive(this.clock.nowMs()),
      scalerInformerFresh: !this.started || this.scalers.isFresh(),
      deploymentInformerFresh: !this.started || this.deployments.isFresh(),
    };
    return { ok: Object.values(checks).every(Boolean), checks };
  }

  readiness(): HealthReport {
    const checks = {
      started: this.started,
      scalerInformerFresh: this.scalers.isFresh(),
      deploymentInformerFresh: this.deployments.isFresh(),
    };
    return { ok: Object.values(checks).every(Boolean), checks };
  }
}

function scalerInformer(
  kubeConfig: KubeConfig,
  namespace: string | undefined,
  manager: ScalerManager,
  log: Logger,
  options: ConstructorParameters<typeof ResilientInformer>[4],
): ResilientInformer<QueueScaler> {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const path = namespace
    ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`
    : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
  const list = async (): Promise<KubernetesListObject<QueueScaler>> =>
    (namespace
      ? await api.listNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURAL,
        })
      : await api.listClusterCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
        })) as KubernetesListObject<QueueScaler>;
  return ResilientInformer.forPath(
    'queuescalers',
    kubeConfig,
    path,
    list,
    { onUpsert: (scaler) => manager.upsert(scaler), onDelete: (scaler) => manager.remove(scaler) },
    log,
    options,
  );
}

function deploymentInformer(
  kubeConfig: KubeConfig,
  namespace: string | undefined,
  log: Logger,
  options: ConstructorParameters<typeof ResilientInformer>[4],
): ResilientInformer<V1Deployment> {
  const api = kubeConfig.makeApiClient(AppsV1Api);
  const path = namespace
    ? `/apis/apps/v1/namespaces/${namespace}/deployments`
    : '/apis/apps/v1/deployments';
  const list = (): Promise<KubernetesListObject<V1Deployment>> =>
    namespace ? api.listNamespacedDeployment({ namespace }) : api.listDeploymentForAllNamespaces();
  // The cache is all the loops need; changes to Deployments trigger nothing by themselves.
  const ignore = (): void => undefined;
  return ResilientInformer.forPath(
    'deployments',
    kubeConfig,
    path,
    list,
    { onUpsert: ignore, onDelete: ignore },
    log,
    options,
  );
}
