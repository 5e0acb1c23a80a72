import {
  AuthenticationV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  VersionApi,
  type V1Pod,
} from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { refusalOf } from './api-errors.js';
import {
  BUILD_HINT,
  controlPlaneAvailability,
  pinnedKubernetesVersion,
  startControlPlane,
} from './control-plane.js';
import { describeWithControlPlane, useControlPlane } from './jest-control-plane.js';

describe('controlPlaneAvailability', () => {
  it('names the build command when the binaries are not in the cache', () => {
    const emptyCache = mkdtempSync(join(tmpdir(), 'printq-empty-cache-'));
    try {
      const availability = controlPlaneAvailability({ ...process.env, PRINTQ_CACHE: emptyCache });
      expect(availability.available).toBe(false);
      if (!availability.available) {
        expect(availability.reason).toContain(BUILD_HINT);
        expect(availability.reason).toContain(join(emptyCache, `k8s-${pinnedKubernetesVersion()}`));
      }
    } finally {
      rmSync(emptyCache, { recursive: true, force: true });
    }
  });
});

describeWithControlPlane('ControlPlane', () => {
  const plane = useControlPlane();
  const core = () => plane().kubeConfig.makeApiClient(CoreV1Api);

  it('serves the pinned Kubernetes release over TLS and reports ready', async () => {
    const version = await plane().kubeConfig.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe(pinnedKubernetesVersion());
    expect(plane().server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await getAsAdmin(plane().kubeConfig, '/readyz')).toEqual({ status: 200, body: 'ok' });
  });

  it('stores a namespace and a ConfigMap and keeps them across an apiserver restart', async () => {
    await core().createNamespace({ body: { metadata: { name: 'restart-check' } } });
    await core().createNamespacedConfigMap({
      namespace: 'restart-check',
      body: { metadata: { name: 'settings' }, data: { greeting: 'hello' } },
    });

    await plane().restartApiserver();

    const configMap = await core().readNamespacedConfigMap({
      namespace: 'restart-check',
      name: 'settings',
    });
    expect(configMap.data).toEqual({ greeting: 'hello' });
    expect(await getAsAdmin(plane().kubeConfig, '/readyz')).toEqual({ status: 200, body: 'ok' });
  }, 180_000);

  describe('Pod Security admission in a namespace enforcing "restricted"', () => {
    const namespace = 'restricted-check';

    beforeAll(async () => {
      await core().createNamespace({
        body: {
          metadata: {
            name: namespace,
            labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
          },
        },
      });
      await waitForServiceAccount(core(), namespace, 'default');
    }, 60_000);

    it('rejects a privileged pod and names the violated profile', async () => {
      const refusal = await refusalOf(
        core().createNamespacedPod({ namespace, body: privilegedPod('privileged') }),
      );
      expect(refusal.code).toBe(403);
      expect(refusal.message).toContain('violates PodSecurity "restricted:latest"');
      expect(refusal.message).toContain('privileged');
    });

    it('admits a pod that meets the restricted profile', async () => {
      const created = await core().createNamespacedPod({
        namespace,
        body: restrictedPod('compliant'),
      });
      expect(created.metadata?.uid).toBeTruthy();
      // ServiceAccount admission accepted it: the controller manager created `default`.
      expect(created.spec?.serviceAccountName).toBe('default');
    });
  });

  describe('serviceAccountKubeconfig', () => {
    const namespace = 'rbac-check';
    let viewer: KubeConfig;

    beforeAll(async () => {
      await core().createNamespace({ body: { metadata: { name: namespace } } });
      await core().createNamespace({ body: { metadata: { name: 'rbac-elsewhere' } } });
      await core().createNamespacedServiceAccount({
        namespace,
        body: { metadata: { name: 'viewer' } },
      });
      await plane()
        .kubeConfig.makeApiClient(RbacAuthorizationV1Api)
        .createNamespacedRoleBinding({
          namespace,
          body: {
            metadata: { name: 'viewer-can-view' },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
            subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace }],
          },
        });
      viewer = new KubeConfig();
      viewer.loadFromFile(await plane().serviceAccountKubeconfig(namespace, 'viewer'));
      // `view` is an aggregated ClusterRole and kube-root-ca.crt is published per namespace:
      // both are the controller manager's work, done shortly after the objects appear.
      await waitUntil('ClusterRole view aggregated', async () => {
        const view = await plane()
          .kubeConfig.makeApiClient(RbacAuthorizationV1Api)
          .readClusterRole({ name: 'view' });
        return (view.rules ?? []).length > 0;
      });
      await waitUntil(`ConfigMap ${namespace}/kube-root-ca.crt published`, async () => {
        const list = await core().listNamespacedConfigMap({ namespace });
        return list.items.some((item) => item.metadata?.name === 'kube-root-ca.crt');
      });
    }, 90_000);

    it('authenticates as the ServiceAccount', async () => {
      const review = await viewer
        .makeApiClient(AuthenticationV1Api)
        .createSelfSubjectReview({ body: {} });
      expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${namespace}:viewer`);
    });

    it('allows what its RoleBinding grants', async () => {
      const list = await viewer.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace });
      expect(list.items.map((item) => item.metadata?.name)).toContain('kube-root-ca.crt');
    });

    it('denies Secrets, other namespaces and writes that RBAC does not grant', async () => {
      const api = viewer.makeApiClient(CoreV1Api);
      const refusals = [
        await refusalOf(api.listNamespacedSecret({ namespace })),
        await refusalOf(api.listNamespacedConfigMap({ namespace: 'rbac-elsewhere' })),
        await refusalOf(
          api.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'nope' } } }),
        ),
      ];
      expect(refusals.map((refusal) => refusal.code)).toEqual([403, 403, 403]);
      expect(refusals[0]?.message).toContain(
        `"system:serviceaccount:${namespace}:viewer" cannot list resource "secrets"`,
      );
    });
  });
});

describeWithControlPlane('ControlPlane.stop', () => {
  it('kills every component and removes its files', async () => {
    const plane = await startControlPlane({ controllers: false });
    const etcdLog = plane.logPath('etcd');
    expect(existsSync(etcdLog)).toBe(true);

    await plane.stop();

    expect(existsSync(etcdLog)).toBe(false);
    expect(
      await getAsAdmin(plane.kubeConfig, '/readyz').catch((error: Error) => error.message),
    ).toMatch(/ECONNREFUSED/);
  }, 180_000);
});

describeWithControlPlane('a control plane whose test process is killed', () => {
  it('dies with the process, and the next start removes its files', async () => {
    const held = await holdControlPlaneInChildProcess();
    expect(Object.keys(held.pids).sort()).toEqual(['etcd', 'kube-apiserver']);

    held.child.kill('SIGKILL');

    expect(await waitUntilAllDead(Object.values(held.pids), 15_000)).toEqual([]);
    expect(existsSync(held.dir)).toBe(true);
    const next = await startControlPlane({ controllers: false });
    await next.stop();
    expect(existsSync(held.dir)).toBe(false);
  }, 240_000);
});

interface HeldControlPlane {
  child: ReturnType<typeof spawn>;
  pids: Record<string, number>;
  dir: string;
}

/** Runs fixtures/hold-control-plane.ts in its own Node process and reads what it started. */
async function holdControlPlaneInChildProcess(): Promise<HeldControlPlane> {
  const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/hold-control-plane.ts');
  const child = spawn(
    process.execPath,
    ['--conditions=printq-source', '--import', 'tsx', fixture],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`fixture exited early (code ${code})`))),
  );
  const firstLine = new Promise<string>((resolve) =>
    createInterface({ input: child.stdout }).once('line', resolve),
  );
  const line = await Promise.race([firstLine, exited]);
  return { child, ...(JSON.parse(line) as Omit<HeldControlPlane, 'child'>) };
}

/** Polls until none of `pids` exists; returns those still alive at the deadline. */
async function waitUntilAllDead(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids;
  while (Date.now() < deadline) {
    alive = alive.filter(isAlive);
    if (alive.length === 0) break;
    await sleep(100);
  }
  return alive;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function getAsAdmin(
  kubeConfig: KubeConfig,
  path: string,
): Promise<{ status: number; body: string }> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const options = { method: 'GET', timeout: 5_000 };
  await kubeConfig.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, cluster.server), options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The controller manager creates each namespace's `default` ServiceAccount shortly after. */
async function waitForServiceAccount(core: CoreV1Api, namespace: string, name: string) {
  await waitUntil(`ServiceAccount ${namespace}/${name}`, async () => {
    const list = await core.listNamespacedServiceAccount({ namespace });
    return list.items.some((account) => account.metadata?.name === name);
  });
}

function privilegedPod(name: string): V1Pod {
  return {
    metadata: { name },
    spec: {
      containers: [{ name: 'main', image: 'busybox:1.36', securityContext: { privileged: true } }],
    },
  };
}

function restrictedPod(name: string): V1Pod {
  return {
    metadata: { name },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'main',
          image: 'busybox:1.36',
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            runAsUser: 65534,
          },
        },
      ],
    },
  };
}

async function waitUntil(what: string, done: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return;
    await sleep(250);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
}
