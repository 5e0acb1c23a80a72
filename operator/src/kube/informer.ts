import {
  ADD,
  CONNECT,
  DELETE,
  ERROR,
  UPDATE,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { backoffMs, systemClock, type Clock, type TimerHandle } from '../clock.js';
import { errorMessage } from '../errors.js';

export interface InformerHandlers<T> {
  onUpsert(object: T): void;
  onDelete(object: T): void;
}

export interface ResilientInformerOptions {
  /**
   * Restart the watch when nothing (event, reconnect) arrived for this long. client-node's
   * watch can go silent without an error (#958, #1933); resuming from the last resource
   * version replays what was missed, or relists on 410.
   * @default 120000
   */
  staleAfterMs?: number;
  /** @default 500 */
  restartBaseMs?: number;
  /** @default 30000 */
  restartMaxMs?: number;
  clock?: Clock;
}

type ListFn<T extends KubernetesObject> = () => Promise<KubernetesListObject<T>>;
type InformerFactory<T extends KubernetesObject> = () => Informer<T> & ObjectCache<T>;

/**
 * A client-node informer that never stays down: any error restarts it with jittered
 * exponential backoff (client-node's own informer stops on non-410 errors), and a watchdog
 * restarts it when it has been quiet for `staleAfterMs`.
 */
export class ResilientInformer<T extends KubernetesObject> {
  private informer: (Informer<T> & ObjectCache<T>) | undefined;
  private readonly staleAfterMs: number;
  private readonly restartBaseMs: number;
  private readonly restartMaxMs: number;
  private readonly clock: Clock;
  private failures = 0;
  private lastActivityMs = 0;
  private startedMs = 0;
  private restartTimer: TimerHandle | undefined;
  private watchdogTimer: TimerHandle | undefined;
  private running = false;
  private synced = false;
  /** Restarts so far, for logs and tests. */
  restarts = 0;

  constructor(
    readonly name: string,
    private readonly createInformer: InformerFactory<T>,
    private readonly handlers: InformerHandlers<T>,
    private readonly log: Logger,
    options: ResilientInformerOptions = {},
  ) {
    this.staleAfterMs = options.staleAfterMs ?? 120_000;
    this.restartBaseMs = options.restartBaseMs ?? 500;
    this.restartMaxMs = options.restartMaxMs ?? 30_000;
    this.clock = options.clock ?? systemClock;
  }

  static forPath<T extends KubernetesObject>(
    name: string,
    kubeConfig: KubeConfig,
    path: string,
    list: ListFn<T>,
    handlers: InformerHandlers<T>,
    log: Logger,
    options?: ResilientInformerOptions,
  ): ResilientInformer<T> {
    return new ResilientInformer(
      name,
      () => makeInformer(kubeConfig, path, list),
      handlers,
      log,
      options,
    );
  }

  async start(): Promise<void> {
    this.running = true;
    this.informer = this.createInformer();
    this.attach(this.informer);
    this.armWatchdog();
    await this.startInformer();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.restartTimer) this.clock.clearTimeout(this.restartTimer);
    if (this.watchdogTimer) this.clock.clearTimeout(this.watchdogTimer);
    await this.informer?.stop();
  }

  /** The cached object, if the informer has it. */
  get(name: string, namespace?: string): T | undefined {
    return this.informer?.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.informer?.list(namespace) ?? [];
  }

  /** Listed at least once and heard from within the staleness bound. */
  isFresh(): boolean {
    return this.synced && this.clock.nowMs() - this.lastActivityMs <= this.staleAfterMs * 2;
  }

  private attach(informer: Informer<T>): void {
    informer.on(ADD, (object) => this.activity(() => this.handlers.onUpsert(object)));
    informer.on(UPDATE, (object) => this.activity(() => this.handlers.onUpsert(object)));
    informer.on(DELETE, (object) => this.activity(() => this.handlers.onDelete(object)));
    informer.on(CONNECT, () => this.activity(() => undefined));
    informer.on(ERROR, (error: unknown) => this.scheduleRestart(error));
  }

  private activity(handle: () => void): void {
    this.lastActivityMs = this.clock.nowMs();
    try {
      handle();
    } catch (error) {
      // A handler bug must not kill the watch; it is logged and the stream goes on.
      this.log.error({ informer: this.name, err: error }, 'informer handler failed');
    }
  }

  private async startInformer(): Promise<void> {
    const failuresBefore = this.failures;
    await this.informer?.start().catch((error: unknown) => this.scheduleRestart(error));
    if (this.failures === failuresBefore && this.running) {
      this.synced = true;
      this.startedMs = this.clock.nowMs();
      this.lastActivityMs = this.startedMs;
    }
  }

  private scheduleRestart(error: unknown): void {
    if (!this.running || this.restartTimer) return;
    // The backoff resets only after a stretch of health: a watch that connects and then
    // fails at once must not be retried at the base delay forever.
    if (this.clock.nowMs() - this.startedMs > this.restartMaxMs * 2) this.failures = 0;
    const delayMs = backoffMs(this.failures, this.restartBaseMs, this.restartMaxMs);
    this.failures += 1;
    this.log.warn(
      { informer: this.name, err: errorMessage(error), delayMs, failures: this.failures },
      'informer failed; restarting',
    );
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart();
    }, delayMs);
  }

  private async restart(): Promise<void> {
    if (!this.running) return;
    this.restarts += 1;
    await this.informer?.stop();
    await this.startInformer();
  }

  private armWatchdog(): void {
    const checkEveryMs = Math.max(1000, Math.floor(this.staleAfterMs / 4));
    this.watchdogTimer = this.clock.setTimeout(() => {
      if (!this.running) return;
      const quietMs = this.clock.nowMs() - this.lastActivityMs;
      if (this.synced && quietMs >= this.staleAfterMs && !this.restartTimer) {
        this.log.debug({ informer: this.name, quietMs }, 'informer quiet; restarting watch');
        this.lastActivityMs = this.clock.nowMs();
        void this.restart();
      }
      this.armWatchdog();
    }, checkEveryMs);
    this.watchdogTimer.unref?.();
  }
}
