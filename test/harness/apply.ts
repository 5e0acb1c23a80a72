import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  loadAllYaml,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Field manager of everything the tests apply, as `printq up` applies. */
export const TEST_FIELD_MANAGER = 'printq';

export interface ApplyOptions {
  /** @default TEST_FIELD_MANAGER */
  fieldManager?: string;
  /** Server-side dry run: admission and validation run, nothing is stored. @default false */
  dryRun?: boolean;
}

/**
 * Server-side applies `objects` one by one, in the given order, and returns what the
 * apiserver stored. CRDs are waited on until Established, so custom resources later in the
 * same list find their API.
 */
export async function serverSideApply<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  objects: readonly T[],
  options: ApplyOptions = {},
): Promise<KubernetesObject[]> {
  // A fresh client per call: its discovery cache would not know CRDs applied since.
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  const applied: KubernetesObject[] = [];
  for (const object of objects) {
    const stored = await client.patch(
      object,
      undefined,
      options.dryRun ? 'All' : undefined,
      options.fieldManager ?? TEST_FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
    applied.push(stored);
    if (object.kind === 'CustomResourceDefinition' && !options.dryRun) {
      await waitForCrdEstablished(kubeConfig, object.metadata?.name ?? '');
    }
  }
  return applied;
}

/** Objects of a multi-document YAML file (e.g. a vendor's CRDs), empty documents dropped. */
export function readYamlObjects(path: string): KubernetesObject[] {
  return (loadAllYaml(readFileSync(path, 'utf8')) as (KubernetesObject | null)[]).filter(
    (object): object is KubernetesObject => object !== null && object !== undefined,
  );
}

export async function waitForCrdEstablished(
  kubeConfig: KubeConfig,
  name: string,
  timeoutMs = 30_000,
): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const crd = await api.readCustomResourceDefinition({ name });
    const established = crd.status?.conditions?.some(
      (condition) => condition.type === 'Established' && condition.status === 'True',
    );
    if (established) return;
    await sleep(100);
  }
  throw new Error(`CRD ${name} was not Established within ${timeoutMs} ms`);
}
