import { PAUSED_ANNOTATION, Reason, type QueueScaler, type QueueScalerStatus } from '@printq/crd';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import { ErrorReason, OperatorError, errorMessage } from '../errors.js';
import type { KubeApi, ObjectRef } from '../kube/api.js';
import type { OperatorMetrics } from '../metrics.js';
import { decide, initialPolicyState } from '../policy/index.js';
import type { Observation, PolicyDecision, PolicyState } from '../policy/index.js';
import type { RedisConnectionCache } from '../queues/connection.js';
import type { QueueDepth } from '../queues/types.js';
import {
  isWarning,
  mergeConditions,
  type ConditionChange,
  type ConditionValue,
} from './conditions.js';
import { QueueSource } from './queue-source.js';
import type { Timers } from './slot-timers.js';

/**
 * Refresh `status.lastPollTime` at least this often even when nothing else changed. Long:
 * each refresh is an apiserver write and a watch event for every other client, and liveness
 * is what /healthz and the metrics are for.
 */
export const STATUS_HEARTBEAT_MS = 300_000;

/** Poll intervals vary by ±10 % so many scalers do not read Redis in lockstep. */
const JITTER_FRACTION = 0.1;

export type KubeCalls = Pick<
  KubeApi,
  | 'readDeploymentScale'
  | 'patchDeploymentScale'
  | 'patchQueueScalerStatus'
  | 'recordEvent'
  | 'readSecret'
>;

/** Replica counts of target Deployments as the informer last saw them. */
export interface TargetCache {
  /** `spec.replicas` of the Deployment, or undefined when it is not in the cache. */
  replicasOf(namespace: string, name: string): number | undefined;
}

export interface ScalerLoopDeps {
  kube: KubeCalls;
  targets: TargetCache;
  connections: RedisConnectionCache;
  metrics: OperatorMetrics;
  clock: Clock;
  log: Logger;
  /** @default Math.random */
  random?: () => number;
  /** Where polls are scheduled; the clock's own timers when absent. */
  timers?: Timers;
}

/** What one poll found and did; the loop keeps the last one for health and tests. */
export interface PollResult {
  atMs: number;
  observation: Observation;
  currentReplicas?: number;
  decision?: PolicyDecision;
  scaledTo?: number;
  ready: ConditionValue;
}

/**
 * One QueueScaler's poll loop: read the queue, decide, scale through the scale subresource
 * when the count changes, write status and Events. Polls never overlap; the next one is
 * scheduled when the previous finished, at `pollIntervalSeconds` with jitter.
 */
export class ScalerLoop {
  readonly key: string;
  private scaler: QueueScaler;
  private state: PolicyState = initialPolicyState();
  private readonly queue: QueueSource;
  private readonly log: Logger;
  private readonly random: () => number;
  private timer: TimerHandle | undefined;
  private running = false;
  private polling: Promise<void> | undefined;
  private writtenStatus: { signature: string; atMs: number } | undefined;
  private lastScaleTime: string | undefined;
  private writtenConditions: QueueScalerStatus['conditions'];
  lastPoll: PollResult | undefined;
  polls = 0;
  /** When the loop last started, for liveness before its first poll completes. */
  startedAtMs: number | undefined;

  constructor(
    scaler: QueueScaler,
    private readonly deps: ScalerLoopDeps,
  ) {
    this.scaler = scaler;
    const { namespace = 'default', name = '' } = scaler.metadata;
    this.key = `${namespace}/${name}`;
    this.log = deps.log.child({ scaler: this.key });
    this.random = deps.random ?? Math.random;
    this.lastScaleTime = scaler.status?.lastScaleTime;
    this.queue = new QueueSource(this.key, namespace, deps.kube, deps.connections, deps.clock);
  }

  get namespace(): string {
    return this.scaler.metadata.namespace ?? 'default';
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAtMs = this.deps.clock.nowMs();
    this.schedule(0);
  }

  /** Stops polling (replicas are left as they are) and waits for a poll in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  async dispose(): Promise<void> {
    await this.stop();
    await this.queue.close();
  }

  /** A new version of the object from the informer; spec or pause changes apply at once. */
  update(scaler: QueueScaler): void {
    const changed =
      scaler.metadata.generation !== this.scaler.metadata.generation ||
      isPausedByAnnotation(scaler) !== isPausedByAnnotation(this.scaler);
    this.scaler = scaler;
    if (changed && this.running && !this.polling) this.schedule(0);
  }

  /** Runs one poll now (used by tests and by the schedule). */
  async poll(): Promise<PollResult> {
    const startedMs = this.deps.clock.nowMs();
    const scaler = this.scaler;
    const observation = await this.observe(scaler);
    const current = await this.currentReplicas(scaler);
    let result: PollResult;
    if (current instanceof OperatorError) {
      result = { atMs: startedMs, observation, ready: failed(current) };
    } else {
      result = await this.decideAndScale(scaler, observation, current);
    }
    await this.writeStatus(scaler, result);
    this.recordMetrics(result, startedMs);
    this.lastPoll = result;
    this.polls += 1;
    return result;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.polling = this.pollAndReschedule();
    }, delayMs);
  }

  private async pollAndReschedule(): Promise<void> {
    const startedMs = this.deps.clock.nowMs();
    try {
      await this.poll();
    } catch (error) {
      // Every expected failure is handled inside poll(); this is a bug, logged loudly.
      this.log.error({ err: error }, 'poll failed unexpectedly');
    } finally {
      this.polling = undefined;
      const elapsedMs = this.deps.clock.nowMs() - startedMs;
      this.schedule(Math.max(0, this.intervalMs() - elapsedMs));
    }
  }

  private get timers(): Timers {
    return this.deps.timers ?? this.deps.clock;
  }

  get intervalBaseMs(): number {
    return this.scaler.spec.pollIntervalSeconds * 1000;
  }

  private intervalMs(): number {
    const baseMs = this.intervalBaseMs;
    return Math.round(baseMs * (1 + (this.random() * 2 - 1) * JITTER_FRACTION));
  }

  private async observe(scaler: QueueScaler): Promise<Observation> {
    try {
      const depth: QueueDepth = await this.queue.read(scaler.spec.queue);
      const atMs = this.deps.clock.nowMs();
      return {
        ok: true,
        atMs,
        backlog: depth.backlog,
        active: depth.active,
        ...(depth.addedTotal !== undefined ? { addedTotal: depth.addedTotal } : {}),
      };
    } catch (error) {
      const reason = error instanceof OperatorError ? error.reason : ErrorReason.QueueReadFailed;
      this.deps.metrics.errors.inc({ reason });
      this.log.debug({ reason, err: errorMessage(error) }, 'queue read failed');
      return { ok: false, atMs: this.deps.clock.nowMs(), reason, message: errorMessage(error) };
    }
  }

  private async currentReplicas(scaler: QueueScaler): Promise<number | OperatorError> {
    const target = scaler.spec.scaleTargetRef.name;
    const cached = this.deps.targets.replicasOf(this.namespace, target);
    if (cached !== undefined) return cached;
    try {
      return (await this.deps.kube.readDeploymentScale(this.namespace, target)).replicas;
    } catch (error) {
      const failure = asOperatorError(error);
      this.deps.metrics.errors.inc({ reason: failure.reason });
      return failure;
    }
  }

  private async decideAndScale(
    scaler: QueueScaler,
    observation: Observation,
    cachedReplicas: number,
  ): Promise<PollResult> {
    const nowMs = this.deps.clock.nowMs();
    const input = { spec: scaler.spec, observation, state: this.state, nowMs };
    const paused = isPausedByAnnotation(scaler);
    let current = cachedReplicas;
    let decision = decide({ ...input, currentReplicas: current, paused });
    if (decision.scale) {
      // The informer cache may lag a human's `kubectl scale`: decide again on the count the
      // scale subresource holds right now before writing.
      const fresh = await this.readScale(scaler);
      if (fresh instanceof OperatorError)
        return this.failedScale(observation, decision, current, fresh);
      if (fresh !== current) {
        current = fresh;
        decision = decide({ ...input, currentReplicas: current, paused });
      }
    }
    if (!decision.scale) {
      this.state = decision.state;
      return { atMs: nowMs, observation, currentReplicas: current, decision, ready: reconciled() };
    }
    return this.scale(scaler, observation, decision, current);
  }

  private async readScale(scaler: QueueScaler): Promise<number | OperatorError> {
    try {
      const target = scaler.spec.scaleTargetRef.name;
      return (await this.deps.kube.readDeploymentScale(this.namespace, target)).replicas;
    } catch (error) {
      return asOperatorError(error);
    }
  }

  private async scale(
    scaler: QueueScaler,
    observation: Observation,
    decision: PolicyDecision,
    current: number,
  ): Promise<PollResult> {
    const target = scaler.spec.scaleTargetRef.name;
    const to = decision.desiredReplicas;
    try {
      await this.deps.kube.patchDeploymentScale(this.namespace, target, to);
    } catch (error) {
      return this.failedScale(observation, decision, current, asOperatorError(error));
    }
    const now = new Date(this.deps.clock.nowMs());
    this.state = decision.state;
    this.lastScaleTime = now.toISOString();
    const direction = to > current ? 'up' : 'down';
    this.deps.metrics.scaleOperations.inc({ scaler: this.key, direction });
    this.log.info(
      { target, from: current, to, reason: decision.reason, ...depthFields(observation) },
      'scaled',
    );
    await this.event(
      scaler,
      'Normal',
      decision.reason,
      `Scaled Deployment ${target} from ${current} to ${to}: ${decision.message}`,
    );
    return {
      atMs: now.getTime(),
      observation,
      currentReplicas: to,
      decision,
      scaledTo: to,
      ready: reconciled(),
    };
  }

  private failedScale(
    observation: Observation,
    decision: PolicyDecision,
    current: number,
    error: OperatorError,
  ): PollResult {
    this.state = decision.stateIfNotApplied;
    this.deps.metrics.errors.inc({ reason: error.reason });
    this.log.warn({ reason: error.reason, err: error.message }, 'scale failed');
    return {
      atMs: this.deps.clock.nowMs(),
      observation,
      currentReplicas: current,
      decision,
      ready: failed(error),
    };
  }

  private async writeStatus(scaler: QueueScaler, result: PollResult): Promise<void> {
    const now = new Date(this.deps.clock.nowMs());
    const generation = scaler.metadata.generation;
    const values = conditionValues(result);
    // Compare with what this loop last wrote, not with the informer's copy, which can lag a
    // write and would make the same condition change (and its Event) appear twice.
    const previous = this.writtenConditions ?? scaler.status?.conditions;
    const merged = mergeConditions(previous, values, generation, now);
    const status = this.statusOf(scaler, result, merged.conditions);
    const signature = statusSignature(status);
    const written = this.writtenStatus;
    const heartbeatDue = !written || now.getTime() - written.atMs >= STATUS_HEARTBEAT_MS;
    if (written?.signature === signature && !heartbeatDue) return;
    try {
      await this.deps.kube.patchQueueScalerStatus(this.namespace, scaler.metadata.name ?? '', {
        ...status,
        lastPollTime: now.toISOString(),
      });
      this.writtenStatus = { signature, atMs: now.getTime() };
      this.writtenConditions = merged.conditions;
      // Until the informer delivers this status, later polls fall back on what we wrote.
      this.scaler = { ...this.scaler, status: { ...this.scaler.status, ...status } };
    } catch (error) {
      const failure = asOperatorError(error);
      this.deps.metrics.errors.inc({ reason: failure.reason });
      this.log.warn({ err: failure.message }, 'status update failed');
      return;
    }
    for (const change of merged.changes) await this.conditionEvent(scaler, change);
  }

  private statusOf(
    scaler: QueueScaler,
    result: PollResult,
    conditions: QueueScalerStatus['conditions'],
  ): QueueScalerStatus {
    const obs = result.observation;
    const estimates = result.decision?.estimates;
    const previous = scaler.status ?? {};
    return {
      ...(result.currentReplicas !== undefined ? { currentReplicas: result.currentReplicas } : {}),
      ...(result.decision ? { desiredReplicas: result.decision.desiredReplicas } : {}),
      queueDepth: obs.ok ? obs.backlog : previous.queueDepth,
      activeJobs: obs.ok ? obs.active : previous.activeJobs,
      ...(estimates?.arrivalPerSecond !== undefined
        ? { arrivalRatePerSecond: round(estimates.arrivalPerSecond) }
        : {}),
      ...(estimates?.serviceTimeSeconds !== undefined
        ? { serviceTimeSeconds: round(estimates.serviceTimeSeconds) }
        : {}),
      ...(this.lastScaleTime ? { lastScaleTime: this.lastScaleTime } : {}),
      ...(scaler.metadata.generation !== undefined
        ? { observedGeneration: scaler.metadata.generation }
        : {}),
      conditions,
    };
  }

  private async conditionEvent(scaler: QueueScaler, change: ConditionChange): Promise<void> {
    const { type, to } = change;
    this.log.info({ condition: type, status: to.status, reason: to.reason }, 'condition changed');
    const kind = isWarning(type, to) ? 'Warning' : 'Normal';
    await this.event(scaler, kind, to.reason, `${type}=${to.status}: ${to.message}`);
  }

  private async event(
    scaler: QueueScaler,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const regarding: ObjectRef = {
      apiVersion: scaler.apiVersion,
      kind: scaler.kind,
      name: scaler.metadata.name ?? '',
      namespace: this.namespace,
      ...(scaler.metadata.uid ? { uid: scaler.metadata.uid } : {}),
    };
    try {
      await this.deps.kube.recordEvent(
        regarding,
        type,
        reason,
        message,
        new Date(this.deps.clock.nowMs()),
      );
    } catch (error) {
      // Events are best effort: losing one must not stop scaling.
      this.log.debug({ err: errorMessage(error), reason }, 'event not recorded');
    }
  }

  private recordMetrics(result: PollResult, startedMs: number): void {
    const { metrics } = this.deps;
    const labels = { scaler: this.key };
    if (result.observation.ok) {
      metrics.queueDepth.set(labels, result.observation.backlog);
      metrics.activeJobs.set(labels, result.observation.active);
    }
    if (result.decision) metrics.desiredReplicas.set(labels, result.decision.desiredReplicas);
    if (result.currentReplicas !== undefined) {
      metrics.currentReplicas.set(labels, result.currentReplicas);
    }
    metrics.reconcileSeconds.observe(labels, (this.deps.clock.nowMs() - startedMs) / 1000);
  }
}

export function isPausedByAnnotation(scaler: QueueScaler): boolean {
  return scaler.metadata.annotations?.[PAUSED_ANNOTATION] === 'true';
}

function conditionValues(
  result: PollResult,
): Record<'Ready' | 'Active' | 'ScalingLimited' | 'MetricAvailable', ConditionValue> {
  const obs = result.observation;
  const metric: ConditionValue = obs.ok
    ? {
        status: 'True',
        reason: Reason.QueueRead,
        message: `backlog ${obs.backlog}, active ${obs.active}`,
      }
    : { status: 'False', reason: obs.reason, message: obs.message };
  const unknown = (message: string): ConditionValue => ({
    status: 'Unknown',
    reason: result.ready.reason,
    message,
  });
  const conditions = result.decision?.conditions;
  return {
    Ready: result.ready,
    Active: conditions?.Active ?? unknown('no decision: target unavailable'),
    ScalingLimited: conditions?.ScalingLimited ?? unknown('no decision: target unavailable'),
    MetricAvailable: conditions?.MetricAvailable ?? metric,
  };
}

function reconciled(): ConditionValue {
  return { status: 'True', reason: Reason.Reconciled, message: 'scaler is acting on its target' };
}

function failed(error: OperatorError): ConditionValue {
  return { status: 'False', reason: error.reason, message: error.message };
}

function asOperatorError(error: unknown): OperatorError {
  if (error instanceof OperatorError) return error;
  return new OperatorError(ErrorReason.ScaleFailed, errorMessage(error), true, { cause: error });
}

function depthFields(observation: Observation): Record<string, number> {
  return observation.ok ? { backlog: observation.backlog, active: observation.active } : {};
}

/** Status content that matters for a write; measured rates alone do not trigger one. */
function statusSignature(status: QueueScalerStatus): string {
  const significant: Partial<QueueScalerStatus> = { ...status };
  delete significant.arrivalRatePerSecond;
  delete significant.serviceTimeSeconds;
  return JSON.stringify(significant);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
