import type { QueueSpec } from '@printq/crd';
import type { Clock } from '../clock.js';
import { ErrorReason, KubeError, MetricError } from '../errors.js';
import type { KubeApi } from '../kube/api.js';
import { BullmqDepthReader } from '../queues/bullmq.js';
import type { RedisConnectionCache, RedisConnectionSettings } from '../queues/connection.js';
import { RedisListDepthReader } from '../queues/redis-list.js';
import type { DepthReader, QueueDepth } from '../queues/types.js';

/** How long a password read from a Secret is trusted before it is read again. */
export const SECRET_REFRESH_MS = 60_000;

/**
 * Turns a scaler's `spec.queue` into depth readings: resolves the password from the Secret
 * (cached, re-read every {@link SECRET_REFRESH_MS} and after an auth failure, so a rotated
 * password heals without a restart) and keeps the scaler's Redis connection in the cache.
 */
export class QueueSource {
  private password: { value: string | undefined; ref: string; readAtMs: number } | undefined;

  constructor(
    private readonly key: string,
    private readonly namespace: string,
    private readonly kube: Pick<KubeApi, 'readSecret'>,
    private readonly connections: RedisConnectionCache,
    private readonly clock: Clock,
  ) {}

  async read(queue: QueueSpec): Promise<QueueDepth> {
    const settings = await this.settings(queue);
    try {
      return await this.reader(queue, settings).readDepth();
    } catch (error) {
      if (error instanceof MetricError && error.reason === ErrorReason.RedisAuthFailed) {
        this.password = undefined;
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.connections.release(this.key);
  }

  private reader(queue: QueueSpec, settings: RedisConnectionSettings): DepthReader {
    const connection = this.connections.get(this.key, settings);
    if (queue.type === 'redis-list')
      return new RedisListDepthReader(connection, { key: queue.name });
    return new BullmqDepthReader(
      connection,
      { name: queue.name, prefix: queue.prefix, includePaused: queue.includePaused },
      () => this.clock.nowMs(),
    );
  }

  private async settings(queue: QueueSpec): Promise<RedisConnectionSettings> {
    const { host, port, db, tls, username } = queue.connection;
    const password = await this.resolvePassword(queue);
    return {
      host,
      port,
      db,
      ...(username ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      tls: tls ? {} : false,
    };
  }

  private async resolvePassword(queue: QueueSpec): Promise<string | undefined> {
    const secretRef = queue.connection.passwordSecretRef;
    if (!secretRef) return undefined;
    const ref = `${secretRef.name}/${secretRef.key}`;
    const now = this.clock.nowMs();
    const cached = this.password;
    if (cached?.ref === ref && now - cached.readAtMs < SECRET_REFRESH_MS) return cached.value;
    const secret = await this.kube.readSecret(this.namespace, secretRef.name);
    const encoded = secret.data?.[secretRef.key];
    if (encoded === undefined) {
      throw new KubeError(
        ErrorReason.SecretKeyMissing,
        `Secret ${this.namespace}/${secretRef.name} has no key "${secretRef.key}"`,
        false,
      );
    }
    const value = Buffer.from(encoded, 'base64').toString('utf8');
    this.password = { value, ref, readAtMs: now };
    return value;
  }
}
