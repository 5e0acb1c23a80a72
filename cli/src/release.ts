import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { CliError } from './errors.js';
import type { KubeClient } from './kube.js';
import { ApiError } from './kube.js';
import type { KubeObject, ObjectRef } from './objects.js';

export const RELEASE_SECRET_TYPE = 'printq.dev/release.v1';
export const PENDING_STATUSES = ['pending-install', 'pending-upgrade', 'pending-rollback'] as const;
export const RELEASE_STATUSES = ['deployed', 'superseded', 'failed', ...PENDING_STATUSES] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];
export type PendingStatus = (typeof PENDING_STATUSES)[number];

export function isPending(record: Pick<ReleaseRecord, 'status'>): boolean {
  return (PENDING_STATUSES as readonly string[]).includes(record.status);
}

/** Above this size the record is gzipped before it goes into the Secret. */
export const GZIP_THRESHOLD_BYTES = 16 * 1024;
/** Secrets are capped at 1 MiB by the API server; stay clear of it. */
export const MAX_RECORD_BYTES = 1000 * 1024;

const objectRefSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
});

const releaseRecordSchema = z.object({
  name: z.string(),
  revision: z.number().int().positive(),
  status: z.enum(RELEASE_STATUSES),
  profile: z.string(),
  overrides: z.record(z.string(), z.string()),
  description: z.string(),
  createdAt: z.string(),
  inventory: z.array(objectRefSchema),
  manifest: z.array(z.looseObject({ apiVersion: z.string(), kind: z.string() })),
});

/** One revision of a release: what was applied, from which settings, and how it went. */
export interface ReleaseRecord {
  name: string;
  revision: number;
  status: ReleaseStatus;
  profile: string;
  /** The `--set` values in effect (profile defaults are not repeated). */
  overrides: Record<string, string>;
  /** `Install complete`, `Upgrade complete`, `Rollback to 1`, `Upgrade failed: …` */
  description: string;
  createdAt: string;
  inventory: ObjectRef[];
  /** The objects exactly as applied (ownership labels included): rollback re-applies these. */
  manifest: KubeObject[];
}

export interface ReleaseSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  type: typeof RELEASE_SECRET_TYPE;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  data: Record<string, string>;
}

export function releaseSecretName(name: string, revision: number): string {
  return `printq.release.v1.${name}.v${revision}`;
}

export function releaseLabels(record: Pick<ReleaseRecord, 'name' | 'revision' | 'status'>) {
  return {
    owner: 'printq',
    name: record.name,
    version: String(record.revision),
    status: record.status,
  };
}

/** Encodes a record as a Secret: JSON, gzipped when large, base64 as Secrets require. */
export function encodeRelease(record: ReleaseRecord, namespace: string): ReleaseSecret {
  const json = Buffer.from(JSON.stringify(record));
  const compress = json.length > GZIP_THRESHOLD_BYTES;
  const payload = compress ? gzipSync(json) : json;
  if (payload.length > MAX_RECORD_BYTES) {
    throw new CliError(
      'RELEASE_RECORD_INVALID',
      `release record ${record.name} v${record.revision} is ${payload.length} bytes, over the ${MAX_RECORD_BYTES}-byte limit of a Secret`,
    );
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: RELEASE_SECRET_TYPE,
    metadata: {
      name: releaseSecretName(record.name, record.revision),
      namespace,
      labels: releaseLabels(record),
    },
    data: { [compress ? 'release.json.gz' : 'release.json']: payload.toString('base64') },
  };
}

export function decodeRelease(secret: {
  metadata?: { name?: string };
  data?: Record<string, string>;
}): ReleaseRecord {
  const data = secret.data ?? {};
  const where = `release Secret ${secret.metadata?.name ?? '(unnamed)'}`;
  try {
    const gz = data['release.json.gz'];
    const plain = data['release.json'];
    let json: string;
    if (gz !== undefined) json = gunzipSync(Buffer.from(gz, 'base64')).toString();
    else if (plain !== undefined) json = Buffer.from(plain, 'base64').toString();
    else throw new Error('it has neither release.json nor release.json.gz');
    return releaseRecordSchema.parse(JSON.parse(json)) as ReleaseRecord;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CliError('RELEASE_RECORD_INVALID', `${where} cannot be read: ${detail}`, {
      cause: error,
    });
  }
}

/** Release history kept as Secrets in the release namespace, one per revision, like Helm's. */
export class ReleaseStore {
  constructor(
    private readonly client: KubeClient,
    readonly namespace: string,
    readonly name: string,
  ) {}

  /** All revisions, oldest first; empty when the release was never installed. */
  async history(): Promise<ReleaseRecord[]> {
    let secrets: KubeObject[];
    try {
      secrets = await this.client.list(
        { apiVersion: 'v1', kind: 'Secret', namespace: this.namespace },
        `owner=printq,name=${this.name}`,
      );
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 404) return [];
      throw error;
    }
    return secrets
      .filter((secret) => secret['type'] === RELEASE_SECRET_TYPE)
      .map((secret) => decodeRelease(secret as Parameters<typeof decodeRelease>[0]))
      .sort((a, b) => a.revision - b.revision);
  }

  async latest(): Promise<ReleaseRecord | undefined> {
    return (await this.history()).at(-1);
  }

  /** The revision a running release is at: the newest one deployed. */
  async current(): Promise<ReleaseRecord | undefined> {
    return (await this.history()).filter((record) => record.status === 'deployed').at(-1);
  }

  async save(record: ReleaseRecord): Promise<void> {
    await this.client.apply(encodeRelease(record, this.namespace) as unknown as KubeObject, {
      fieldManager: 'printq',
      force: true,
    });
  }

  /**
   * Creates a record only if its revision does not exist yet: two runs that read the same
   * history both aim at the same next revision, and the API server lets only one create it.
   */
  async create(record: ReleaseRecord): Promise<boolean> {
    const secret = encodeRelease(record, this.namespace) as unknown as KubeObject;
    return this.client.createIfAbsent(secret, 'printq');
  }

  /** Marks every other deployed revision superseded, as a new deployed one takes over. */
  async supersedeAllBut(revision: number): Promise<void> {
    for (const record of await this.history()) {
      if (record.revision !== revision && record.status === 'deployed') {
        await this.save({ ...record, status: 'superseded' });
      }
    }
  }

  async deleteAll(): Promise<number> {
    const records = await this.history();
    for (const record of records) {
      await this.client.delete({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace: this.namespace,
        name: releaseSecretName(record.name, record.revision),
      });
    }
    return records.length;
  }
}
