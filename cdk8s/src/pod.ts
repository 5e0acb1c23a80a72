import { k8s } from 'cdk8s-plus-33';
import { containerSecurityContext, podSecurityContext } from './security.js';
import type { Settings } from './settings.js';

type Resources = Settings['app']['resources'];

/** Requests and limits as Kubernetes quantities; every container sets both. */
export function resources(r: Resources): k8s.ResourceRequirements {
  return {
    requests: {
      cpu: k8s.Quantity.fromString(r.requests.cpu),
      memory: k8s.Quantity.fromString(r.requests.memory),
    },
    limits: {
      cpu: k8s.Quantity.fromString(r.limits.cpu),
      memory: k8s.Quantity.fromString(r.limits.memory),
    },
  };
}

/** An HTTP GET probe on a named container port. */
export function httpProbe(
  path: string,
  port: string,
  overrides: Partial<k8s.Probe> = {},
): k8s.Probe {
  return {
    httpGet: { path, port: k8s.IntOrString.fromString(port) },
    periodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
    ...overrides,
  };
}

/** A writable scratch directory under a read-only root filesystem. */
export interface ScratchDir {
  readonly name: string;
  readonly mountPath: string;
  /** @default 64Mi */
  readonly sizeLimit?: string;
  /** tmpfs: for secrets or tiny files that must never touch the node's disk. @default false */
  readonly memory?: boolean;
}

export function scratchVolume(dir: ScratchDir): k8s.Volume {
  return {
    name: dir.name,
    emptyDir: {
      sizeLimit: k8s.Quantity.fromString(dir.sizeLimit ?? '64Mi'),
      ...(dir.memory ? { medium: 'Memory' } : {}),
    },
  };
}

export interface HardenedContainerProps {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy: string;
  readonly uid: number;
  readonly gid: number;
  readonly resources: Resources;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: k8s.EnvVar[];
  readonly ports?: k8s.ContainerPort[];
  readonly volumeMounts?: k8s.VolumeMount[];
  readonly livenessProbe?: k8s.Probe;
  readonly readinessProbe?: k8s.Probe;
  readonly startupProbe?: k8s.Probe;
  readonly lifecycle?: k8s.Lifecycle;
}

/** A container with the hardening of security.ts; callers cannot weaken it. */
export function hardenedContainer(props: HardenedContainerProps): k8s.Container {
  return {
    name: props.name,
    image: props.image,
    imagePullPolicy: props.imagePullPolicy,
    command: props.command,
    args: props.args,
    env: props.env,
    ports: props.ports,
    volumeMounts: props.volumeMounts,
    resources: resources(props.resources),
    livenessProbe: props.livenessProbe,
    readinessProbe: props.readinessProbe,
    startupProbe: props.startupProbe,
    lifecycle: props.lifecycle,
    securityContext: containerSecurityContext(props.uid, props.gid),
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

export interface HardenedPodProps {
  readonly serviceAccountName: string;
  readonly automountServiceAccountToken: boolean;
  readonly uid: number;
  readonly gid: number;
  readonly containers: k8s.Container[];
  readonly initContainers?: k8s.Container[];
  readonly volumes?: k8s.Volume[];
  readonly terminationGracePeriodSeconds?: number;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: k8s.Toleration[];
}

/** Pod spec with the pod-level hardening; service links off (env noise, name collisions). */
export function hardenedPod(props: HardenedPodProps): k8s.PodSpec {
  return {
    serviceAccountName: props.serviceAccountName,
    automountServiceAccountToken: props.automountServiceAccountToken,
    enableServiceLinks: false,
    securityContext: podSecurityContext(props.uid, props.gid),
    containers: props.containers,
    initContainers: props.initContainers,
    volumes: props.volumes,
    terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
    nodeSelector: props.nodeSelector,
    tolerations: props.tolerations,
  };
}

/** `value` as a plain env var. */
export function env(name: string, value: string | number): k8s.EnvVar {
  return { name, value: String(value) };
}

/** The pod's own namespace/name through the downward API. */
export function fieldEnv(name: string, fieldPath: string): k8s.EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}
