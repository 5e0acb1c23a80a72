import { applyInOrder } from './apply.js';
import { CliError } from './errors.js';
import type { PruneVerdict } from './inventory.js';
import { compareInventories, describeSkip, planPrune } from './inventory.js';
import type { KubeClient } from './kube.js';
import type { KubeObject, ObjectRef } from './objects.js';
import { describeRef, refKey, refOf, sortForApply } from './objects.js';
import type { Io } from './progress.js';
import { createProgress } from './progress.js';
import type { PendingStatus, ReleaseRecord, ReleaseStore } from './release.js';
import { isPending } from './release.js';
import { waitForRollouts } from './rollout.js';
import type { Now, Sleep } from './time.js';

/** What every command that talks to a cluster gets. */
export interface Session {
  client: KubeClient;
  store: ReleaseStore;
  io: Io;
  sleep: Sleep;
  now: Now;
  log: (line: string) => void;
}

export interface DeployPlan {
  /** Names the pending status the revision holds while it is applied. */
  action: 'install' | 'upgrade' | 'rollback';
  objects: KubeObject[];
  profile: string;
  overrides: Record<string, string>;
  /** e.g. `Upgrade complete`; a failure replaces it with the reason. */
  description: string;
}

export interface DeployOptions {
  wait: boolean;
  timeoutMs: number;
  atomic: boolean;
  forceConflicts: boolean;
  /** Take over a release whose newest revision is still pending (its run died). */
  forceUnlock: boolean;
}

/**
 * Everything a later revision may have to prune: the inventory of the newest deployed revision
 * plus that of any failed revision after it (a failed apply may have created part of its list).
 */
export function liveInventory(history: readonly ReleaseRecord[]): ObjectRef[] {
  const lastDeployed = history.findLastIndex((record) => record.status === 'deployed');
  const relevant = history.slice(Math.max(lastDeployed, 0));
  const byKey = new Map<string, ObjectRef>();
  for (const record of relevant) for (const ref of record.inventory) byKey.set(refKey(ref), ref);
  return [...byKey.values()];
}

/** Reads each candidate's live state and decides what pruning would delete. */
export async function planPruneLive(
  client: KubeClient,
  previous: readonly ObjectRef[],
  next: readonly ObjectRef[],
  release: string,
): Promise<PruneVerdict[]> {
  const { removed } = compareInventories(previous, next);
  const live = new Map<string, KubeObject | undefined>();
  for (const ref of removed) {
    live.set(refKey(ref), (await client.resourceFor(ref)) ? await client.get(ref) : undefined);
  }
  return planPrune(removed, live, release);
}

/**
 * One revision, as `up`, `upgrade` and `rollback` share it: claim the next revision as a
 * pending record (the lock against a concurrent run), apply in dependency order, prune what
 * the previous revisions had and this one lacks, record it deployed, wait for rollouts, and on
 * a failed rollout with `atomic` re-apply the previous revision.
 */
export async function deployRevision(
  session: Session,
  plan: DeployPlan,
  options: DeployOptions,
): Promise<ReleaseRecord> {
  const history = await session.store.history();
  const previous = history.filter((record) => record.status === 'deployed').at(-1);
  await takeOverPending(session, history, options.forceUnlock);
  const pending = newRecord(session.store.name, history, plan);
  await claimRevision(session, pending);

  try {
    await applyObjects(session, pending, options);
    await pruneDropped(session, liveInventory(history), pending.inventory);
  } catch (error) {
    await recordFailure(session, pending, plan.description, error);
    throw error;
  }
  const record: ReleaseRecord = { ...pending, status: 'deployed', description: plan.description };
  await session.store.save(record);
  await session.store.supersedeAllBut(record.revision);
  session.log(`recorded ${session.store.name} revision ${record.revision}: ${record.description}`);

  if (!options.wait) return record;
  try {
    await waitForRollouts(session.client, record.inventory, {
      timeoutMs: options.timeoutMs,
      sleep: session.sleep,
      now: session.now,
      progress: createProgress(session.io.stdout),
    });
    return record;
  } catch (error) {
    await session.store.save({
      ...record,
      status: 'failed',
      description: failedDescription(plan.description, 'rollout did not complete'),
    });
    if (
      options.atomic &&
      previous &&
      error instanceof CliError &&
      error.code === 'ROLLOUT_FAILED'
    ) {
      await rollBackAtomically(session, previous, options);
      throw new CliError(
        error.code,
        `${error.message}\nrolled back to revision ${previous.revision} (--atomic)`,
        {
          hints: error.hints as string[],
        },
      );
    }
    throw error;
  }
}

/**
 * A pending newest revision means another run is applying it, or died doing so. Only
 * `--force-unlock` goes past it, marking it failed so history tells what happened.
 */
async function takeOverPending(
  session: Session,
  history: readonly ReleaseRecord[],
  forceUnlock: boolean,
): Promise<void> {
  const latest = history.at(-1);
  if (!latest || !isPending(latest)) return;
  if (!forceUnlock) throw pendingError(session.store.name, latest);
  await session.store.save({
    ...latest,
    status: 'failed',
    description: `${latest.description.replace(/ in progress$/, '')} interrupted (taken over with --force-unlock)`,
  });
  session.log(`marked ${latest.status} revision ${latest.revision} failed (--force-unlock)`);
}

/** Creates the pending record; a 409 means another run claimed the same revision first. */
async function claimRevision(session: Session, pending: ReleaseRecord): Promise<void> {
  if (await session.store.create(pending)) return;
  throw pendingError(session.store.name, pending, 'was just claimed by another printq run');
}

function pendingError(
  release: string,
  record: ReleaseRecord,
  what = `is ${record.status} since ${record.createdAt}`,
): CliError {
  return new CliError(
    'RELEASE_PENDING',
    `revision ${record.revision} of release "${release}" ${what}: another printq up/upgrade/rollback is changing it`,
    {
      hints: [
        'wait until that run ends (printq history shows its outcome), then retry',
        'if that run was interrupted (Ctrl-C, lost connection), retry with --force-unlock',
      ],
    },
  );
}

async function recordFailure(
  session: Session,
  pending: ReleaseRecord,
  description: string,
  error: unknown,
): Promise<void> {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  await session.store
    .save({ ...pending, status: 'failed', description: failedDescription(description, reason) })
    .catch((saveError: unknown) =>
      session.log(`could not record revision ${pending.revision} as failed: ${String(saveError)}`),
    );
}

/** `Upgrade complete` → `Upgrade failed: <reason>` */
function failedDescription(description: string, reason: string | undefined): string {
  return `${description.replace(/ complete$/, '')} failed: ${reason ?? 'unknown error'}`;
}

function newRecord(
  name: string,
  history: readonly ReleaseRecord[],
  plan: DeployPlan,
): ReleaseRecord {
  const objects = sortForApply(plan.objects);
  const status: PendingStatus = `pending-${plan.action}`;
  return {
    name,
    revision: (history.at(-1)?.revision ?? 0) + 1,
    status,
    profile: plan.profile,
    overrides: plan.overrides,
    description: plan.description.replace(/ complete$/, ' in progress'),
    createdAt: new Date().toISOString(),
    inventory: objects.map(refOf),
    manifest: objects,
  };
}

async function applyObjects(session: Session, record: ReleaseRecord, options: DeployOptions) {
  session.log(
    `applying ${record.manifest.length} objects (server-side apply, field manager printq)`,
  );
  await applyInOrder(session.client, record.manifest, {
    forceConflicts: options.forceConflicts,
    sleep: session.sleep,
  });
}

async function pruneDropped(
  session: Session,
  previous: readonly ObjectRef[],
  next: readonly ObjectRef[],
) {
  const verdicts = await planPruneLive(session.client, previous, next, session.store.name);
  for (const verdict of verdicts) {
    if (verdict.action === 'delete') {
      await session.client.delete(verdict.ref);
      session.log(`pruned ${describeRef(verdict.ref)}`);
    } else if (verdict.reason !== 'gone') {
      session.log(describeSkip(verdict));
    }
  }
}

async function rollBackAtomically(session: Session, target: ReleaseRecord, options: DeployOptions) {
  session.log(`rollout failed: rolling back to revision ${target.revision} (--atomic)`);
  await deployRevision(
    session,
    {
      action: 'rollback',
      objects: target.manifest,
      profile: target.profile,
      overrides: target.overrides,
      description: `Rollback to ${target.revision} (atomic)`,
    },
    { ...options, atomic: false, wait: false },
  );
}
