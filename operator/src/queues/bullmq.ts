import type { Redis } from 'ioredis';
import type { RedisConnection } from './connection.js';
import type { DepthReader, QueueDepth } from './types.js';

/** Which BullMQ queue to read, and what counts as backlog. */
export interface BullmqQueueOptions {
  /** Queue name as given to `new Queue(name)`. */
  name: string;
  /**
   * Key prefix as given to BullMQ's `prefix` option.
   * @default "bull"
   */
  prefix?: string;
  /**
   * Count jobs of a paused queue as backlog. Off by default: workers cannot drain a
   * paused queue, so scaling them up for it only burns capacity.
   * @default false
   */
  includePaused?: boolean;
  /**
   * Count delayed jobs whose time has come as backlog: they are ready, only waiting for
   * a worker to promote them.
   * @default true
   */
  includeDueDelayed?: boolean;
}

/**
 * The BullMQ 6 layout, read atomically in one EVALSHA (one command per poll, the
 * smallest load on Redis that still gives a consistent snapshot):
 * - `wait` list: waiting jobs; BullMQ 6 also keeps a paused queue's jobs here and marks the
 *   pause in the `meta` hash. A legacy (BullMQ ≤ 5) marker `0:<ts>` may sit at the tail.
 * - `prioritized` sorted set: waiting jobs with a priority (missed by `getWaitingCount`).
 * - `paused` list: BullMQ 5's paused jobs, left over on a queue that was paused then.
 * - `active` list, `delayed` sorted set (score = timestamp × 0x1000 + sequence), `id` counter.
 *
 * Returns {waiting, prioritized, legacyPaused, active, dueDelayed, paused(0/1), addedTotal}.
 */
const READ_BULLMQ_DEPTH = `
local waiting = redis.call('LLEN', KEYS[1])
if waiting > 0 then
  local tail = redis.call('LINDEX', KEYS[1], -1)
  if tail and string.sub(tail, 1, 2) == '0:' then waiting = waiting - 1 end
end
local prioritized = redis.call('ZCARD', KEYS[2])
local legacyPaused = redis.call('LLEN', KEYS[3])
local active = redis.call('LLEN', KEYS[4])
local dueDelayed = 0
if ARGV[1] ~= '' then
  dueDelayed = redis.call('ZCOUNT', KEYS[5], '-inf', tonumber(ARGV[1]) * 4096 - 1)
end
local paused = 0
if redis.call('HEXISTS', KEYS[6], 'paused') == 1 then paused = 1 end
local added = tonumber(redis.call('GET', KEYS[7]) or '0')
return {waiting, prioritized, legacyPaused, active, dueDelayed, paused, added}
`;

const COMMAND = 'printqBullmqDepth';

type DepthCommand = (
  wait: string,
  prioritized: string,
  paused: string,
  active: string,
  delayed: string,
  meta: string,
  id: string,
  nowMs: string,
) => Promise<number[]>;

function depthCommand(client: Redis): DepthCommand {
  if (!(COMMAND in client)) {
    client.defineCommand(COMMAND, { numberOfKeys: 7, lua: READ_BULLMQ_DEPTH, readOnly: true });
  }
  return (client as unknown as Record<typeof COMMAND, DepthCommand>)[COMMAND].bind(client);
}

export class BullmqDepthReader implements DepthReader {
  private readonly keyBase: string;

  constructor(
    private readonly connection: RedisConnection,
    private readonly options: BullmqQueueOptions,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.keyBase = `${options.prefix ?? 'bull'}:${options.name}:`;
  }

  async readDepth(): Promise<QueueDepth> {
    try {
      const client = await this.connection.ready();
      const key = (suffix: string): string => this.keyBase + suffix;
      const dueCutoff = this.options.includeDueDelayed === false ? '' : String(this.nowMs());
      const reply = await depthCommand(client)(
        key('wait'),
        key('prioritized'),
        key('paused'),
        key('active'),
        key('delayed'),
        key('meta'),
        key('id'),
        dueCutoff,
      );
      return this.toDepth(reply);
    } catch (error) {
      throw this.connection.classify(error);
    }
  }

  private toDepth(reply: number[]): QueueDepth {
    const [waiting = 0, prioritized = 0, legacyPaused = 0, active = 0, dueDelayed = 0] = reply;
    const paused = reply[5] === 1;
    const ready = waiting + prioritized + dueDelayed;
    // A paused BullMQ 6 queue keeps its jobs in wait/prioritized; BullMQ 5 moved them to
    // the `paused` list. Either way they count only when the scaler asks for it.
    const backlog = paused
      ? this.options.includePaused
        ? ready + legacyPaused
        : 0
      : ready + (this.options.includePaused ? legacyPaused : 0);
    return { backlog, active, addedTotal: reply[6] ?? 0, paused };
  }
}
