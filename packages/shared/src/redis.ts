import type { RedisOptions } from 'ioredis';
import { z } from 'zod';

/** The Redis settings every printq program reads (see each program's config.ts). */
export interface RedisSettings {
  /** Full URL; when set it wins over REDIS_HOST/PORT. */
  REDIS_URL?: string | undefined;
  REDIS_HOST: string;
  REDIS_PORT: number;
  /** Used when the URL carries no user name. */
  REDIS_USERNAME?: string | undefined;
  /** Used when the URL carries no password. */
  REDIS_PASSWORD?: string | undefined;
}

const DEFAULT_REDIS_PORT = 6379;

/**
 * REDIS_URL as a config setting: `redis://` or `rediss://`, with an optional integer
 * database number as the path. Checked at startup so a typo is a config error naming
 * REDIS_URL, not an endless reconnect loop.
 */
export const redisUrlSetting = z
  .url({ protocol: /^rediss?$/ })
  .refine((url) => databaseOf(new URL(url)) !== undefined, {
    message: 'the path must be a database number, e.g. redis://host:6379/0',
  })
  .optional();

/**
 * Connection options (host, port, credentials, db, TLS) from the settings, for ioredis and
 * BullMQ alike. The one place printq reads a Redis URL: WHATWG URL keeps the brackets of an
 * IPv6 host (`[::1]`), which DNS would then try to resolve as a name.
 */
export function redisOptionsFromConfig(settings: RedisSettings): RedisOptions {
  if (!settings.REDIS_URL) {
    return {
      host: settings.REDIS_HOST,
      port: settings.REDIS_PORT,
      username: settings.REDIS_USERNAME,
      password: settings.REDIS_PASSWORD,
    };
  }
  const url = new URL(settings.REDIS_URL);
  const db = databaseOf(url);
  if (db === undefined) throw new Error(`REDIS_URL: "${url.pathname}" is not a database number`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : DEFAULT_REDIS_PORT,
    username: decodeURIComponent(url.username) || settings.REDIS_USERNAME,
    password: decodeURIComponent(url.password) || settings.REDIS_PASSWORD,
    db,
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function databaseOf(url: URL): number | undefined {
  const path = url.pathname.replace(/^\//, '');
  if (path === '') return 0;
  return /^\d{1,5}$/.test(path) ? Number(path) : undefined;
}
