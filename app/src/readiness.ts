import type { Redis } from 'ioredis';

export interface ReadinessOptions {
  /** How long one PING answer is reused. @default 1000 */
  cacheMs: number;
  /** How long a PING may take before Redis counts as unavailable. @default 1000 */
  timeoutMs: number;
  now?: () => number;
}

/**
 * Redis reachability for /readyz: a PING with a timeout, cached briefly so frequent probes
 * cost one round trip per cache period. A connection that is not `ready` answers false
 * without any I/O.
 */
export class RedisReadiness {
  private checkedAt = Number.NEGATIVE_INFINITY;
  private ready = false;
  private inflight: Promise<boolean> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly connection: Redis,
    private readonly options: ReadinessOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async isReady(): Promise<boolean> {
    if (this.connection.status !== 'ready') return this.remember(false);
    if (this.now() - this.checkedAt < this.options.cacheMs) return this.ready;
    this.inflight ??= this.ping().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.timeoutMs);
    });
    const pong = this.connection.ping().then(
      (reply) => reply === 'PONG',
      () => false,
    );
    try {
      return this.remember(await Promise.race([pong, timeout]));
    } finally {
      clearTimeout(timer);
    }
  }

  private remember(ready: boolean): boolean {
    this.ready = ready;
    this.checkedAt = this.now();
    return ready;
  }
}
