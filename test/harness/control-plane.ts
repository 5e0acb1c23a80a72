import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.js';
import { controlPlaneAvailability, type ControlPlaneBinaries } from './binaries.js';
import { ControlPlaneError, HarnessReason } from './errors.js';
import { createClusterPki, pemData, type ClusterPki } from './pki.js';
import { ComponentProcess } from './process.js';

export {
  controlPlaneAvailability,
  isControlPlaneAvailable,
  locateBinaries,
  pinnedKubernetesVersion,
} from './binaries.js';
export { BUILD_HINT, ControlPlaneError, HarnessReason } from './errors.js';

/**
 * Controllers of kube-controller-manager the harness runs: what makes namespaces, service
 * accounts, Deployments and deletions behave as in a real cluster. Pods never run: no
 * kubelet, no scheduler.
 */
export const DEFAULT_CONTROLLERS = [
  'serviceaccount-controller',
  'root-ca-certificate-publisher-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'clusterrole-aggregation-controller',
] as const;

export interface ControlPlaneOptions {
  /**
   * Run kube-controller-manager with these controllers, or `false` for none (namespaces then
   * get no `default` ServiceAccount and never finish terminating).
   * @default DEFAULT_CONTROLLERS
   */
  controllers?: readonly string[] | false;
  /** Extra kube-apiserver flags, appended after the harness's own. @default [] */
  apiserverArgs?: readonly string[];
  /**
   * How long etcd and the apiserver each get to become ready. Generous: a cold apiserver on
   * a loaded 2-core machine takes tens of seconds.
   * @default 120_000
   */
  startTimeoutMs?: number;
  /** Keep the temp directory (certificates, logs, etcd data) after stop(), for debugging. @default false */
  keepFiles?: boolean;
}

/** Cluster-wide facts the harness fixes; tests may rely on them. */
export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager';

const TEMP_DIR_PREFIX = 'printq-k8s-';
/** Holds the pid of the Node process that owns a temp dir, so a later run can sweep it. */
const OWNER_FILE = 'owner.pid';

interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
}

/**
 * A real etcd + kube-apiserver (+ kube-controller-manager) on loopback ports, with TLS, an
 * admin client certificate, ServiceAccount tokens, RBAC and Pod Security admission, as in a
 * real cluster. One per test file: start in beforeAll, stop in afterAll.
 */
export class ControlPlane {
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  /** Kubeconfig of the cluster admin (group system:masters). */
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;

  private readonly etcd: ComponentProcess;
  private readonly apiserver: ComponentProcess;
  private readonly controllerManager: ComponentProcess | undefined;
  private stopped = false;

  private constructor(
    private readonly dir: string,
    private readonly pki: ClusterPki,
    private readonly ports: Ports,
    readonly binaries: ControlPlaneBinaries,
    private readonly options: Required<ControlPlaneOptions>,
  ) {
    this.server = `https://127.0.0.1:${ports.apiserver}`;
    this.kubeconfigPath = join(dir, 'admin.kubeconfig');
    writeFileSync(this.kubeconfigPath, this.adminKubeconfigText(), { mode: 0o600 });
    this.kubeConfig = new KubeConfig();
    this.kubeConfig.loadFromFile(this.kubeconfigPath);
    this.etcd = this.component('etcd', binaries.etcd, this.etcdArgs());
    this.apiserver = this.component('kube-apiserver', binaries.kubeApiserver, this.apiserverArgs());
    this.controllerManager = options.controllers
      ? this.component(
          'kube-controller-manager',
          binaries.kubeControllerManager,
          this.controllerManagerArgs(options.controllers),
        )
      : undefined;
  }

  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const availability = controlPlaneAvailability();
    if (!availability.available) {
      throw new ControlPlaneError(HarnessReason.BinariesMissing, availability.reason);
    }
    removeAbandonedDirs();
    const dir = mkdtempSync(join(tmpdir(), TEMP_DIR_PREFIX));
    writeFileSync(join(dir, OWNER_FILE), String(process.pid));
    try {
      const pkiDir = join(dir, 'pki');
      mkdirSync(pkiDir);
      const plane = new ControlPlane(
        dir,
        createClusterPki(pkiDir),
        await allocatePorts(),
        availability.binaries,
        {
          controllers: options.controllers ?? DEFAULT_CONTROLLERS,
          apiserverArgs: options.apiserverArgs ?? [],
          startTimeoutMs: options.startTimeoutMs ?? 120_000,
          keepFiles: options.keepFiles ?? false,
        },
      );
      await plane.startAll();
      return plane;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Stops and starts kube-apiserver (and the controller manager) on the same port, keeping
   * etcd and its data, as a control-plane upgrade or crash would. Clients see connection
   * errors meanwhile.
   */
  async restartApiserver(): Promise<void> {
    // The controller manager restarts with it, as on a rebooted control-plane node: left
    // running, its watches come back only after client-go's backoff, and tests that rely on
    // its controllers (ServiceAccounts, root CA ConfigMaps, aggregated ClusterRoles) would
    // wait on that backoff instead of on the apiserver.
    await this.controllerManager?.stop(5_000);
    await this.apiserver.stop();
    await this.startApiserver();
    this.controllerManager?.start();
  }

  /**
   * Writes a kubeconfig that authenticates as ServiceAccount `namespace/name` with a bound
   * token from the TokenRequest API, so tests see exactly what RBAC grants that account.
   * The ServiceAccount must exist.
   */
  async serviceAccountKubeconfig(
    namespace: string,
    name: string,
    expirationSeconds = 3600,
  ): Promise<string> {
    const core = this.kubeConfig.makeApiClient(CoreV1Api);
    let token: string | undefined;
    try {
      const response = await core.createNamespacedServiceAccountToken({
        namespace,
        name,
        body: { spec: { audiences: [SERVICE_ACCOUNT_ISSUER], expirationSeconds } },
      });
      token = response.status?.token;
    } catch (error) {
      throw new ControlPlaneError(
        HarnessReason.RequestFailed,
        `TokenRequest for ServiceAccount ${namespace}/${name} failed: ${String(error)}`,
        { cause: error },
      );
    }
    if (!token) {
      throw new ControlPlaneError(
        HarnessReason.RequestFailed,
        `TokenRequest for ${namespace}/${name} returned no token`,
      );
    }
    const path = join(this.dir, `sa-${namespace}-${name}.kubeconfig`);
    const user = `system:serviceaccount:${namespace}:${name}`;
    writeFileSync(
      path,
      kubeconfigText(this.server, pemData(this.pki.caCert), user, { token }, namespace),
      {
        mode: 0o600,
      },
    );
    return path;
  }

  /** Process ids of the running components (absent when stopped), for diagnostics. */
  pids(): Partial<Record<ComponentName, number>> {
    const entries = [this.etcd, this.apiserver, this.controllerManager].flatMap((component) =>
      component?.pid ? [[component.name, component.pid] as const] : [],
    );
    return Object.fromEntries(entries);
  }

  /** Log file of a component, for diagnosing a failed test. */
  logPath(component: ComponentName): string {
    return join(this.dir, `${component}.log`);
  }

  /** Kills every component and removes certificates, logs and etcd data. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.controllerManager?.stop(5_000);
    await this.apiserver.stop(5_000);
    await this.etcd.stop(5_000);
    if (!this.options.keepFiles) rmSync(this.dir, { recursive: true, force: true });
  }

  private async startAll(): Promise<void> {
    try {
      this.etcd.start();
      await this.etcd.waitUntilReady(() => this.etcdIsHealthy(), this.options.startTimeoutMs);
      await this.startApiserver();
      this.controllerManager?.start();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  private async startApiserver(): Promise<void> {
    this.apiserver.start();
    await this.apiserver.waitUntilReady(() => this.apiserverIsReady(), this.options.startTimeoutMs);
  }

  private component(name: string, binary: string, args: string[]): ComponentProcess {
    return new ComponentProcess(name, binary, args, join(this.dir, `${name}.log`));
  }

  private etcdArgs(): string[] {
    const client = `http://127.0.0.1:${this.ports.etcdClient}`;
    const peer = `http://127.0.0.1:${this.ports.etcdPeer}`;
    return [
      '--name=printq',
      `--data-dir=${join(this.dir, 'etcd')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=printq=${peer}`,
      // Test data is thrown away: fsync only costs time on a shared disk.
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ];
  }

  private apiserverArgs(): string[] {
    const pki = this.pki;
    return [
      `--etcd-servers=http://127.0.0.1:${this.ports.etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${this.ports.apiserver}`,
      `--cert-dir=${join(this.dir, 'apiserver-certs')}`,
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${pki.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--authorization-mode=Node,RBAC',
      // PodSecurity is on by default; naming it documents that the tests rely on it.
      '--enable-admission-plugins=NodeRestriction,PodSecurity',
      // As in real clusters, so a privileged pod is refused by Pod Security, not by this flag.
      '--allow-privileged=true',
      '--profiling=false',
      ...this.options.apiserverArgs,
    ];
  }

  private controllerManagerArgs(controllers: readonly string[]): string[] {
    return [
      `--kubeconfig=${this.kubeconfigPath}`,
      `--controllers=${controllers.join(',')}`,
      `--root-ca-file=${this.pki.caCert}`,
      `--service-account-private-key-file=${this.pki.serviceAccountKey}`,
      // Serve nothing: the tests only need the controllers.
      '--secure-port=0',
      '--leader-elect=false',
      '--use-service-account-credentials=false',
    ];
  }

  private adminKubeconfigText(): string {
    return kubeconfigText(this.server, pemData(this.pki.caCert), 'printq-test-admin', {
      'client-certificate-data': pemData(this.pki.adminCert),
      'client-key-data': pemData(this.pki.adminKey),
    });
  }

  private async etcdIsHealthy(): Promise<boolean> {
    const body = await httpGetText(`http://127.0.0.1:${this.ports.etcdClient}/health`);
    return body !== undefined && body.includes('"health":"true"');
  }

  private async apiserverIsReady(): Promise<boolean> {
    const response = await httpsGetAsAdmin(this.server, '/readyz', this.pki);
    return response?.status === 200;
  }
}

/** Starts a control plane; see {@link ControlPlane}. */
export function startControlPlane(options?: ControlPlaneOptions): Promise<ControlPlane> {
  return ControlPlane.start(options);
}

/**
 * Removes temp dirs (certificates, logs, etcd data) of control planes whose Node process
 * died without stop(), e.g. a test run killed with SIGKILL. Their components died with it
 * (pdeathsig); only the files remain.
 */
function removeAbandonedDirs(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(TEMP_DIR_PREFIX)) continue;
    const dir = join(tmpdir(), entry);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
    } catch {
      continue; // Not ours to judge (being created right now, or not from this harness).
    }
    if (Number.isInteger(owner) && owner > 0 && !isProcessAlive(owner)) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function allocatePorts(): Promise<Ports> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [etcdClient = 0, etcdPeer = 0, apiserver = 0] = [...ports];
  return { etcdClient, etcdPeer, apiserver };
}

type UserCredentials =
  { token: string } | { 'client-certificate-data': string; 'client-key-data': string };

/** A one-context kubeconfig. JSON is valid YAML, and needs no YAML library here. */
function kubeconfigText(
  server: string,
  caData: string,
  user: string,
  credentials: UserCredentials,
  namespace?: string,
): string {
  const cluster = 'printq-test';
  const context = { cluster, user, ...(namespace ? { namespace } : {}) };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server, 'certificate-authority-data': caData } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name: cluster, context }],
    'current-context': cluster,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function httpGetText(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = httpGet(url, { timeout: 2_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

function httpsGetAsAdmin(
  server: string,
  path: string,
  pki: ClusterPki,
): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const request = httpsRequest(
      new URL(path, server),
      {
        method: 'GET',
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.adminCert),
        key: readFileSync(pki.adminKey),
        timeout: 5_000,
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
    request.end();
  });
}
