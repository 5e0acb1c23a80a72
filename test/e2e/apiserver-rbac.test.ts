/**
 * The operator's ServiceAccount, with the RBAC the manifests give it, against a real
 * kube-apiserver (test/harness): it can make every request the operator makes and nothing
 * outside that. Checked with SelfSubjectAccessReview/SelfSubjectRulesReview as the account
 * (a TokenRequest token), and with a few real requests.
 */
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1ResourceAttributes,
} from '@kubernetes/client-node';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from '@printq/crd';
import { NAMES, synthesizeFiles, type ManifestObject } from '@printq/cdk8s';
import { refusalOf } from '../harness/api-errors.js';
import { serverSideApply } from '../harness/apply.js';
import { describeWithControlPlane, useControlPlane } from '../harness/jest-control-plane.js';

/** Files of the kind profile the operator's rights depend on (CRD, namespaces, workloads). */
const NEEDED_FILES = ['00-crds', '01-namespaces', '05-worker', '06-operator'];

/** A request, written as `group/resource[/subresource] verb [name]` ('' = core group). */
type Access = string;

/**
 * Every request operator/src makes in its own namespace (kube/api.ts, kube/lease.ts, the
 * informers in operator.ts). Written out here, not derived from the Role, so the test fails
 * when the Role and the operator drift apart.
 */
const OPERATOR_NEEDS: readonly Access[] = [
  `${GROUP}/${PLURAL} get`,
  `${GROUP}/${PLURAL} list`,
  `${GROUP}/${PLURAL} watch`,
  `${GROUP}/${PLURAL}/status patch`,
  'apps/deployments list',
  'apps/deployments watch',
  'apps/deployments/scale get',
  'apps/deployments/scale patch',
  '/events create',
  'coordination.k8s.io/leases create',
  `coordination.k8s.io/leases get ${NAMES.operator}`,
  `coordination.k8s.io/leases update ${NAMES.operator}`,
  `/secrets get ${NAMES.redis}`,
];

/** What a compromised operator must not be able to do. */
const FORBIDDEN: readonly { access: Access; namespace?: string; why: string }[] = [
  { access: '/secrets list', why: 'list Secrets in its namespace' },
  { access: '/secrets watch', why: 'watch Secrets in its namespace' },
  { access: '/secrets get printq-tls', why: 'read the TLS key' },
  { access: '/secrets list', namespace: '', why: 'list Secrets cluster-wide' },
  { access: '/secrets get printq-redis', namespace: 'kube-system', why: 'read Secrets elsewhere' },
  { access: 'apps/deployments delete', why: 'delete Deployments' },
  { access: 'apps/deployments update', why: 'change a Deployment spec (image, command)' },
  { access: 'apps/deployments patch', why: 'patch a Deployment spec' },
  { access: 'apps/deployments create', why: 'create Deployments' },
  { access: 'apps/deployments/scale patch', namespace: 'default', why: 'scale elsewhere' },
  { access: '/pods create', why: 'start pods' },
  { access: '/pods/exec create', why: 'exec into pods' },
  { access: `${GROUP}/${PLURAL} update`, why: 'rewrite a scaler spec' },
  { access: `${GROUP}/${PLURAL} delete`, why: 'delete scalers' },
  { access: `${GROUP}/${PLURAL} create`, why: 'create scalers' },
  { access: `${GROUP}/${PLURAL} list`, namespace: 'default', why: 'read scalers elsewhere' },
  { access: 'coordination.k8s.io/leases update kube-scheduler', why: 'take other leases' },
  { access: 'rbac.authorization.k8s.io/roles escalate', why: 'escalate its own rights' },
  { access: 'rbac.authorization.k8s.io/rolebindings create', why: 'bind itself more' },
  { access: '/serviceaccounts/token create', why: 'mint tokens for others' },
  { access: '/namespaces list', namespace: '', why: 'list namespaces' },
  { access: '/nodes list', namespace: '', why: 'read nodes' },
];

/** Rules every authenticated user has (system:basic-user), not part of the operator's Role. */
const EVERYONE_MAY = new Set([
  'authorization.k8s.io/selfsubjectaccessreviews create',
  'authorization.k8s.io/selfsubjectrulesreviews create',
  'authentication.k8s.io/selfsubjectreviews create',
]);

describeWithControlPlane("the operator's ServiceAccount on a real apiserver", () => {
  const plane = useControlPlane();
  let namespace = '';
  let operator: KubeConfig;

  beforeAll(async () => {
    const objects = synthesizeFiles('kind')
      .filter((file) => NEEDED_FILES.includes(file.file))
      .flatMap((file) => file.objects);
    namespace = namespaceOfOperator(objects);
    await serverSideApply(plane().kubeConfig, objects);
    operator = new KubeConfig();
    operator.loadFromFile(await plane().serviceAccountKubeconfig(namespace, NAMES.operator));
  }, 120_000);

  it('is allowed every request the operator makes', async () => {
    const denied: Access[] = [];
    for (const access of OPERATOR_NEEDS) {
      if (!(await isAllowed(operator, access, namespace))) denied.push(access);
    }
    expect(denied).toEqual([]);
  });

  it('is refused everything a compromised operator must not do', async () => {
    const allowed: string[] = [];
    for (const { access, namespace: where, why } of FORBIDDEN) {
      if (await isAllowed(operator, access, where ?? namespace)) allowed.push(`${access}: ${why}`);
    }
    expect(allowed).toEqual([]);
  });

  it('holds no rights in its namespace beyond what the operator uses', async () => {
    const granted = await grantedIn(operator, namespace);
    const expected = new Set(OPERATOR_NEEDS);
    expect(granted).toEqual(expect.arrayContaining([...OPERATOR_NEEDS]));
    expect(granted.filter((access) => !expected.has(access))).toEqual([]);
  });

  it('holds no rights at all in another namespace', async () => {
    expect(await grantedIn(operator, 'default')).toEqual([]);
  });

  it('really scales the worker Deployment and writes scaler status as the operator does', async () => {
    const apps = operator.makeApiClient(AppsV1Api);
    const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await apps.patchNamespacedDeploymentScale(
      { namespace, name: NAMES.worker, body: { spec: { replicas: 3 } }, fieldManager: 'test' },
      mergePatch,
    );
    const scale = await apps.readNamespacedDeploymentScale({ namespace, name: NAMES.worker });
    expect(scale.spec?.replicas).toBe(3);

    const scalers = await operator.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
    });
    expect((scalers as { items: { kind?: string }[] }).items.map((item) => item.kind)).toEqual([
      KIND,
    ]);
    await operator.makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        name: NAMES.workerScaler,
        body: { status: { observedGeneration: 1 } },
      },
      mergePatch,
    );
  });

  it('really takes its Lease and records an Event', async () => {
    const leases = operator.makeApiClient(CoordinationV1Api);
    const lease = await leases.createNamespacedLease({
      namespace,
      body: { metadata: { name: NAMES.operator }, spec: { holderIdentity: 'operator-0' } },
    });
    await leases.replaceNamespacedLease({
      namespace,
      name: NAMES.operator,
      body: { ...lease, spec: { ...lease.spec, holderIdentity: 'operator-1' } },
    });
    const event = await operator.makeApiClient(CoreV1Api).createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${NAMES.workerScaler}.` },
        involvedObject: {
          apiVersion: API_VERSION,
          kind: KIND,
          name: NAMES.workerScaler,
          namespace,
        },
        reason: 'Scaled',
        message: 'test',
        type: 'Normal',
      },
    });
    expect(event.metadata?.name).toMatch(new RegExp(`^${NAMES.workerScaler}\\.`));
  });

  it('gets 403 Forbidden for Secrets, deletes and other namespaces', async () => {
    const core = operator.makeApiClient(CoreV1Api);
    const apps = operator.makeApiClient(AppsV1Api);
    const refusals = await Promise.all([
      refusalOf(core.listNamespacedSecret({ namespace })),
      refusalOf(core.listSecretForAllNamespaces()),
      refusalOf(apps.deleteNamespacedDeployment({ namespace, name: NAMES.worker })),
      refusalOf(apps.listNamespacedDeployment({ namespace: 'default' })),
    ]);
    expect(refusals.map((refusal) => refusal.code)).toEqual([403, 403, 403, 403]);
    expect(refusals[0]?.message).toContain(
      `"system:serviceaccount:${namespace}:${NAMES.operator}" cannot list resource "secrets"`,
    );
  });
});

function namespaceOfOperator(objects: readonly ManifestObject[]): string {
  const account = objects.find(
    (object) => object.kind === 'ServiceAccount' && object.metadata.name === NAMES.operator,
  );
  if (!account?.metadata.namespace)
    throw new Error('the manifests have no operator ServiceAccount');
  return account.metadata.namespace;
}

/** `apps/deployments/scale patch name` → SelfSubjectAccessReview resource attributes. */
function toAttributes(access: Access, namespace: string): V1ResourceAttributes {
  const [path = '', verb = '', name] = access.split(' ');
  const [group = '', resource = '', subresource] = path.split('/');
  return {
    group,
    resource,
    verb,
    ...(subresource ? { subresource } : {}),
    ...(name ? { name } : {}),
    ...(namespace ? { namespace } : {}),
  };
}

async function isAllowed(kubeConfig: KubeConfig, access: Access, namespace: string) {
  const review = await kubeConfig.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: toAttributes(access, namespace) } },
  });
  return review.status?.allowed === true;
}

/** Every (resource, verb, name) the account holds in `namespace`, as Access strings. */
async function grantedIn(kubeConfig: KubeConfig, namespace: string): Promise<Access[]> {
  const review = await kubeConfig.makeApiClient(AuthorizationV1Api).createSelfSubjectRulesReview({
    body: { spec: { namespace } },
  });
  const granted = (review.status?.resourceRules ?? []).flatMap((rule) =>
    (rule.apiGroups ?? []).flatMap((group) =>
      (rule.resources ?? []).flatMap((resource) =>
        rule.verbs.flatMap((verb) =>
          (rule.resourceNames?.length ? rule.resourceNames : [undefined]).map((name) =>
            [`${group}/${resource}`, verb, name].filter(Boolean).join(' '),
          ),
        ),
      ),
    ),
  );
  return [...new Set(granted)].filter((access) => !EVERYONE_MAY.has(access)).sort();
}
