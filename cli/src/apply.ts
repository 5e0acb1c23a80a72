import { CliError } from './errors.js';
import type { KubeClient, KubeStatus } from './kube.js';
import { ApiError } from './kube.js';
import type { KubeObject } from './objects.js';
import { describeRef, isCrd, refOf, sortForApply } from './objects.js';
import type { Sleep } from './time.js';

/** The field manager printq applies as; the operator uses its own (`printq-operator`). */
export const FIELD_MANAGER = 'printq';

export interface ApplyOptions {
  /** Take over fields another manager owns instead of failing. @default false */
  forceConflicts?: boolean;
  /** How long to wait for a CRD to become Established. @default 60000 */
  crdTimeoutMs?: number;
  sleep: Sleep;
  onApplied?: (object: KubeObject) => void;
}

/** One field another manager owns, as the API server reported it in a 409. */
export interface FieldConflict {
  manager: string;
  field: string;
  message: string;
}

/**
 * Applies objects in dependency order with server-side apply: CRDs first (and waits until each
 * is Established, so its kind is served), then namespaces, then the rest.
 */
export async function applyInOrder(
  client: KubeClient,
  objects: readonly KubeObject[],
  options: ApplyOptions,
): Promise<KubeObject[]> {
  const ordered = sortForApply(objects);
  const crds = ordered.filter((object) => isCrd(refOf(object)));
  const rest = ordered.filter((object) => !isCrd(refOf(object)));
  const applied: KubeObject[] = [];
  for (const crd of crds) applied.push(await applyOne(client, crd, options));
  for (const crd of crds) {
    await waitForCrdEstablished(
      client,
      crd.metadata.name,
      options.crdTimeoutMs ?? 60_000,
      options.sleep,
    );
  }
  for (const object of rest) applied.push(await applyOne(client, object, options));
  return applied;
}

export async function applyOne(
  client: KubeClient,
  object: KubeObject,
  options: Pick<ApplyOptions, 'forceConflicts' | 'onApplied'> & { dryRun?: boolean },
): Promise<KubeObject> {
  try {
    const result = await client.apply(object, {
      fieldManager: FIELD_MANAGER,
      force: options.forceConflicts ?? false,
      dryRun: options.dryRun ?? false,
    });
    options.onApplied?.(object);
    return result;
  } catch (error) {
    throw explainApplyError(error, object);
  }
}

/** Turns an API answer into an actionable CLI error; anything else passes through. */
export function explainApplyError(error: unknown, object: KubeObject): unknown {
  if (!(error instanceof ApiError)) return error;
  const what = describeRef(refOf(object));
  if (error.statusCode === 409 && error.body?.reason === 'Conflict') {
    const conflicts = parseFieldConflicts(error.body);
    if (conflicts.length > 0) return fieldConflictError(what, conflicts);
  }
  if (error.statusCode === 401 || error.statusCode === 403) {
    return new CliError(
      'UNAUTHORIZED',
      `not allowed to apply ${what}: ${error.body?.message ?? ''}`.trim(),
    );
  }
  if (error.statusCode === 404 && error.body?.message?.includes('namespaces')) {
    return new CliError('APPLY_REJECTED', `cannot apply ${what}: ${error.body.message}`, {
      hints: [
        'create that namespace or install what provides it (cert-manager\'s release creates "cert-manager")',
      ],
    });
  }
  return new CliError(
    'APPLY_REJECTED',
    `the cluster rejected ${what}: ${error.body?.message ?? error.message}`,
    {
      cause: error,
    },
  );
}

/** Reads who owns which field from the `causes` of an SSA 409 answer. */
export function parseFieldConflicts(status: KubeStatus): FieldConflict[] {
  return (status.details?.causes ?? [])
    .filter((cause) => cause.reason === 'FieldManagerConflict')
    .map((cause) => ({
      manager: /conflict with "([^"]+)"/.exec(cause.message ?? '')?.[1] ?? 'unknown manager',
      field: cause.field ?? '(unknown field)',
      message: cause.message ?? '',
    }));
}

function fieldConflictError(what: string, conflicts: readonly FieldConflict[]): CliError {
  const lines = conflicts.map(
    (conflict) => `    ${conflict.field} is owned by "${conflict.manager}"`,
  );
  return new CliError(
    'FIELD_CONFLICT',
    `applying ${what} conflicts with another field manager:\n${lines.join('\n')}`,
    {
      hints: [
        'another tool (kubectl edit/apply, helm, an operator) changed these fields',
        'retry with --force-conflicts to take ownership, or drop the other change first',
      ],
    },
  );
}

interface CrdStatus {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

async function waitForCrdEstablished(
  client: KubeClient,
  name: string,
  timeoutMs: number,
  sleep: Sleep,
): Promise<void> {
  const ref = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name };
  const pollMs = 250;
  for (let waitedMs = 0; waitedMs <= timeoutMs; waitedMs += pollMs) {
    const crd = (await client.get(ref)) as CrdStatus | undefined;
    const conditions = crd?.status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    const rejected = conditions.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
    if (rejected) {
      throw new CliError(
        'APPLY_REJECTED',
        `CRD ${name} names were not accepted: ${rejected.message ?? rejected.reason ?? ''}`,
      );
    }
    await sleep(pollMs);
  }
  throw new CliError(
    'APPLY_REJECTED',
    `CRD ${name} did not become Established within ${timeoutMs} ms`,
  );
}
