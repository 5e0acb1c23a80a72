import { withDefaults } from '@printq/crd';
import type { QueueScalerSpec, QueueScalerSpecInput, ScalingRules } from '@printq/crd';
import { decide, initialPolicyState, scaleDownLimit, scaleUpLimit } from '../policy/index.js';
import type { PolicyState, ScaleEvent, TimedValue } from '../policy/index.js';
import type { ClusterView } from './cluster.js';
import type { KedaSettings, Trace } from './trace.js';

/** A scaler as the simulator drives it: called every step, answers spec.replicas. */
export interface Controller {
  readonly name: string;
  readonly label: string;
  /** Replicas already running (and ready) when the trace starts. */
  readonly initialReplicas: number;
  tick(view: ClusterView): number;
}

/** The spec printq runs with for a trace: its `scaler` fields on top of the CRD defaults. */
export function printqSpec(trace: Trace): QueueScalerSpec {
  return withDefaults({
    scaleTargetRef: { name: 'worker' },
    queue: { name: 'sim', connection: { host: 'simulated' } },
    workerConcurrency: trace.workload.workerConcurrency,
    ...(trace.scaler as Partial<QueueScalerSpecInput>),
  } as QueueScalerSpecInput);
}

/** The printq policy, polled every `pollIntervalSeconds`, exactly as the operator calls it. */
export class PrintqController implements Controller {
  readonly name = 'printq';
  readonly label = 'printq (1 s poll)';
  readonly initialReplicas: number;
  private state: PolicyState = initialPolicyState();
  private nextPollMs = 0;

  constructor(private readonly spec: QueueScalerSpec) {
    this.initialReplicas = spec.minReplicas;
  }

  tick(view: ClusterView): number {
    if (view.nowMs < this.nextPollMs) return view.replicas;
    this.nextPollMs += Math.round(this.spec.pollIntervalSeconds * 1000);
    const decision = decide({
      spec: this.spec,
      currentReplicas: view.replicas,
      observation: {
        ok: true,
        atMs: view.nowMs,
        backlog: view.backlog,
        active: view.active,
        addedTotal: view.addedTotal,
      },
      state: this.state,
      nowMs: view.nowMs,
    });
    this.state = decision.state;
    return decision.desiredReplicas;
  }
}

/** The HPA's default behavior (autoscaling/v2, no `behavior` set — what KEDA creates). */
const HPA_SCALE_UP: ScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
const HPA_SCALE_DOWN: ScalingRules = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

/**
 * KEDA's Redis list scaler feeding an HPA, with their documented defaults:
 * - KEDA's loop every pollingInterval (30 s) decides activity (list length strictly above
 *   activationListLength); it alone scales 0 → max(1, minReplicaCount), and back to 0 once
 *   the scaler has been inactive for cooldownPeriod (300 s);
 * - the HPA syncs every 15 s while replicas > 0, reading the list length fresh through
 *   KEDA's metrics server (AverageValue target = listLength): desired = ceil(length /
 *   listLength), skipped within the 10 % tolerance; then its default behavior: scale-up
 *   max(4 pods, 100 %) per 15 s, scale-down to the highest recommendation of 300 s;
 *   HPA minReplicas is max(1, minReplicaCount).
 */
export class KedaHpaController implements Controller {
  readonly name = 'keda';
  readonly label = 'KEDA + HPA defaults';
  readonly initialReplicas: number;
  private nextPollMs: number;
  private nextSyncMs: number;
  private lastActiveMs = Number.NEGATIVE_INFINITY;
  private recommendations: TimedValue[] = [];
  private events: ScaleEvent[] = [];

  constructor(
    private readonly keda: KedaSettings,
    private readonly maxReplicas: number,
  ) {
    this.initialReplicas = keda.minReplicaCount;
    this.nextPollMs = keda.pollOffsetSeconds * 1000;
    this.nextSyncMs = keda.hpaSyncOffsetSeconds * 1000;
  }

  tick(view: ClusterView): number {
    let replicas = view.replicas;
    if (view.nowMs >= this.nextPollMs) {
      this.nextPollMs += this.keda.pollingIntervalSeconds * 1000;
      replicas = this.kedaLoop(view, replicas);
    }
    if (view.nowMs >= this.nextSyncMs) {
      this.nextSyncMs += this.keda.hpaSyncPeriodSeconds * 1000;
      if (replicas > 0) replicas = this.hpaSync(view, replicas);
    }
    return replicas;
  }

  private kedaLoop(view: ClusterView, replicas: number): number {
    const active = view.backlog > this.keda.activationListLength;
    if (active) this.lastActiveMs = view.nowMs;
    if (active && replicas === 0) return Math.max(1, this.keda.minReplicaCount);
    const cooledDown = view.nowMs - this.lastActiveMs >= this.keda.cooldownPeriodSeconds * 1000;
    if (!active && replicas > 0 && this.keda.minReplicaCount === 0 && cooledDown) return 0;
    return replicas;
  }

  private hpaSync(view: ClusterView, current: number): number {
    const now = view.nowMs;
    const metric = view.backlog;
    const ratio = metric / (this.keda.listLength * current);
    const recommended =
      Math.abs(ratio - 1) <= this.keda.hpaTolerance
        ? current
        : Math.ceil(metric / this.keda.listLength);
    const stabilized = this.stabilize(recommended, current, now);
    const desired = this.limit(stabilized, current, now);
    if (desired !== current) this.events.push({ atMs: now, change: desired - current });
    this.events = this.events.filter((e) => e.atMs > now - 300_000);
    return desired;
  }

  private stabilize(recommended: number, current: number, nowMs: number): number {
    const downCutoff = nowMs - HPA_SCALE_DOWN.stabilizationWindowSeconds * 1000;
    this.recommendations = this.recommendations.filter((r) => r.atMs > downCutoff);
    const highest = Math.max(recommended, ...this.recommendations.map((r) => r.replicas));
    this.recommendations.push({ atMs: nowMs, replicas: recommended });
    if (recommended > current) return recommended; // no scale-up window by default
    return Math.min(current, highest);
  }

  private limit(desired: number, current: number, nowMs: number): number {
    const minReplicas = Math.max(1, this.keda.minReplicaCount);
    if (desired > current) {
      const upLimit = scaleUpLimit(HPA_SCALE_UP, current, this.events, nowMs);
      return Math.max(minReplicas, Math.min(desired, upLimit, this.maxReplicas));
    }
    const downLimit = scaleDownLimit(HPA_SCALE_DOWN, current, this.events, nowMs);
    return Math.min(this.maxReplicas, Math.max(desired, downLimit, minReplicas));
  }
}

/** Every replica all the time: the latency floor and the cost ceiling. */
export class AlwaysMaxController implements Controller {
  readonly name = 'always-max';
  readonly label = 'always max';
  constructor(readonly initialReplicas: number) {}

  tick(): number {
    return this.initialReplicas;
  }
}

export function standardControllers(trace: Trace): Controller[] {
  const spec = printqSpec(trace);
  return [
    new PrintqController(spec),
    new KedaHpaController(trace.keda, spec.maxReplicas),
    new AlwaysMaxController(spec.maxReplicas),
  ];
}
