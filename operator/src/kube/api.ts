import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Scale,
  type V1Secret,
} from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type QueueScalerStatus } from '@printq/crd';
import { ErrorReason, KubeError, errorMessage } from '../errors.js';

/** The field manager the operator writes with, so `kubectl get -o yaml` names the owner. */
export const FIELD_MANAGER = 'printq-operator';

/** Reference to the object an Event is about. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
}

export interface ScaleReading {
  replicas: number;
  selector?: string;
}

export type EventType = 'Normal' | 'Warning';

/**
 * The operator's few Kubernetes calls, each with a catalog reason on failure. Merge patches
 * carry their Content-Type explicitly: client-node 1.x otherwise sends JSON patch (#1398).
 */
export class KubeApi {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(
    kubeConfig: KubeConfig,
    /** Pod name, recorded as the reporting instance of Events. */
    private readonly identity: string,
  ) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async readDeploymentScale(namespace: string, name: string): Promise<ScaleReading> {
    try {
      const scale = await this.apps.readNamespacedDeploymentScale({ namespace, name });
      return toReading(scale);
    } catch (error) {
      throw kubeError(error, `read scale of Deployment ${namespace}/${name}`);
    }
  }

  /** Sets `spec.replicas` through the scale subresource and returns what the server holds. */
  async patchDeploymentScale(
    namespace: string,
    name: string,
    replicas: number,
  ): Promise<ScaleReading> {
    try {
      const scale = await this.apps.patchNamespacedDeploymentScale(
        { namespace, name, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      return toReading(scale);
    } catch (error) {
      throw kubeError(error, `scale Deployment ${namespace}/${name} to ${replicas}`);
    }
  }

  /** Merge-patches the status subresource; the conditions list is replaced as a whole. */
  async patchQueueScalerStatus(
    namespace: string,
    name: string,
    status: QueueScalerStatus,
  ): Promise<void> {
    try {
      await this.custom.patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURAL,
          name,
          body: { status },
          fieldManager: FIELD_MANAGER,
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      throw kubeError(error, `update status of QueueScaler ${namespace}/${name}`);
    }
  }

  async readSecret(namespace: string, name: string): Promise<V1Secret> {
    try {
      return await this.core.readNamespacedSecret({ namespace, name });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) {
        throw new KubeError(
          ErrorReason.SecretNotFound,
          `Secret ${namespace}/${name} does not exist`,
          false,
          { cause: error },
        );
      }
      throw kubeError(error, `read Secret ${namespace}/${name}`);
    }
  }

  /** Records a core/v1 Event (what `kubectl describe` and `kubectl events` show). */
  async recordEvent(
    regarding: ObjectRef,
    type: EventType,
    reason: string,
    message: string,
    now: Date,
  ): Promise<void> {
    try {
      await this.core.createNamespacedEvent({
        namespace: regarding.namespace,
        body: {
          metadata: { generateName: `${regarding.name}.`, namespace: regarding.namespace },
          involvedObject: { ...regarding },
          type,
          reason,
          message: message.slice(0, 1024),
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          source: { component: FIELD_MANAGER },
          reportingComponent: 'printq.dev/operator',
          reportingInstance: this.identity,
          action: reason,
        },
      });
    } catch (error) {
      throw kubeError(error, `record Event ${reason} on ${regarding.kind} ${regarding.name}`);
    }
  }
}

function toReading(scale: V1Scale): ScaleReading {
  return {
    replicas: scale.spec?.replicas ?? 0,
    ...(scale.status?.selector ? { selector: scale.status.selector } : {}),
  };
}

/** HTTP status of a client-node failure, if it has one. */
export function httpStatus(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function kubeError(error: unknown, action: string): KubeError {
  const status = httpStatus(error);
  if (status === 404) {
    return new KubeError(ErrorReason.TargetNotFound, `${action}: not found`, false, {
      cause: error,
    });
  }
  const transient = status === undefined || status === 409 || status === 429 || status >= 500;
  const detail = error instanceof ApiException ? apiMessage(error) : errorMessage(error);
  return new KubeError(ErrorReason.ScaleFailed, `${action}: ${detail}`, transient, {
    cause: error,
  });
}

function apiMessage(error: ApiException<unknown>): string {
  const body = error.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return `${error.code} ${parsed.message}`;
    } catch {
      // not JSON: fall through to the raw text
    }
    return `${error.code} ${body.slice(0, 300)}`;
  }
  return `HTTP ${error.code}`;
}
