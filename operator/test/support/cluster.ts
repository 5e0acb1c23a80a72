import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Event,
  type KubeConfig,
} from '@kubernetes/client-node';
import {
  API_VERSION,
  CRD_NAME,
  GROUP,
  KIND,
  PLURAL,
  VERSION,
  crdManifest,
  type QueueScaler,
  type QueueScalerSpecInput,
} from '@printq/crd';
import { setTimeout as sleep } from 'node:timers/promises';

/** Helpers for tests against the real apiserver of test/harness. */
export class Cluster {
  readonly apps: AppsV1Api;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  private readonly extensions: ApiextensionsV1Api;

  constructor(readonly kubeConfig: KubeConfig) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  }

  /** Applies the QueueScaler CRD from @printq/crd and waits until it is served. */
  async installCrd(): Promise<void> {
    await this.extensions.createCustomResourceDefinition({ body: crdManifest() as never });
    await waitFor(async () => {
      const crd = await this.extensions.readCustomResourceDefinition({ name: CRD_NAME });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    }, 'CRD established');
  }

  async createNamespace(name: string): Promise<void> {
    await this.core.createNamespace({ body: { metadata: { name } } });
  }

  async createDeployment(namespace: string, name: string, replicas: number): Promise<void> {
    const labels = { app: name };
    await this.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name, namespace },
        spec: {
          replicas,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'worker', image: 'printq/worker:test' }] },
          },
        },
      },
    });
  }

  async createPasswordSecret(namespace: string, name: string, password: string): Promise<void> {
    await this.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name, namespace }, stringData: { password } },
    });
  }

  async createScaler(
    namespace: string,
    name: string,
    spec: QueueScalerSpecInput,
    annotations: Record<string, string> = {},
  ): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
      body: {
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: { name, namespace, annotations },
        spec,
      },
    });
  }

  async getScaler(namespace: string, name: string): Promise<QueueScaler> {
    return (await this.custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
      name,
    })) as QueueScaler;
  }

  async patchScaler(namespace: string, name: string, patch: object): Promise<void> {
    await this.custom.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: patch },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  async deleteScaler(namespace: string, name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
      name,
    });
  }

  async replicas(namespace: string, name: string): Promise<number> {
    const scale = await this.apps.readNamespacedDeploymentScale({ namespace, name });
    return scale.spec?.replicas ?? 0;
  }

  /** What `kubectl scale deployment/<name> --replicas=N` does. */
  async scaleByHand(namespace: string, name: string, replicas: number): Promise<void> {
    await this.apps.patchNamespacedDeploymentScale(
      { namespace, name, body: { spec: { replicas } }, fieldManager: 'kubectl' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  async events(namespace: string, name: string): Promise<CoreV1Event[]> {
    const list = await this.core.listNamespacedEvent({
      namespace,
      fieldSelector: `involvedObject.name=${name}`,
    });
    return list.items;
  }

  async waitForReplicas(
    namespace: string,
    name: string,
    replicas: number,
    timeoutMs = 20_000,
  ): Promise<void> {
    await waitFor(
      async () => (await this.replicas(namespace, name)) === replicas,
      `Deployment ${namespace}/${name} at ${replicas} replicas`,
      timeoutMs,
    );
  }
}

/** Polls `condition` every 100 ms until it is truthy; fails with `what` after the timeout. */
export async function waitFor(
  condition: () => Promise<unknown> | unknown,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  const detail = lastError ? ` (last error: ${String(lastError)})` : '';
  throw new Error(`timed out waiting for ${what}${detail}`);
}
