import type { RedisConnection } from './connection.js';
import type { DepthReader, QueueDepth } from './types.js';

/** A queue that is one Redis list: Celery (`celery`), RQ (`rq:queue:<name>`), plain lists. */
export interface RedisListQueueOptions {
  /** The full key of the list. */
  key: string;
}

/**
 * LLEN of one list. Such queues have no separate in-flight set the operator can read
 * cheaply (Celery keeps unacked messages in a hash, RQ in a registry), so `active` is 0.
 */
export class RedisListDepthReader implements DepthReader {
  constructor(
    private readonly connection: RedisConnection,
    private readonly options: RedisListQueueOptions,
  ) {}

  async readDepth(): Promise<QueueDepth> {
    try {
      const client = await this.connection.ready();
      const backlog = await client.llen(this.options.key);
      return { backlog, active: 0 };
    } catch (error) {
      throw this.connection.classify(error);
    }
  }
}
