/**
 * The synthesized manifests of both profiles against a real kube-apiserver (test/harness):
 * every object accepted by server-side apply, the CRDs for real, and every pod template
 * admitted by Pod Security `restricted` in the namespaces the manifests create.
 *
 * cert-manager itself does not run here (no kubelet for its webhook); its CRDs, pinned in
 * cdk8s/crds, are applied so its Certificate and ClusterIssuer objects are validated by
 * their real schemas, and its namespace is created as its install would.
 */
import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1Pod,
  type V1PodTemplateSpec,
} from '@kubernetes/client-node';
import { PROFILES, synthesize, type ManifestObject, type Profile } from '@printq/cdk8s';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { refusalOf } from '../harness/api-errors.js';
import { readYamlObjects, serverSideApply, TEST_FIELD_MANAGER } from '../harness/apply.js';
import { describeWithControlPlane, useControlPlane } from '../harness/jest-control-plane.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Settings a profile cannot synthesize without (production needs an ACME account). */
const REQUIRED_OVERRIDES: Record<Profile, Record<string, string>> = {
  kind: {},
  production: { 'tls.acmeEmail': 'ops@printq.example' },
};

/** Namespace cert-manager's own install creates; the kind profile's root CA lives there. */
const CERT_MANAGER_NAMESPACE = 'cert-manager';

for (const profile of PROFILES) {
  describeWithControlPlane(`the ${profile} profile on a real apiserver`, () => {
    const plane = useControlPlane();
    let objects: ManifestObject[] = [];
    let applied: KubernetesObject[] = [];

    beforeAll(async () => {
      objects = synthesize(profile, REQUIRED_OVERRIDES[profile]);
      await installCertManagerApi(plane().kubeConfig);
      applied = await serverSideApply(plane().kubeConfig, objects);
    }, 120_000);

    it('accepts every object with server-side apply, owned by field manager "printq"', () => {
      expect(applied.map(identify)).toEqual(objects.map(identify));
      const notOwned = applied.filter((object) => !appliedBy(object, TEST_FIELD_MANAGER));
      expect(notOwned.map(identify)).toEqual([]);
    });

    it('changes nothing when the same objects are applied again', async () => {
      const again = await serverSideApply(plane().kubeConfig, objects);
      const changed = again.filter((object, index) => {
        const first = applied[index];
        return first === undefined || specRevision(object) !== specRevision(first);
      });
      expect(changed.map(identify)).toEqual([]);
    });

    it('enforces Pod Security "restricted" in every namespace it creates', async () => {
      const core = plane().kubeConfig.makeApiClient(CoreV1Api);
      const namespaces = objects.filter((object) => object.kind === 'Namespace');
      expect(namespaces.length).toBeGreaterThan(0);
      for (const namespace of namespaces) {
        const stored = await core.readNamespace({ name: namespace.metadata.name });
        expect(stored.metadata?.labels).toMatchObject({
          'pod-security.kubernetes.io/enforce': 'restricted',
        });
      }
    });

    it('has every pod template admitted by Pod Security "restricted"', async () => {
      const core = plane().kubeConfig.makeApiClient(CoreV1Api);
      const workloads = objects.filter((object) => podTemplateOf(object) !== undefined);
      expect(workloads.length).toBeGreaterThanOrEqual(4);
      const refused: string[] = [];
      for (const workload of workloads) {
        const pod = podFromTemplate(workload);
        const namespace = pod.metadata?.namespace ?? '';
        await core
          .createNamespacedPod({ namespace, body: pod, dryRun: 'All' })
          .catch(async (error: unknown) => {
            const refusal = await refusalOf(Promise.reject(error));
            refused.push(`${identify(workload)}: ${refusal.message}`);
          });
      }
      expect(refused).toEqual([]);
    });

    it('gets real pods created from every Deployment and StatefulSet by their controllers', async () => {
      const core = plane().kubeConfig.makeApiClient(CoreV1Api);
      const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
      const withoutPods = await waitForPods(core, workloads, 90_000);
      expect(withoutPods).toEqual([]);
    }, 120_000);

    it('refuses a template that loses one restricted setting (admission really runs)', async () => {
      const workload = objects.find((object) => object.kind === 'Deployment');
      if (!workload) throw new Error(`the ${profile} profile has no Deployment`);
      const pod = podFromTemplate(workload);
      const container = pod.spec?.containers[0];
      if (!container) throw new Error(`${identify(workload)} has no container`);
      container.securityContext = { ...container.securityContext, allowPrivilegeEscalation: true };

      const refusal = await refusalOf(
        plane()
          .kubeConfig.makeApiClient(CoreV1Api)
          .createNamespacedPod({
            namespace: pod.metadata?.namespace ?? '',
            body: pod,
            dryRun: 'All',
          }),
      );

      expect(refusal.code).toBe(403);
      expect(refusal.message).toContain('violates PodSecurity "restricted:latest"');
      expect(refusal.message).toContain('allowPrivilegeEscalation != false');
    });
  });
}

/**
 * Waits until the controllers (kube-controller-manager in the harness) created at least one
 * Pod for each workload, which Pod Security admission let through. Returns the workloads
 * still without pods at the deadline, each with the controllers' FailedCreate messages.
 */
async function waitForPods(
  core: CoreV1Api,
  workloads: readonly ManifestObject[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let waiting = [...workloads];
  while (waiting.length > 0 && Date.now() < deadline) {
    const counts = await Promise.all(waiting.map((workload) => countPods(core, workload)));
    waiting = waiting.filter((_, index) => counts[index] === 0);
    if (waiting.length > 0) await sleep(500);
  }
  return Promise.all(
    waiting.map(
      async (workload) => `${identify(workload)}: ${await failedCreates(core, workload)}`,
    ),
  );
}

async function countPods(core: CoreV1Api, workload: ManifestObject): Promise<number> {
  const selector = (workload.spec as { selector?: { matchLabels?: Record<string, string> } })
    .selector?.matchLabels;
  const labelSelector = Object.entries(selector ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const pods = await core.listNamespacedPod({
    namespace: workload.metadata.namespace ?? '',
    labelSelector,
  });
  return pods.items.length;
}

async function failedCreates(core: CoreV1Api, workload: ManifestObject): Promise<string> {
  const events = await core.listNamespacedEvent({ namespace: workload.metadata.namespace ?? '' });
  const messages = events.items
    .filter((event) => event.reason === 'FailedCreate')
    .filter((event) => event.involvedObject.name?.startsWith(workload.metadata.name))
    .map((event) => event.message);
  return messages.length > 0 ? messages.join('; ') : 'no pods and no FailedCreate events';
}

/** cert-manager's pinned CRDs (cdk8s/crds/cert-manager-<version>) and its namespace. */
async function installCertManagerApi(kubeConfig: KubeConfig): Promise<void> {
  const crdsRoot = join(repoRoot, 'cdk8s', 'crds');
  const versions = readdirSync(crdsRoot).filter((entry) => entry.startsWith('cert-manager-'));
  if (versions.length !== 1) {
    throw new Error(`expected one cert-manager CRD folder in ${crdsRoot}, found ${versions}`);
  }
  const dir = join(crdsRoot, versions[0] ?? '');
  const crds = readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) => readYamlObjects(join(dir, file)));
  const namespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: CERT_MANAGER_NAMESPACE },
  };
  await serverSideApply(kubeConfig, [...crds, namespace], { fieldManager: 'cert-manager-install' });
}

function podTemplateOf(object: ManifestObject): V1PodTemplateSpec | undefined {
  const spec = object.spec as
    | { template?: V1PodTemplateSpec; jobTemplate?: { spec?: { template?: V1PodTemplateSpec } } }
    | undefined;
  return spec?.template ?? spec?.jobTemplate?.spec?.template;
}

/**
 * The Pod a controller would create from the workload's template. A StatefulSet's pod also
 * gets the PVC volumes its controller adds from `volumeClaimTemplates`.
 */
function podFromTemplate(workload: ManifestObject): V1Pod {
  const template = structuredClone(podTemplateOf(workload));
  if (!template?.spec) throw new Error(`${identify(workload)} has no pod template spec`);
  const claims =
    (workload.spec as { volumeClaimTemplates?: { metadata?: { name?: string } }[] })
      .volumeClaimTemplates ?? [];
  const claimVolumes = claims.map((claim) => ({
    name: claim.metadata?.name ?? '',
    persistentVolumeClaim: { claimName: `${claim.metadata?.name}-${workload.metadata.name}-0` },
  }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${workload.metadata.name}-template-check`,
      namespace: workload.metadata.namespace,
      labels: template.metadata?.labels,
      annotations: template.metadata?.annotations,
    },
    spec: { ...template.spec, volumes: [...(template.spec.volumes ?? []), ...claimVolumes] },
  };
}

/**
 * What changes when someone writes the object's spec: `generation` where the API keeps one
 * (controllers updating status, like the Deployment controller here, leave it alone), else
 * the resourceVersion (nothing else writes those objects in this cluster).
 */
function specRevision(object: KubernetesObject): string {
  const { generation, resourceVersion } = object.metadata ?? {};
  return generation !== undefined
    ? `generation ${generation}`
    : `resourceVersion ${resourceVersion}`;
}

function appliedBy(object: KubernetesObject, manager: string): boolean {
  return (object.metadata?.managedFields ?? []).some(
    (entry) => entry.manager === manager && entry.operation === 'Apply',
  );
}

function identify(object: KubernetesObject): string {
  const namespace = object.metadata?.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${namespace}${object.metadata?.name}`;
}
