// The release lifecycle of the printq CLI against a real kube-apiserver + etcd (+ the
// deployment/replicaset controllers): up → diff → upgrade → history → rollback → prune →
// conflicts → --atomic → missing CRD → down, on the manifests the real synthesize() produces.
// No kubelet runs here, so pods never start: rollouts are applied with --no-wait except where
// the test is about waiting. cert-manager comes from the CRD files pinned in cdk8s/crds (no
// internet): a directory of its CRDs plus its namespace stands in for the release manifest.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../cli/src/main.js';
import { KubeClient } from '../../cli/src/kube.js';
import type { KubeObject, ObjectRef } from '../../cli/src/objects.js';
import { ReleaseStore } from '../../cli/src/release.js';
import { DEFAULT_CONTROLLERS } from '../harness/control-plane.js';
import { describeWithControlPlane, useControlPlane } from '../harness/jest-control-plane.js';
import { runPrintq } from './cli-process.js';

const CERT_MANAGER_CRDS = fileURLToPath(
  new URL('../../cdk8s/crds/cert-manager-v1.21.2', import.meta.url),
);

/** Per step: generous, because a loaded 2-core machine makes every apiserver round trip slow. */
const STEP_TIMEOUT_MS = 180_000;

const appDeployment: ObjectRef = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'printq',
  name: 'printq-app',
};
const workerDeployment: ObjectRef = { ...appDeployment, name: 'printq-worker' };
const appHpa: ObjectRef = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  namespace: 'printq',
  name: 'printq-app',
};

interface Containers {
  spec: {
    replicas?: number;
    template: { spec: { containers: { name: string; image: string }[] } };
  };
}

function imageOf(deployment: KubeObject | undefined): string | undefined {
  return (deployment as unknown as Containers | undefined)?.spec.template.spec.containers[0]?.image;
}

describeWithControlPlane('printq release lifecycle on a real apiserver', () => {
  // pvc-protection: `down --delete-data` deletes the Redis PVC, whose finalizer only that
  // controller removes; without it the namespace would stay Terminating forever.
  const plane = useControlPlane({
    controllers: [...DEFAULT_CONTROLLERS, 'persistentvolumeclaim-protection-controller'],
  });
  let kube: KubeClient;
  let manifestDir: string;

  /** Runs the CLI in-process (fast); output captured. */
  async function printq(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const exitCode = await run([...args, '--kubeconfig', plane().kubeconfigPath], {
      io: {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
      },
    });
    return { exitCode, stdout, stderr };
  }

  async function history(): Promise<{ revision: string; status: string; description: string }[]> {
    const { stdout } = await printq('history');
    return stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const cells = line.split(/\s{2,}/);
        return {
          revision: cells[0] ?? '',
          status: cells[2] ?? '',
          description: cells.at(-1) ?? '',
        };
      });
  }

  async function waitUntilGone(ref: ObjectRef): Promise<void> {
    for (let attempt = 0; attempt < 240; attempt++) {
      if (!(await kube.get(ref))) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const left = await kube.get(ref);
    throw new Error(
      `${ref.kind} ${ref.name} was not deleted within 120 s: ${JSON.stringify(left?.['status'])}`,
    );
  }

  beforeAll(() => {
    kube = KubeClient.connect({ kubeconfigPath: plane().kubeconfigPath });
    manifestDir = mkdtempSync(join(tmpdir(), 'printq-cert-manager-'));
    for (const name of readdirSync(CERT_MANAGER_CRDS).filter((file) => file.endsWith('.yaml'))) {
      copyFileSync(join(CERT_MANAGER_CRDS, name), join(manifestDir, name));
    }
    writeFileSync(
      join(manifestDir, 'namespace.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: cert-manager\n',
    );
  });

  afterAll(() => rmSync(manifestDir, { recursive: true, force: true }));

  it(
    'up installs cert-manager first, then every object labelled as the release, recorded as revision 1',
    async () => {
      const result = await printq(
        'up',
        '--profile',
        'kind',
        '--no-wait',
        '--cert-manager-manifest',
        manifestDir,
      );
      expect(result.stderr).toContain(`cert-manager: installing 3 objects from ${manifestDir}`);
      expect(result.stderr).toContain('cert-manager: API and webhook answer');
      expect(result.exitCode).toBe(0);

      const app = await kube.get(appDeployment);
      expect(app?.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'printq',
        'printq.dev/release': 'printq',
      });
      expect(imageOf(app)).toBe('printq/app:dev');
      const record = await kube.get({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace: 'printq',
        name: 'printq.release.v1.printq.v1',
      });
      expect(record?.['type']).toBe('printq.dev/release.v1');
      expect(record?.metadata.labels).toEqual({
        owner: 'printq',
        name: 'printq',
        version: '1',
        status: 'deployed',
      });
      const password = await kube.get({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace: 'printq',
        name: 'printq-redis',
      });
      expect((password?.['data'] as Record<string, string>)['password']).toMatch(
        /^[A-Za-z0-9+/=]{40,}$/,
      );

      expect(result.stdout).toContain('open https://printq.localtest.me/');
      expect(result.stdout).toContain(`-n printq port-forward svc/printq-app 8080:`);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'never takes ownership of the worker replicas, which the operator sets',
    async () => {
      const worker = await kube.get(workerDeployment);
      const printqFields = (
        worker?.metadata['managedFields'] as { manager: string; fieldsV1: { 'f:spec'?: object } }[]
      )
        .filter((entry) => entry.manager === 'printq')
        .map((entry) => entry.fieldsV1['f:spec'] ?? {});
      expect(printqFields).toHaveLength(1);
      expect(printqFields[0]).not.toHaveProperty('f:replicas');

      await kube.request(
        'PATCH',
        '/apis/apps/v1/namespaces/printq/deployments/printq-worker/scale',
        {
          body: { spec: { replicas: 3 } },
          contentType: 'application/merge-patch+json',
          query: { fieldManager: 'printq-operator' },
        },
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'diff finds nothing to change right after up (exit 0)',
    async () => {
      const result = await printq('diff');
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('0 to create, 0 to update, 0 to prune');
      expect(result.exitCode).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'diff shows an image tag change as a unified diff of the Deployment (exit 2)',
    async () => {
      const result = await printq('diff', '--set', 'images.app.tag=v2');
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toContain('--- live/apps/v1/Deployment/printq/printq-app');
      expect(result.stdout).toContain('+++ printq/apps/v1/Deployment/printq/printq-app');
      expect(result.stdout).toMatch(/^-\s+(- )?image: printq\/app:dev$/m);
      expect(result.stdout).toMatch(/^\+\s+(- )?image: printq\/app:v2$/m);
      expect(result.stdout).toContain('~ update Deployment printq/printq-app');
      expect(result.stdout).toContain('0 to create, 1 to update, 0 to prune');
      expect(imageOf(await kube.get(appDeployment))).toBe('printq/app:dev');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'upgrade applies the new tag as revision 2 and keeps the operator-set worker replicas',
    async () => {
      const result = await printq('upgrade', '--set', 'images.app.tag=v2', '--no-wait');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('upgraded printq to revision 2');
      expect(imageOf(await kube.get(appDeployment))).toBe('printq/app:v2');
      expect(((await kube.get(workerDeployment)) as unknown as Containers).spec.replicas).toBe(3);

      expect(await history()).toEqual([
        { revision: '1', status: 'superseded', description: 'Install complete' },
        { revision: '2', status: 'deployed', description: 'Upgrade complete' },
      ]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'rollback re-applies revision 1 as revision 3',
    async () => {
      const result = await printq('rollback', '--no-wait');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('rolled back printq to revision 1 (now revision 3)');
      expect(imageOf(await kube.get(appDeployment))).toBe('printq/app:dev');
      expect((await history()).map((row) => [row.revision, row.status, row.description])).toEqual([
        ['1', 'superseded', 'Install complete'],
        ['2', 'superseded', 'Upgrade complete'],
        ['3', 'deployed', 'Rollback to 1'],
      ]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'prune deletes an object the new revision drops and leaves foreign look-alikes alone',
    async () => {
      expect(
        (await printq('upgrade', '--set', 'app.autoscaling.enabled=true', '--no-wait')).exitCode,
      ).toBe(0);
      expect(await kube.get(appHpa)).toBeDefined();

      const lookAlikeHpa = {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: {
          name: 'printq-app-hpa',
          namespace: 'printq',
          labels: { 'app.kubernetes.io/part-of': 'printq' },
        },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'printq-app' },
          maxReplicas: 2,
        },
      };
      const sameNameConfigMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'printq-app',
          namespace: 'printq',
          labels: { 'app.kubernetes.io/managed-by': 'printq' },
        },
        data: { owner: 'someone else' },
      };
      for (const object of [lookAlikeHpa, sameNameConfigMap])
        await kube.apply(object, { fieldManager: 'kubectl' });

      const preview = await printq('diff', '--set', 'app.autoscaling.enabled=false');
      expect(preview.exitCode).toBe(2);
      expect(preview.stdout).toContain('- prune  HorizontalPodAutoscaler printq/printq-app\n');
      expect(preview.stdout).not.toContain('printq-app-hpa');

      const result = await printq('upgrade', '--set', 'app.autoscaling.enabled=false', '--no-wait');
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toContain('pruned HorizontalPodAutoscaler printq/printq-app');
      await waitUntilGone(appHpa);
      expect(await kube.get({ ...appHpa, name: 'printq-app-hpa' })).toBeDefined();
      expect(
        await kube.get({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: 'printq',
          name: 'printq-app',
        }),
      ).toBeDefined();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'prune leaves a dropped object alone once it no longer carries the release labels',
    async () => {
      expect(
        (await printq('upgrade', '--set', 'app.autoscaling.enabled=true', '--no-wait')).exitCode,
      ).toBe(0);
      // Someone takes the HPA over: their apply drops printq's release label from it.
      await kube.request(
        'PATCH',
        '/apis/autoscaling/v2/namespaces/printq/horizontalpodautoscalers/printq-app',
        {
          body: { metadata: { labels: { 'printq.dev/release': null } } },
          contentType: 'application/merge-patch+json',
          query: { fieldManager: 'kubectl-edit' },
        },
      );
      const result = await printq('upgrade', '--set', 'app.autoscaling.enabled=false', '--no-wait');
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toContain(
        'HorizontalPodAutoscaler printq/printq-app is not labelled as owned by this release: left alone',
      );
      expect(await kube.get(appHpa)).toBeDefined();
      await kube.delete(appHpa);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'an SSA conflict exits 10 naming the other field manager and field; --force-conflicts takes over',
    async () => {
      await kube.apply(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'printq-app', namespace: 'printq' },
          spec: {
            template: { spec: { containers: [{ name: 'app', image: 'printq/app:hotfix' }] } },
          },
        },
        { fieldManager: 'kubectl-edit', force: true },
      );
      const args = [
        'upgrade',
        '--set',
        'images.app.tag=v4',
        '--no-wait',
        '--kubeconfig',
        plane().kubeconfigPath,
      ];
      const conflict = await runPrintq(args);
      expect(conflict.stderr).toContain(
        'error[FIELD_CONFLICT]: applying Deployment printq/printq-app conflicts',
      );
      expect(conflict.stderr).toMatch(
        /\.spec\.template\.spec\.containers\[name="app"\]\.image is owned by "kubectl-edit"/,
      );
      expect(conflict.stderr).toContain('--force-conflicts');
      expect(conflict.exitCode).toBe(10);
      expect(imageOf(await kube.get(appDeployment))).toBe('printq/app:hotfix');

      const forced = await printq(...args.slice(0, -2), '--force-conflicts');
      expect(forced.exitCode).toBe(0);
      expect(imageOf(await kube.get(appDeployment))).toBe('printq/app:v4');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    '--atomic rolls back to the previous revision when the rollout does not complete',
    async () => {
      const before = await history();
      const result = await printq(
        'upgrade',
        '--set',
        'images.app.tag=v5',
        '--atomic',
        '--timeout',
        '5s',
      );
      expect(result.exitCode).toBe(13);
      expect(result.stderr).toContain('error[ROLLOUT_FAILED]: rollout not ready after 5 s');
      expect(result.stderr).toMatch(
        /^ {4}Deployment printq\/printq-app: .*(replicas|termination)/m,
      );
      expect(result.stderr).toMatch(/rolled back to revision \d+ \(--atomic\)/);
      expect(result.stdout).toContain('Deployment printq/printq-app');
      expect(imageOf(await kube.get(appDeployment))).toBe('printq/app:v4');

      const after = await history();
      expect(after).toHaveLength(before.length + 2);
      expect(after.at(-2)).toMatchObject({
        status: 'failed',
        description: 'Upgrade failed: rollout did not complete',
      });
      expect(after.at(-1)).toMatchObject({
        status: 'deployed',
        description: `Rollback to ${before.at(-1)?.revision} (atomic)`,
      });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'a missing CRD exits 9 naming the kind; --skip-cert-manager leaves those objects out; up reinstalls cert-manager',
    async () => {
      for (const name of ['clusterissuers.cert-manager.io', 'certificates.cert-manager.io']) {
        const crd = {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          name,
        };
        await kube.delete(crd);
        await waitUntilGone(crd);
      }
      const missing = await printq('upgrade', '--no-wait');
      expect(missing.exitCode).toBe(9);
      expect(missing.stderr).toMatch(
        /error\[MISSING_CRD\]: the cluster does not serve (ClusterIssuer|Certificate)/,
      );
      expect(missing.stderr).toContain('install cert-manager first');

      const skipped = await printq('up', '--no-wait', '--skip-cert-manager');
      expect(skipped.exitCode).toBe(0);
      expect(skipped.stderr).toContain(
        'warning: cert-manager is not installed and --skip-cert-manager is set: leaving out 4 objects',
      );
      expect(skipped.stderr).toContain('  Certificate printq/printq-app\n');

      const repaired = await printq('up', '--no-wait', '--cert-manager-manifest', manifestDir);
      expect(repaired.stderr).toContain('cert-manager: installing');
      expect(repaired.exitCode).toBe(0);
      expect(await printq('diff')).toMatchObject({ exitCode: 0 });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'status shows the latest revision and each workload; rollback to an unknown revision exits 15',
    async () => {
      const result = await printq('status');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^release printq, revision \d+, deployed: /m);
      expect(result.stdout).toMatch(/^Deployment printq\/printq-app\s+waiting: /m);
      expect(result.stdout).toMatch(/^Namespace printq\s+present$/m);

      const missing = await printq('rollback', '99');
      expect(missing.exitCode).toBe(15);
      expect(missing.stderr).toMatch(
        /error\[REVISION_NOT_FOUND\]: release "printq" has no revision 99/,
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'two upgrades at once: one claims the next revision as pending, the other exits 17',
    async () => {
      const before = Number((await history()).at(-1)?.revision);
      const results = await Promise.all([
        printq('upgrade', '--set', 'images.app.tag=v5', '--no-wait'),
        printq('upgrade', '--set', 'images.app.tag=v6', '--no-wait'),
      ]);
      expect(results.map((result) => result.exitCode).sort()).toEqual([0, 17]);
      const loser = results.find((result) => result.exitCode === 17);
      expect(loser?.stderr).toMatch(
        new RegExp(`error\\[RELEASE_PENDING\\]: revision ${before + 1} of release "printq"`),
      );
      const rows = await history();
      expect(rows.length).toBe(before + 1);
      expect(rows.at(-1)).toMatchObject({ status: 'deployed', description: 'Upgrade complete' });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'a pending record left by an interrupted run blocks upgrades until --force-unlock',
    async () => {
      const store = new ReleaseStore(kube, 'printq', 'printq');
      const latest = await store.latest();
      if (!latest) throw new Error('expected a recorded release');
      const stale = latest.revision + 1;
      // What a run killed between claiming its revision and recording the outcome leaves.
      expect(
        await store.create({
          ...latest,
          revision: stale,
          status: 'pending-upgrade',
          description: 'Upgrade in progress',
          createdAt: '2026-01-01T00:00:00.000Z',
        }),
      ).toBe(true);

      const blocked = await printq('upgrade', '--no-wait');
      expect(blocked.exitCode).toBe(17);
      expect(blocked.stderr).toContain(
        `error[RELEASE_PENDING]: revision ${stale} of release "printq" is pending-upgrade since 2026-01-01T00:00:00.000Z`,
      );
      expect(blocked.stderr).toContain('retry with --force-unlock');
      expect((await printq('rollback', '--no-wait')).exitCode).toBe(17);

      const takeover = await printq('upgrade', '--no-wait', '--force-unlock');
      expect(takeover.stderr).toContain(`marked pending-upgrade revision ${stale} failed`);
      expect(takeover.exitCode).toBe(0);
      expect((await history()).slice(-2)).toEqual([
        {
          revision: String(stale),
          status: 'failed',
          description: 'Upgrade interrupted (taken over with --force-unlock)',
        },
        { revision: String(stale + 1), status: 'deployed', description: 'Upgrade complete' },
      ]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'exits 8 with UNAUTHORIZED for credentials the cluster refuses or that lack the rights',
    async () => {
      await kube.apply(
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'viewer', namespace: 'default' },
        },
        { fieldManager: 'test' },
      );
      const restricted = await plane().serviceAccountKubeconfig('default', 'viewer');
      const forbidden = await runPrintq(['status', '--kubeconfig', restricted]);
      expect(forbidden.stderr).toMatch(
        /error\[UNAUTHORIZED\]: the cluster refused GET \/api\/v1\/namespaces\/printq\/secrets/,
      );
      expect(forbidden.exitCode).toBe(8);

      const bogus = join(manifestDir, 'bogus.kubeconfig');
      writeFileSync(
        bogus,
        [
          'apiVersion: v1',
          'kind: Config',
          'current-context: bogus',
          `clusters: [{name: c, cluster: {server: "${plane().server}", insecure-skip-tls-verify: true}}]`,
          'users: [{name: u, user: {token: not-a-valid-token}}]',
          'contexts: [{name: bogus, context: {cluster: c, user: u}}]',
        ].join('\n'),
      );
      const refused = await runPrintq(['history', '--kubeconfig', bogus]);
      expect(refused.stderr).toContain('refused the credentials of context "bogus" (HTTP 401)');
      expect(refused.exitCode).toBe(8);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'down deletes what the release owns and keeps namespaces, CRDs and foreign objects',
    async () => {
      const result = await printq('down');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/deleted \d+ objects of release printq/);
      expect(result.stdout).toContain('Namespace printq (holds the data: use --delete-data)');
      expect(result.stdout).toContain(
        'CustomResourceDefinition queuescalers.printq.dev (CRD: use --delete-crds)',
      );
      await waitUntilGone(appDeployment);
      expect(await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: 'printq' })).toBeDefined();
      expect(
        await kube.get({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: 'printq',
          name: 'printq-app',
        }),
      ).toBeDefined();
      expect((await printq('history')).exitCode).toBe(14);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'down --delete-data --delete-crds also removes the namespaces and the QueueScaler CRD',
    async () => {
      expect(
        (await printq('up', '--no-wait', '--cert-manager-manifest', manifestDir)).exitCode,
      ).toBe(0);
      const result = await printq('down', '--delete-data', '--delete-crds');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).not.toContain('kept:');
      await waitUntilGone({ apiVersion: 'v1', kind: 'Namespace', name: 'printq' });
      await waitUntilGone({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: 'queuescalers.printq.dev',
      });
      expect(
        await kube.get({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          name: 'certificates.cert-manager.io',
        }),
      ).toBeDefined();
    },
    STEP_TIMEOUT_MS,
  );
});
