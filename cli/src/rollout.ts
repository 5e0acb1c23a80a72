import { CliError } from './errors.js';
import type { KubeClient } from './kube.js';
import type { KubeObject, ObjectRef } from './objects.js';
import { describeRef } from './objects.js';
import type { Progress } from './progress.js';
import type { Now, Sleep } from './time.js';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;

export type RolloutState = 'waiting' | 'ready' | 'failed';

export interface RolloutStatus {
  state: RolloutState;
  message: string;
  /** No controller has ever written status for the current generation. */
  unobserved: boolean;
}

interface WorkloadFields {
  metadata: { generation?: number };
  spec?: { replicas?: number; updateStrategy?: { type?: string } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export function isWorkload(ref: ObjectRef): boolean {
  return (WORKLOAD_KINDS as readonly string[]).includes(ref.kind) && ref.apiVersion === 'apps/v1';
}

/** Whether a workload has finished rolling out, judged from its status alone (pure). */
export function rolloutStatus(object: KubeObject): RolloutStatus {
  const workload = object as unknown as WorkloadFields;
  const generation = workload.metadata.generation ?? 0;
  const status = workload.status ?? {};
  if ((status.observedGeneration ?? 0) < generation) {
    return {
      state: 'waiting',
      message: 'waiting for the controller to observe the new spec',
      unobserved: true,
    };
  }
  switch (object.kind) {
    case 'Deployment':
      return deploymentStatus(workload);
    case 'StatefulSet':
      return statefulSetStatus(workload);
    default:
      return daemonSetStatus(workload);
  }
}

function deploymentStatus(workload: WorkloadFields): RolloutStatus {
  const status = workload.status ?? {};
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      state: 'failed',
      message: progressing.message ?? 'progress deadline exceeded',
      unobserved: false,
    };
  }
  const desired = workload.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired) return waiting(`${updated} of ${desired} replicas updated`);
  if (total > updated) return waiting(`${total - updated} old replica(s) pending termination`);
  if (available < updated) return waiting(`${available} of ${updated} updated replicas available`);
  return { state: 'ready', message: `${available}/${desired} available`, unobserved: false };
}

function statefulSetStatus(workload: WorkloadFields): RolloutStatus {
  const status = workload.status ?? {};
  const desired = workload.spec?.replicas ?? 1;
  const ready = status.readyReplicas ?? 0;
  if (ready < desired) return waiting(`${ready} of ${desired} replicas ready`);
  const rolling = (workload.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && status.updateRevision !== status.currentRevision) {
    return waiting(`${status.updatedReplicas ?? 0} of ${desired} replicas updated`);
  }
  return { state: 'ready', message: `${ready}/${desired} ready`, unobserved: false };
}

function daemonSetStatus(workload: WorkloadFields): RolloutStatus {
  const status = workload.status ?? {};
  const desired = status.desiredNumberScheduled ?? 0;
  const updated = status.updatedNumberScheduled ?? 0;
  const available = status.numberAvailable ?? 0;
  if (updated < desired) return waiting(`${updated} of ${desired} pods updated`);
  if (available < desired) return waiting(`${available} of ${desired} pods available`);
  return { state: 'ready', message: `${available}/${desired} available`, unobserved: false };
}

function waiting(message: string): RolloutStatus {
  return { state: 'waiting', message, unobserved: false };
}

export interface WaitOptions {
  timeoutMs: number;
  /** @default 1000 */
  pollIntervalMs?: number;
  sleep: Sleep;
  now: Now;
  progress: Progress;
}

/**
 * Polls every workload until all are ready, one fails, or the timeout passes. A timeout where
 * nothing was ever observed says so: a cluster without kube-controller-manager (envtest-like
 * control planes) never rolls anything out, and "timed out" alone would hide that.
 */
export async function waitForRollouts(
  client: KubeClient,
  refs: readonly ObjectRef[],
  options: WaitOptions,
): Promise<void> {
  const workloads = refs.filter(isWorkload);
  if (workloads.length === 0) return;
  const deadline = options.now() + options.timeoutMs;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  let statuses = new Map<ObjectRef, RolloutStatus>();
  for (;;) {
    statuses = await readStatuses(client, workloads);
    options.progress.update([...statuses].map(([ref, s]) => ({ label: describeRef(ref), ...s })));
    const failed = [...statuses].filter(([, s]) => s.state === 'failed');
    if (failed.length > 0) throw rolloutError('failed', failed);
    if ([...statuses.values()].every((s) => s.state === 'ready')) break;
    if (options.now() >= deadline) throw timeoutError(statuses, options.timeoutMs);
    await options.sleep(Math.min(pollIntervalMs, Math.max(0, deadline - options.now())));
  }
  options.progress.done();
}

async function readStatuses(
  client: KubeClient,
  workloads: readonly ObjectRef[],
): Promise<Map<ObjectRef, RolloutStatus>> {
  const statuses = new Map<ObjectRef, RolloutStatus>();
  for (const ref of workloads) {
    const live = await client.get(ref);
    statuses.set(
      ref,
      live
        ? rolloutStatus(live)
        : { state: 'failed', message: 'object is missing', unobserved: false },
    );
  }
  return statuses;
}

function timeoutError(statuses: Map<ObjectRef, RolloutStatus>, timeoutMs: number): CliError {
  const pending = [...statuses].filter(([, s]) => s.state !== 'ready');
  const noController = pending.every(([, s]) => s.unobserved);
  const error = rolloutError(`not ready after ${Math.round(timeoutMs / 1000)} s`, pending);
  if (noController) {
    return new CliError('ROLLOUT_FAILED', `${error.message}\nno controller observed any of them`, {
      hints: [
        'the cluster seems to run no kube-controller-manager (envtest-like control plane?)',
        'use --no-wait on such clusters; on kind, check: kubectl -n kube-system get pods',
      ],
    });
  }
  return error;
}

function rolloutError(what: string, entries: [ObjectRef, RolloutStatus][]): CliError {
  const lines = entries.map(([ref, s]) => `    ${describeRef(ref)}: ${s.message}`);
  const first = entries[0]?.[0];
  const inspect = first
    ? `kubectl -n ${first.namespace ?? 'default'} describe ${first.kind.toLowerCase()} ${first.name}; kubectl -n ${first.namespace ?? 'default'} get pods`
    : 'kubectl get pods -A';
  return new CliError('ROLLOUT_FAILED', `rollout ${what}:\n${lines.join('\n')}`, {
    hints: [
      `inspect with: ${inspect}`,
      'the revision is recorded as failed; printq rollback returns to the previous one (or use --atomic)',
    ],
  });
}
