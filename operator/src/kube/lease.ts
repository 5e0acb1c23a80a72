import {
  ApiException,
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { errorMessage } from '../errors.js';

export interface LeaderElectionOptions {
  namespace: string;
  /** @default "printq-operator" */
  leaseName: string;
  /** This replica's name (the Pod name), written as the Lease holder. */
  identity: string;
  /**
   * How long a holder's claim lasts without renewal; a follower takes over this long after
   * it last saw the Lease change.
   * @default 15000
   */
  leaseDurationMs: number;
  /**
   * A leader that has not renewed for this long steps down, before the Lease expires, so two
   * replicas never act at once.
   * @default 10000
   */
  renewDeadlineMs: number;
  /** How often leaders renew and followers retry. @default 2000 */
  retryPeriodMs: number;
}

export const DEFAULT_LEASE_TIMINGS = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
} as const;

export interface LeadershipCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

/** The Lease operations leader election needs; the apiserver-backed one is below. */
export interface LeaseStore {
  get(namespace: string, name: string): Promise<V1Lease | undefined>;
  create(namespace: string, lease: V1Lease): Promise<V1Lease>;
  /** Optimistic update: fails with 409 when `lease.metadata.resourceVersion` is stale. */
  replace(namespace: string, name: string, lease: V1Lease): Promise<V1Lease>;
}

export function apiLeaseStore(kubeConfig: KubeConfig): LeaseStore {
  const api = kubeConfig.makeApiClient(CoordinationV1Api);
  return {
    async get(namespace, name) {
      try {
        return await api.readNamespacedLease({ namespace, name });
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
    create: (namespace, body) => api.createNamespacedLease({ namespace, body }),
    replace: (namespace, name, body) => api.replaceNamespacedLease({ namespace, name, body }),
  };
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease (client-node has no helper). Expiry is
 * judged by the local time at which this replica last saw the Lease record change, never by
 * comparing the holder's clock with ours.
 */
export class LeaderElector {
  private leader = false;
  private running = false;
  private timer: TimerHandle | undefined;
  private lastRenewMs = 0;
  private observed: { record: string; atMs: number; durationMs: number } | undefined;
  private current: V1Lease | undefined;

  constructor(
    private readonly store: LeaseStore,
    private readonly options: LeaderElectionOptions,
    private readonly callbacks: LeadershipCallbacks,
    private readonly log: Logger,
    private readonly clock: Clock = systemClock,
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    this.running = true;
    void this.tick();
  }

  /** Stops campaigning; a leader hands the Lease back so a peer takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    if (this.leader) {
      this.setLeader(false);
      await this.release();
    }
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    try {
      const acquired = await this.tryAcquireOrRenew();
      if (acquired) this.lastRenewMs = this.clock.nowMs();
      // Another replica holds a valid claim: step down at once, whatever our deadline says.
      this.setLeader(acquired);
    } catch (error) {
      this.log.warn(
        { err: errorMessage(error), lease: this.options.leaseName },
        'lease update failed',
      );
      // 409: someone else wrote the Lease since we read it, so it is no longer ours.
      const conflict = error instanceof ApiException && error.code === 409;
      this.setLeader(!conflict && this.withinRenewDeadline());
    }
    if (this.running) {
      this.timer = this.clock.setTimeout(() => void this.tick(), this.nextTickDelayMs());
    }
  }

  /**
   * Followers wake exactly when the holder's claim runs out rather than on the next retry
   * tick, so a dead leader is replaced within the lease duration, not duration + period.
   */
  private nextTickDelayMs(): number {
    const retryMs = this.options.retryPeriodMs;
    if (this.leader || !this.observed) return retryMs;
    const untilExpiryMs = this.expiresAtMs() - this.clock.nowMs();
    return Math.max(0, Math.min(retryMs, untilExpiryMs + 1));
  }

  private withinRenewDeadline(): boolean {
    return this.leader && this.clock.nowMs() - this.lastRenewMs < this.options.renewDeadlineMs;
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, leaseName } = this.options;
    const now = this.clock.nowMs();
    const existing = await this.store.get(namespace, leaseName);
    if (!existing) {
      this.current = await this.store.create(namespace, this.claim(undefined, now));
      return true;
    }
    this.observe(existing, now);
    const holder = existing.spec?.holderIdentity ?? '';
    if (holder !== this.options.identity && holder !== '' && !this.expired(now)) {
      this.current = existing;
      return false;
    }
    this.current = await this.store.replace(namespace, leaseName, this.claim(existing, now));
    return true;
  }

  private claim(existing: V1Lease | undefined, nowMs: number): V1Lease {
    const heldByUs = existing?.spec?.holderIdentity === this.options.identity;
    const transitions = existing?.spec?.leaseTransitions ?? 0;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.options.leaseName,
        namespace: this.options.namespace,
        ...(existing?.metadata?.resourceVersion
          ? { resourceVersion: existing.metadata.resourceVersion }
          : {}),
      },
      spec: {
        holderIdentity: this.options.identity,
        leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
        acquireTime:
          heldByUs && existing?.spec?.acquireTime
            ? new V1MicroTime(existing.spec.acquireTime)
            : new V1MicroTime(nowMs),
        renewTime: new V1MicroTime(nowMs),
        leaseTransitions: heldByUs || !existing ? transitions : transitions + 1,
      },
    };
  }

  /**
   * Remembers when the Lease record last changed. The holder's own renewTime is used when it
   * is earlier than our observation (we polled after the renewal) but never when it lies in
   * our future: a skewed clock can only delay a takeover, or advance it by at most the skew,
   * which the leader's earlier step-down (renewDeadline < leaseDuration) absorbs.
   */
  private observe(lease: V1Lease, nowMs: number): void {
    const renewTime = lease.spec?.renewTime;
    const record = `${lease.spec?.holderIdentity ?? ''}|${String(renewTime ?? '')}`;
    if (this.observed?.record === record) return;
    const renewedMs = renewTime === undefined ? Number.NaN : Date.parse(String(renewTime));
    const holderSaysMs = Number.isFinite(renewedMs) ? Math.min(renewedMs, nowMs) : nowMs;
    const durationMs =
      (lease.spec?.leaseDurationSeconds ?? 0) * 1000 || this.options.leaseDurationMs;
    this.observed = { record, atMs: Math.max(holderSaysMs, nowMs - durationMs), durationMs };
  }

  private expiresAtMs(): number {
    return this.observed ? this.observed.atMs + this.observed.durationMs : Number.POSITIVE_INFINITY;
  }

  private expired(nowMs: number): boolean {
    return nowMs >= this.expiresAtMs();
  }

  private async release(): Promise<void> {
    const lease = this.current;
    if (!lease?.spec || lease.spec.holderIdentity !== this.options.identity) return;
    try {
      await this.store.replace(this.options.namespace, this.options.leaseName, {
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          renewTime: new V1MicroTime(this.clock.nowMs()),
          acquireTime: lease.spec.acquireTime ? new V1MicroTime(lease.spec.acquireTime) : undefined,
        },
      });
      this.log.info({ lease: this.options.leaseName }, 'lease released');
    } catch (error) {
      this.log.warn({ err: errorMessage(error) }, 'lease release failed');
    }
  }

  private setLeader(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    const fields = { lease: this.options.leaseName, identity: this.options.identity };
    if (leader) {
      this.log.info(fields, 'became leader');
      this.callbacks.onStartedLeading();
    } else {
      this.log.info(fields, 'lost leadership');
      this.callbacks.onStoppedLeading();
    }
  }
}
