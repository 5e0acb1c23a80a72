import { accessInstructions } from './access.js';
import { applyInOrder, FIELD_MANAGER } from './apply.js';
import type { CommandOptions, ProfileName } from './args.js';
import { certManagerInstalled, ensureCertManager } from './certmanager.js';
import { hasChanges, planChanges, renderDiff } from './diff.js';
import type { DeployOptions, Session } from './engine.js';
import { deployRevision, liveInventory, planPruneLive } from './engine.js';
import { CliError, DIFF_EXIT } from './errors.js';
import { isDataBearing } from './inventory.js';
import type { KubeObject, ObjectRef } from './objects.js';
import {
  describeRef,
  groupOf,
  isCrd,
  isNamespace,
  isOwnedByRelease,
  refOf,
  sortForApply,
  withOwnershipLabels,
} from './objects.js';
import type { ReleaseRecord } from './release.js';
import { isWorkload, rolloutStatus } from './rollout.js';
import { loadCdk8s, synthesizeRelease } from './synth.js';

/** Exit status of a command that succeeded. */
export type ExitCode = number;

function deployOptions(options: CommandOptions): DeployOptions {
  return {
    wait: options.wait,
    timeoutMs: options.timeoutMs,
    atomic: options.atomic,
    forceConflicts: options.forceConflicts,
    forceUnlock: options.forceUnlock,
  };
}

/**
 * The settings of the next revision: recorded `--set` values carried over (like
 * `helm upgrade --reuse-values`) unless `--reset-values`, then this command's `--set`.
 */
function nextSettings(options: CommandOptions, latest: ReleaseRecord | undefined) {
  const profile = (options.profile ?? latest?.profile ?? 'kind') as ProfileName;
  const carried =
    options.resetValues || !latest || latest.profile !== profile ? {} : latest.overrides;
  const overrides = { ...carried, ...options.overrides };
  if (options.namespace && !('namespace' in options.overrides))
    overrides['namespace'] = options.namespace;
  return { profile, overrides };
}

async function requireHistory(session: Session): Promise<ReleaseRecord[]> {
  const history = await session.store.history();
  if (history.length === 0) {
    throw new CliError(
      'RELEASE_NOT_FOUND',
      `release "${session.store.name}" has no records in namespace ${session.store.namespace}`,
      { hints: ['install it with printq up', 'or point at its namespace with --namespace'] },
    );
  }
  return history;
}

const CERT_MANAGER_GROUPS = new Set(['cert-manager.io', 'acme.cert-manager.io']);

function needsCertManager(object: KubeObject): boolean {
  return CERT_MANAGER_GROUPS.has(groupOf(object.apiVersion));
}

/** `printq up`: install or upgrade, cert-manager first when printq's manifests need it. */
export async function up(session: Session, options: CommandOptions): Promise<ExitCode> {
  const latest = await session.store.latest();
  const { profile, overrides } = nextSettings(options, latest);
  const synthesized = await synthesizeRelease(session.store.name, profile, overrides);
  const objects = await withCertManager(session, options, synthesized.objects);
  await ensureRedisPassword(session, objects, synthesized.settings.namespace);
  await deployRevision(
    session,
    {
      action: latest ? 'upgrade' : 'install',
      objects,
      profile,
      overrides,
      description: latest ? 'Upgrade complete' : 'Install complete',
    },
    deployOptions(options),
  );
  printAccess(session, objects);
  return 0;
}

async function withCertManager(session: Session, options: CommandOptions, objects: KubeObject[]) {
  if (!objects.some(needsCertManager)) return objects;
  if (!options.skipCertManager) {
    await ensureCertManager(session.client, {
      source: options.certManagerManifest,
      timeoutMs: options.timeoutMs,
      sleep: session.sleep,
      now: session.now,
      log: session.log,
    });
    return objects;
  }
  if (await certManagerInstalled(session.client)) return objects;
  const left = objects.filter(needsCertManager);
  session.io.stderr.write(
    `warning: cert-manager is not installed and --skip-cert-manager is set: leaving out ${left.length} objects:\n` +
      left.map((object) => `  ${describeRef(refOf(object))}\n`).join(''),
  );
  return objects.filter((object) => !needsCertManager(object));
}

/**
 * The Redis password is generated here, once: it is created only when absent, so upgrades
 * keep it, and it stays out of the synthesized manifests and the release records.
 */
async function ensureRedisPassword(
  session: Session,
  objects: readonly KubeObject[],
  namespace: string,
) {
  const namespaces = objects.filter((object) => isNamespace(refOf(object)));
  await applyInOrder(session.client, namespaces, { sleep: session.sleep });
  const { redisSecret } = await loadCdk8s();
  const secret = withOwnershipLabels(redisSecret(namespace) as KubeObject, session.store.name);
  if (await session.client.createIfAbsent(secret, FIELD_MANAGER)) {
    session.log(
      `created Secret ${namespace}/${secret.metadata.name} with a generated Redis password`,
    );
  }
}

function printAccess(session: Session, objects: readonly KubeObject[]) {
  const lines = accessInstructions(objects, session.client.contextName);
  if (lines.length > 0)
    session.io.stdout.write(`\nprintq is up.\n${lines.map((line) => `  ${line}\n`).join('')}`);
}

/** `printq upgrade`: a new revision of an installed release. */
export async function upgrade(session: Session, options: CommandOptions): Promise<ExitCode> {
  const history = await requireHistory(session);
  const { profile, overrides } = nextSettings(options, history.at(-1));
  const { objects, settings } = await synthesizeRelease(session.store.name, profile, overrides);
  await ensureRedisPassword(session, objects, settings.namespace);
  const record = await deployRevision(
    session,
    { action: 'upgrade', objects, profile, overrides, description: 'Upgrade complete' },
    deployOptions(options),
  );
  session.io.stdout.write(`upgraded ${record.name} to revision ${record.revision}\n`);
  return 0;
}

/** `printq diff`: 0 when nothing would change, 2 when something would (errors exit 1). */
export async function diff(session: Session, options: CommandOptions): Promise<ExitCode> {
  const history = await session.store.history();
  const { profile, overrides } = nextSettings(options, history.at(-1));
  const { objects } = await synthesizeRelease(session.store.name, profile, overrides);
  const ordered = sortForApply(objects);
  const changes = await planChanges(session.client, ordered, {
    forceConflicts: options.forceConflicts,
  });
  const prune = await planPruneLive(
    session.client,
    liveInventory(history),
    ordered.map(refOf),
    session.store.name,
  );
  session.io.stdout.write(renderDiff(changes, prune, options.summaryOnly));
  return hasChanges(changes, prune) ? DIFF_EXIT.changes : DIFF_EXIT.noChanges;
}

/** `printq history`: one line per revision, oldest first, like `helm history`. */
export async function history(session: Session): Promise<ExitCode> {
  const records = await requireHistory(session);
  const rows = records.map((record) => [
    String(record.revision),
    record.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    record.status,
    record.profile,
    summarizeOverrides(record.overrides),
    record.description,
  ]);
  session.io.stdout.write(
    table(['REVISION', 'UPDATED', 'STATUS', 'PROFILE', 'SETTINGS', 'DESCRIPTION'], rows),
  );
  return 0;
}

function summarizeOverrides(overrides: Record<string, string>): string {
  const pairs = Object.entries(overrides).map(([key, value]) => `${key}=${value}`);
  return pairs.length === 0 ? '(defaults)' : pairs.join(',');
}

/** `printq rollback [REV]`: the recorded manifest of REV applied as a new revision. */
export async function rollback(session: Session, options: CommandOptions): Promise<ExitCode> {
  const records = await requireHistory(session);
  const latest = records.at(-1) as ReleaseRecord;
  const targetRevision = options.revision ?? latest.revision - 1;
  const target = records.find((record) => record.revision === targetRevision);
  if (!target) {
    throw new CliError(
      'REVISION_NOT_FOUND',
      `release "${latest.name}" has no revision ${targetRevision}`,
      {
        hints: [
          `recorded revisions: ${records.map((record) => record.revision).join(', ')} (printq history)`,
        ],
      },
    );
  }
  const record = await deployRevision(
    session,
    {
      action: 'rollback',
      objects: target.manifest,
      profile: target.profile,
      overrides: target.overrides,
      description: `Rollback to ${target.revision}`,
    },
    deployOptions(options),
  );
  session.io.stdout.write(
    `rolled back ${record.name} to revision ${target.revision} (now revision ${record.revision})\n`,
  );
  return 0;
}

/** `printq status`: the current revision and each object's live state. */
export async function status(session: Session): Promise<ExitCode> {
  const records = await requireHistory(session);
  const latest = records.at(-1) as ReleaseRecord;
  session.io.stdout.write(
    `release ${latest.name}, revision ${latest.revision}, ${latest.status}: ${latest.description}\n` +
      `profile ${latest.profile}, namespace ${session.store.namespace}, updated ${latest.createdAt}\n\n`,
  );
  const rows: string[][] = [];
  for (const ref of latest.inventory) rows.push([describeRef(ref), await liveState(session, ref)]);
  session.io.stdout.write(table(['OBJECT', 'STATE'], rows));
  return 0;
}

async function liveState(session: Session, ref: ObjectRef): Promise<string> {
  const live = (await session.client.resourceFor(ref)) ? await session.client.get(ref) : undefined;
  if (!live) return 'missing';
  if (!isWorkload(ref)) return 'present';
  const rollout = rolloutStatus(live);
  return `${rollout.state}: ${rollout.message}`;
}

/**
 * `printq down`: deletes what the release owns, newest dependents first. Namespaces and PVCs
 * (the data) stay unless `--delete-data`, CRDs (and with them every custom resource) unless
 * `--delete-crds`; anything not labelled as this release's is never touched.
 */
export async function down(session: Session, options: CommandOptions): Promise<ExitCode> {
  const records = await requireHistory(session);
  const inventory = sortForApply(liveInventory(records)).reverse();
  let deleted = 0;
  const kept: string[] = [];
  if (!options.keepHistory) await session.store.deleteAll();
  for (const ref of inventory) {
    const keep = keepOnDown(ref, options);
    if (keep) {
      kept.push(`${describeRef(ref)} (${keep})`);
      continue;
    }
    const live = (await session.client.resourceFor(ref))
      ? await session.client.get(ref)
      : undefined;
    if (!live) continue;
    if (!isOwnedByRelease(live, session.store.name)) {
      kept.push(`${describeRef(ref)} (not labelled as this release's)`);
      continue;
    }
    await session.client.delete(ref);
    deleted++;
    session.log(`deleted ${describeRef(ref)}`);
  }
  const keptText = kept.length > 0 ? `kept:\n${kept.map((line) => `  ${line}\n`).join('')}` : '';
  session.io.stdout.write(
    `deleted ${deleted} objects of release ${session.store.name}\n${keptText}`,
  );
  return 0;
}

function keepOnDown(ref: ObjectRef, options: CommandOptions): string | undefined {
  if (isCrd(ref)) return options.deleteCrds ? undefined : 'CRD: use --delete-crds';
  if (isDataBearing(ref) && !options.deleteData) {
    return isNamespace(ref) ? 'holds the data: use --delete-data' : 'data: use --delete-data';
  }
  return undefined;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
