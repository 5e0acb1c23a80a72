import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { ErrorReason, MetricError, errorMessage } from '../errors.js';

/** Where and how to reach the Redis that holds a queue, resolved from a QueueScaler. */
export interface RedisConnectionSettings {
  host: string;
  port: number;
  /** @default 0 */
  db?: number;
  /** ACL user name; Redis' `default` user when absent. */
  username?: string;
  password?: string;
  /** TLS when set; `false`/absent means plain TCP. */
  tls?: RedisTlsSettings | false;
}

export interface RedisTlsSettings {
  /** PEM bundle of CAs to trust instead of the system store. */
  ca?: string;
  /** SNI and certificate host name; the connection host when absent. */
  serverName?: string;
  /**
   * Accept any certificate. For test clusters only: it gives up the server's identity.
   * @default false
   */
  insecureSkipVerify?: boolean;
}

export interface RedisTimeouts {
  /**
   * Longest wait for a TCP + TLS + AUTH handshake. Short: a poll loop must never hang on an
   * unreachable Redis (the failure KEDA users report as a stuck scaler).
   * @default 1000
   */
  connectTimeoutMs: number;
  /** @default 1000 */
  commandTimeoutMs: number;
}

export const DEFAULT_REDIS_TIMEOUTS: RedisTimeouts = {
  connectTimeoutMs: 1000,
  commandTimeoutMs: 1000,
};

/** A short human-readable address, never including credentials. */
export function redisAddress(settings: RedisConnectionSettings): string {
  const scheme = settings.tls ? 'rediss' : 'redis';
  return `${scheme}://${settings.host}:${settings.port}/${settings.db ?? 0}`;
}

function redisOptions(settings: RedisConnectionSettings, timeouts: RedisTimeouts): RedisOptions {
  return {
    host: settings.host,
    port: settings.port,
    db: settings.db ?? 0,
    ...(settings.username ? { username: settings.username } : {}),
    ...(settings.password ? { password: settings.password } : {}),
    ...(settings.tls ? { tls: tlsOptions(settings.tls, settings.host) } : {}),
    lazyConnect: true,
    connectTimeout: timeouts.connectTimeoutMs,
    commandTimeout: timeouts.commandTimeoutMs,
    // Fail fast instead of queueing reads while Redis is away: a stale depth is worse
    // than a reported failure, and queued reads would pile up once per poll.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // Scalers sharing this connection and polled in the same slot go out in one write.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
}

function tlsOptions(tls: RedisTlsSettings, host: string): NonNullable<RedisOptions['tls']> {
  return {
    servername: tls.serverName ?? host,
    rejectUnauthorized: !tls.insecureSkipVerify,
    ...(tls.ca ? { ca: tls.ca } : {}),
  };
}

/**
 * One ioredis client per scaler plus the last connection error it saw, because with the
 * offline queue off a failing command only says "stream isn't writeable": the real cause
 * (WRONGPASS, ECONNREFUSED, a TLS error) arrives on the client's `error` event.
 */
export class RedisConnection {
  readonly client: Redis;
  private lastError: Error | undefined;
  private connecting: Promise<void> | undefined;

  constructor(
    readonly settings: RedisConnectionSettings,
    private readonly timeouts: RedisTimeouts = DEFAULT_REDIS_TIMEOUTS,
  ) {
    this.client = new Redis(redisOptions(settings, timeouts));
    this.client.on('error', (error: Error) => {
      this.lastError = error;
    });
    this.client.on('ready', () => {
      this.lastError = undefined;
    });
  }

  /** Resolves once the client is ready; rejects with a classified {@link MetricError}. */
  async ready(): Promise<Redis> {
    if (this.client.status === 'ready') return this.client;
    if (this.client.status === 'wait') this.client.connect().catch(() => undefined);
    // Every scaler on this connection waits for the same handshake: one wait (two listeners
    // and a timer) for all of them, not one per scaler (100 scalers tripped the
    // MaxListenersExceededWarning at startup).
    this.connecting ??= this.waitForReady().finally(() => {
      this.connecting = undefined;
    });
    await this.connecting;
    return this.client;
  }

  /** Maps any failure of a command on this connection to a catalog reason. */
  classify(error: unknown): MetricError {
    if (error instanceof MetricError) return error;
    const cause = isConnectionStateError(error) && this.lastError ? this.lastError : error;
    return classifyRedisError(cause, redisAddress(this.settings));
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  private connectTimeout(): MetricError {
    // A TLS client talking to a plain-text Redis gets no answer at all (Redis waits for a
    // newline that never comes), so the likely cause is worth naming.
    const hint = this.settings.tls ? ' during the TLS handshake: does this port speak TLS?' : '';
    const cause = Object.assign(new Error(`connect timed out${hint}`), { code: 'ETIMEDOUT' });
    return classifyRedisError(cause, redisAddress(this.settings));
  }

  private waitForReady(): Promise<void> {
    const client = this.client;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        finish();
        reject(this.lastError ? this.classify(this.lastError) : this.connectTimeout());
      }, this.timeouts.connectTimeoutMs);
      const onReady = (): void => {
        finish();
        resolve();
      };
      const onError = (error: Error): void => {
        finish();
        reject(this.classify(error));
      };
      const finish = (): void => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('error', onError);
      };
      client.on('ready', onReady);
      client.on('error', onError);
    });
  }
}

function isConnectionStateError(error: unknown): boolean {
  const message = errorMessage(error);
  return /Stream isn't writeable|Connection is closed|enableOfflineQueue/i.test(message);
}

const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/;

/** Sorts a Redis or socket error into the catalog, with a message that names the fix. */
export function classifyRedisError(error: unknown, address: string): MetricError {
  const message = errorMessage(error);
  const code = errorCode(error);
  const options = { cause: error };
  if (/^(WRONGPASS|NOAUTH)|invalid username-password|Authentication required/i.test(message)) {
    return new MetricError(
      ErrorReason.RedisAuthFailed,
      `Redis at ${address} rejected the credentials: check the password/username in the Secret (${message})`,
      false,
      options,
    );
  }
  if (code === 'ECONNREFUSED') {
    return new MetricError(
      ErrorReason.RedisConnectionRefused,
      `nothing accepts connections at ${address} (ECONNREFUSED): is Redis running and the port right?`,
      true,
      options,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new MetricError(
      ErrorReason.QueueReadFailed,
      `Redis host of ${address} does not resolve (${code})`,
      true,
      options,
    );
  }
  if (code === 'ETIMEDOUT' || /timed out|ETIMEDOUT/i.test(message)) {
    return new MetricError(
      ErrorReason.RedisTimeout,
      `Redis at ${address} did not answer in time (${message})`,
      true,
      options,
    );
  }
  if ((code !== undefined && TLS_CODE.test(code)) || /SSL|TLS|certificate/i.test(message)) {
    return new MetricError(
      ErrorReason.RedisTlsFailed,
      `TLS to Redis at ${address} failed: check the tls setting, CA and server name (${code ?? message})`,
      false,
      options,
    );
  }
  if (code === 'ECONNRESET' && !address.startsWith('rediss:')) {
    return new MetricError(
      ErrorReason.QueueReadFailed,
      `Redis at ${address} reset the connection: a TLS-only port does this to plain text ` +
        `(set tls), otherwise Redis restarted or dropped the client`,
      true,
      options,
    );
  }
  if (/^WRONGTYPE/.test(message)) {
    return new MetricError(
      ErrorReason.QueueReadFailed,
      `a queue key at ${address} has an unexpected Redis type: check queue type and name (${message})`,
      false,
      options,
    );
  }
  return new MetricError(
    ErrorReason.QueueReadFailed,
    `Redis at ${address}: ${message}`,
    true,
    options,
  );
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** A stable fingerprint of settings, so a changed Secret or spec gets a fresh client. */
export function settingsFingerprint(settings: RedisConnectionSettings): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex');
}

/**
 * Redis connections shared by every scaler that reaches the same Redis with the same
 * credentials, with auto-pipelining on: a hundred scalers on one Redis then use one socket,
 * and reads issued together go out in one write. A scaler whose settings change (rotated
 * password, new host) moves to another connection; the last scaler to leave closes it.
 */
export class RedisConnectionCache {
  private readonly connections = new Map<string, { connection: RedisConnection; users: number }>();
  private readonly scalers = new Map<string, string>();

  constructor(private readonly timeouts: RedisTimeouts = DEFAULT_REDIS_TIMEOUTS) {}

  get(scalerKey: string, settings: RedisConnectionSettings): RedisConnection {
    const fingerprint = settingsFingerprint(settings);
    const current = this.scalers.get(scalerKey);
    if (current !== fingerprint) {
      if (current !== undefined) void this.leave(current);
      this.scalers.set(scalerKey, fingerprint);
      const entry = this.connections.get(fingerprint);
      if (entry) entry.users += 1;
      else {
        const connection = new RedisConnection(settings, this.timeouts);
        this.connections.set(fingerprint, { connection, users: 1 });
      }
    }
    const entry = this.connections.get(fingerprint);
    if (!entry) throw new Error('connection cache out of step');
    return entry.connection;
  }

  async release(scalerKey: string): Promise<void> {
    const fingerprint = this.scalers.get(scalerKey);
    this.scalers.delete(scalerKey);
    if (fingerprint !== undefined) await this.leave(fingerprint);
  }

  async closeAll(): Promise<void> {
    const connections = [...this.connections.values()].map((entry) => entry.connection);
    this.connections.clear();
    this.scalers.clear();
    await Promise.all(connections.map((connection) => connection.close()));
  }

  /** Open connections (not scalers). */
  get size(): number {
    return this.connections.size;
  }

  private async leave(fingerprint: string): Promise<void> {
    const entry = this.connections.get(fingerprint);
    if (!entry) return;
    entry.users -= 1;
    if (entry.users > 0) return;
    this.connections.delete(fingerprint);
    await entry.connection.close();
  }
}
