// The CRD against a real kube-apiserver (test/harness): the apiserver accepts the schema as
// structural, compiles the CEL rules, applies the same defaults as withDefaults(), rejects
// invalid specs with our messages, and serves the status and scale subresources.
//
// The CRD is applied as raw JSON, as kubectl and helm send it: client-node's typed
// serializer (KubernetesObjectApi, ApiextensionsV1Api with a plain object) silently drops
// `default`, `enum` and `x-kubernetes-*` keys of V1JSONSchemaProps, whose model names them
// `_default`, `_enum`, … — a CRD applied that way loses its defaults and CEL rules.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { refusalOf } from '../../../test/harness/api-errors.js';
import { waitForCrdEstablished } from '../../../test/harness/apply.js';
import {
  describeWithControlPlane,
  useControlPlane,
} from '../../../test/harness/jest-control-plane.js';
import {
  API_VERSION,
  CRD_NAME,
  crdManifest,
  GROUP,
  KIND,
  PLURAL,
  Reason,
  specProblems,
  VERSION,
  withDefaults,
} from '../src/index.js';
import { celViolations, fieldViolations, validSpec } from './invalid-specs.js';
import type { QueueScaler, QueueScalerSpecInput } from '../src/index.js';

const namespace = 'default';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function scaler(name: string, spec: unknown): KubernetesObject {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace },
    spec,
  } as KubernetesObject;
}

describeWithControlPlane('QueueScaler CRD on a real apiserver', () => {
  const plane = useControlPlane({ controllers: false });
  const api = () => plane().kubeConfig.makeApiClient(CustomObjectsApi);
  const create = (name: string, spec: unknown) =>
    api().createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
      body: scaler(name, spec),
    });

  beforeAll(async () => {
    await applyRawCrd(plane().kubeConfig);
  }, 60_000);

  it('stores a minimal QueueScaler with exactly the defaults withDefaults() predicts', async () => {
    const stored = (await create('minimal', validSpec)) as QueueScaler;
    expect(stored.spec).toEqual(withDefaults(validSpec));
    expect(specProblems(stored.spec)).toEqual([]);
  });

  it('accepts the documented example as written', async () => {
    const path = fileURLToPath(new URL('../examples/worker.queuescaler.yaml', import.meta.url));
    const example = parse(readFileSync(path, 'utf8')) as { spec: QueueScalerSpecInput };
    const stored = (await create('example', example.spec)) as QueueScaler;
    expect(stored.spec).toEqual(withDefaults(example.spec));
  });

  it('keeps nested values the user set and defaults their siblings', async () => {
    const spec: QueueScalerSpecInput = {
      ...validSpec,
      targetJobsPerReplica: undefined,
      targetLatencySeconds: 2.5,
      serviceTimeSeconds: 0.8,
      behavior: { scaleUp: { policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] } },
    };
    delete spec.targetJobsPerReplica;
    const stored = (await create('nested', spec)) as QueueScaler;
    expect(stored.spec).toEqual(withDefaults(spec));
    expect(stored.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(30);
  });

  const refuse = (spec: unknown) =>
    refusalOf(
      create(`bad-${Math.random().toString(36).slice(2, 8)}`, JSON.parse(JSON.stringify(spec))),
    );

  it.each(celViolations)(
    'rejects %s with the CEL message, and specProblems() agrees',
    async (_name, spec, message) => {
      const refusal = await refuse(spec);
      expect(refusal.code).toBe(422);
      expect(refusal.message).toContain(message);
      expect(specProblems(withDefaults(spec)).join('\n')).toContain(message);
    },
  );

  it.each(fieldViolations)('rejects %s with a clear message', async (_name, spec, message) => {
    const refusal = await refuse(spec);
    expect(refusal.code).toBe(422);
    expect(refusal.message).toContain(message);
  });

  it('takes status through the status subresource with catalog reasons only', async () => {
    await create('with-status', validSpec);
    const condition = {
      type: 'Ready',
      status: 'True',
      reason: Reason.Reconciled,
      message: 'ok',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    };
    const patch = (reason: string) =>
      api().patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURAL,
          name: 'with-status',
          body: {
            status: {
              queueDepth: 42,
              currentReplicas: 3,
              selector: 'app=worker',
              conditions: [{ ...condition, reason }],
            },
          },
        },
        mergePatch,
      );
    const stored = (await patch(Reason.Reconciled)) as QueueScaler;
    expect(stored.status?.queueDepth).toBe(42);
    const refusal = await refusalOf(patch('MadeUpReason'));
    expect(refusal.message).toContain('reason');
  });

  it('lists with the printer columns kubectl get shows', async () => {
    await create('printed', validSpec);
    await api().patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        name: 'printed',
        body: { status: { queueDepth: 120, desiredReplicas: 12, currentReplicas: 4 } },
      },
      mergePatch,
    );
    const { status, body } = await rawRequest(
      plane().kubeConfig,
      'GET',
      `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}/printed`,
      { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } },
    );
    expect(status).toBe(200);
    const table = JSON.parse(body) as {
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    };
    const names = table.columnDefinitions.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining(['Name', 'Target', 'Depth', 'Desired', 'Current', 'Age']),
    );
    const cell = (name: string) => table.rows[0]?.cells[names.indexOf(name)];
    expect([cell('Target'), cell('Depth'), cell('Desired'), cell('Current')]).toEqual([
      'worker',
      120,
      12,
      4,
    ]);
  });

  it('maps kubectl scale onto minReplicas and reports current replicas and selector', async () => {
    await create('scalable', validSpec);
    const ref = { group: GROUP, version: VERSION, namespace, plural: PLURAL, name: 'scalable' };
    await api().patchNamespacedCustomObjectStatus(
      { ...ref, body: { status: { currentReplicas: 7, selector: 'app=worker' } } },
      mergePatch,
    );
    await api().patchNamespacedCustomObjectScale(
      { ...ref, body: { spec: { replicas: 3 } } },
      mergePatch,
    );
    const stored = (await api().getNamespacedCustomObject(ref)) as QueueScaler;
    expect(stored.spec.minReplicas).toBe(3);
    const scale = (await api().getNamespacedCustomObjectScale(ref)) as {
      spec: { replicas: number };
      status: { replicas: number; selector: string };
    };
    expect(scale.spec.replicas).toBe(3);
    expect(scale.status).toEqual({ replicas: 7, selector: 'app=worker' });
    const refusal = await refusalOf(
      api().patchNamespacedCustomObjectScale(
        { ...ref, body: { spec: { replicas: 99 } } },
        mergePatch,
      ),
    );
    expect(refusal.message).toContain('minReplicas must not exceed maxReplicas');
  });
});

/** Server-side applies the CRD as raw JSON and waits until it is Established. */
async function applyRawCrd(kubeConfig: KubeConfig): Promise<void> {
  const path =
    `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}` +
    '?fieldManager=printq-test&force=true';
  const { status } = await rawRequest(kubeConfig, 'PATCH', path, {
    headers: { 'Content-Type': 'application/apply-patch+yaml' },
    body: JSON.stringify(crdManifest()),
  });
  if (status !== 200 && status !== 201) throw new Error(`applying the CRD answered ${status}`);
  await waitForCrdEstablished(kubeConfig, CRD_NAME);
}

async function rawRequest(
  kubeConfig: KubeConfig,
  method: string,
  path: string,
  extra: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const options = { method, timeout: 10_000, headers: extra.headers ?? {} };
  await kubeConfig.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, cluster.server), options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    req.end(extra.body);
  });
}
