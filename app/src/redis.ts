import { Redis, type RedisOptions } from 'ioredis';
import type { AppConfig } from './config.js';
import { redisOptionsFromConfig } from '@printq/shared';

/** The longest pause between reconnection attempts while Redis is away. */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * The producer connection. It must fail fast rather than wait for Redis:
 * - no offline queue, so a command issued while disconnected rejects at once instead of
 *   sitting in memory until Redis returns (BullMQ #995: the request would hang);
 * - a command timeout, so `DEBUG SLEEP` / `CLIENT PAUSE` (connected but silent) rejects;
 * - one retry per request at most; reconnection keeps going forever in the background,
 *   which is how the app recovers by itself.
 */
export function createProducerConnection(config: AppConfig): Redis {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    connectTimeout: config.REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: config.ENQUEUE_DEADLINE_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    connectionName: 'printq-app',
    lazyConnect: false,
  };
  return new Redis({ ...redisOptionsFromConfig(config), ...options });
}
