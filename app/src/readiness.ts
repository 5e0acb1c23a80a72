import type { Redis } from 'ioredis';

export interface ReadinessOptions {
  /** How long one PING answer is reused. @default 1000 */
  cacheMs: number;
  /** How long a PING may take before Redis counts as unavailable. @default 1000 */
  timeoutMs: number;
  now?: () => number;
}

/**
 * - `ok`: Redis answers and has room.
 * - `unreachable`: no connection, or no answer within the timeout.
 * - `full`: used memory has reached maxmemory; under noeviction every write (every new
 *   quote) is refused with OOM, so the app cannot do its job: the same as an outage for
 *   readiness (design: readiness turns false on Redis trouble), but reported distinctly.
 */
export type RedisHealth = 'ok' | 'unreachable' | 'full';

/**
 * Redis health for /readyz: one `INFO memory` with a timeout (reachability and room at
 * once), cached briefly so frequent probes cost one round trip per cache period. A
 * connection that is not `ready` answers `unreachable` without any I/O.
 */
export class RedisReadiness {
  private checkedAt = Number.NEGATIVE_INFINITY;
  private health: RedisHealth = 'unreachable';
  private inflight: Promise<RedisHealth> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly connection: Redis,
    private readonly options: ReadinessOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async isReady(): Promise<boolean> {
    return (await this.check()) === 'ok';
  }

  async check(): Promise<RedisHealth> {
    if (this.connection.status !== 'ready') return this.remember('unreachable');
    if (this.now() - this.checkedAt < this.options.cacheMs) return this.health;
    this.inflight ??= this.probe().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async probe(): Promise<RedisHealth> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<RedisHealth>((resolve) => {
      timer = setTimeout(() => resolve('unreachable'), this.options.timeoutMs);
    });
    const info = this.connection
      .info('memory')
      .then(healthFromMemoryInfo, () => 'unreachable' as const);
    try {
      return this.remember(await Promise.race([info, timeout]));
    } finally {
      clearTimeout(timer);
    }
  }

  private remember(health: RedisHealth): RedisHealth {
    this.health = health;
    this.checkedAt = this.now();
    return health;
  }
}

function healthFromMemoryInfo(info: string): RedisHealth {
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  const maxBytes = field('maxmemory');
  return maxBytes > 0 && field('used_memory') >= maxBytes ? 'full' : 'ok';
}
