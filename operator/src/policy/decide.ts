import { Reason } from '@printq/crd';
import type { QueueScalerSpec } from '@printq/crd';
import { updateRates } from './estimators.js';
import { scaleDownLimit, scaleUpLimit, recordScaleEvent } from './rate-limit.js';
import { activate, ceilReplicas, nextActivation, recommendFromQueue } from './recommend.js';
import type { Recommendation } from './recommend.js';
import { recordRecommendation, stabilize } from './stabilize.js';
import type {
  FailedObservation,
  PolicyCondition,
  PolicyDecision,
  PolicyInput,
  PolicyState,
  QueueObservation,
} from './types.js';

export function initialPolicyState(): PolicyState {
  return { recommendations: [], scaleEvents: [], rates: {}, consecutiveFailures: 0 };
}

/**
 * The scaling policy: a pure function of spec, current replicas, the latest queue read, the
 * remembered history and the time. Returns the replicas to set, the reason from the catalog,
 * the condition values and the next state.
 */
export function decide(input: PolicyInput): PolicyDecision {
  if (input.paused || input.spec.paused) return decidePaused(input);
  const observation = checkedObservation(input.observation);
  if (!observation.ok) return decideOnFailure(input, observation);
  return decideOnQueue(input, observation);
}

/** A reader bug (NaN, negative counts) must not scale anything: it counts as a failed read. */
function checkedObservation(obs: PolicyInput['observation']): PolicyInput['observation'] {
  if (!obs.ok) return obs;
  const counts = [
    obs.backlog,
    obs.active,
    ...(obs.addedTotal === undefined ? [] : [obs.addedTotal]),
  ];
  if (counts.every((n) => Number.isFinite(n) && n >= 0)) return obs;
  return {
    ok: false,
    atMs: obs.atMs,
    reason: Reason.QueueReadFailed,
    message: `implausible queue read: backlog ${obs.backlog}, active ${obs.active}`,
  };
}

/** One rule's effect, kept so the decision can name the last rule that shaped the count. */
interface Step {
  replicas: number;
  reason: Reason;
  message: string;
  limits: boolean;
}

function decideOnQueue(input: PolicyInput, obs: QueueObservation): PolicyDecision {
  const { spec, currentReplicas, state, nowMs } = input;
  const rates = updateRates(state, obs);
  const activated = nextActivation(
    state.activated,
    spec,
    obs,
    currentReplicas,
    addedSince(state.previous, obs),
  );
  const base = activate(recommendFromQueue(spec, obs, rates), activated, spec, obs);
  const history = seededHistory(state, currentReplicas, nowMs);

  const steps: Step[] = [{ ...base, limits: false }];
  steps.push(stabilizeStep(spec, history, base.replicas, currentReplicas, nowMs));
  steps.push(boundStep(spec, state, lastOf(steps).replicas, currentReplicas, nowMs));
  steps.push(inFlightStep(spec, obs, lastOf(steps).replicas, currentReplicas));

  const desiredReplicas = lastOf(steps).replicas;
  const shaping = shapingStep(steps, base, currentReplicas, desiredReplicas);
  const limiting = changingSteps(steps)
    .filter((s) => s.limits)
    .at(-1);
  const next: PolicyState = {
    recommendations: recordRecommendation(spec.behavior, history, {
      atMs: nowMs,
      replicas: base.replicas,
    }),
    scaleEvents: state.scaleEvents,
    rates,
    previous: pickPrevious(obs),
    activated,
    consecutiveFailures: 0,
  };
  return finish(input, next, desiredReplicas, shaping, {
    Active: activeCondition(activated, base),
    ScalingLimited: limiting
      ? { status: 'True', reason: limiting.reason, message: limiting.message }
      : { status: 'False', reason: Reason.DesiredWithinRange, message: 'no limit applied' },
    MetricAvailable: { status: 'True', reason: Reason.QueueRead, message: queueText(obs) },
  });
}

/**
 * Without history (first decision, e.g. after an operator restart) the current count is
 * treated as recommended now, so a restart cannot skip the scale-down window.
 */
function seededHistory(state: PolicyState, currentReplicas: number, nowMs: number) {
  if (state.recommendations.length > 0) return state.recommendations;
  return [{ atMs: nowMs, replicas: currentReplicas }];
}

function stabilizeStep(
  spec: QueueScalerSpec,
  history: PolicyState['recommendations'],
  recommended: number,
  currentReplicas: number,
  nowMs: number,
): Step {
  const result = stabilize(spec.behavior, history, recommended, currentReplicas, nowMs);
  if (result.heldBy === 'down') {
    const windowSeconds = spec.behavior.scaleDown.stabilizationWindowSeconds;
    return step(
      result.replicas,
      Reason.ScaleDownStabilized,
      `scale-down window ${windowSeconds} s`,
    );
  }
  if (result.heldBy === 'up') {
    const windowSeconds = spec.behavior.scaleUp.stabilizationWindowSeconds;
    return step(result.replicas, Reason.ScaleUpStabilized, `scale-up window ${windowSeconds} s`);
  }
  return {
    replicas: result.replicas,
    reason: Reason.DesiredWithinRange,
    message: '',
    limits: false,
  };
}

/** Rate policies and min/max, in HPA's order: the policy limit narrows the allowed range. */
function boundStep(
  spec: QueueScalerSpec,
  state: PolicyState,
  proposed: number,
  currentReplicas: number,
  nowMs: number,
): Step {
  const { scaleUp, scaleDown } = spec.behavior;
  let lowest = spec.minReplicas;
  let highest = spec.maxReplicas;
  let rateReason: Reason | undefined;
  if (proposed > currentReplicas) {
    const limit = scaleUpLimit(scaleUp, currentReplicas, state.scaleEvents, nowMs);
    if (limit < highest) {
      highest = limit;
      rateReason =
        scaleUp.selectPolicy === 'Disabled' ? Reason.ScaleUpDisabled : Reason.ScaleUpLimited;
    }
  } else if (proposed < currentReplicas) {
    const limit = scaleDownLimit(scaleDown, currentReplicas, state.scaleEvents, nowMs);
    if (limit > lowest) {
      lowest = limit;
      rateReason =
        scaleDown.selectPolicy === 'Disabled' ? Reason.ScaleDownDisabled : Reason.ScaleDownLimited;
    }
  }
  // max wins over a scale-down limit: "never above maxReplicas" is absolute.
  const replicas = Math.min(Math.max(proposed, lowest), highest);
  if (replicas === proposed) return step(replicas, Reason.DesiredWithinRange, '', false);
  if (replicas === spec.maxReplicas && replicas < proposed) {
    return step(replicas, Reason.TooManyReplicas, `capped at maxReplicas ${spec.maxReplicas}`);
  }
  if (replicas === spec.minReplicas && replicas > proposed) {
    return step(replicas, Reason.TooFewReplicas, `raised to minReplicas ${spec.minReplicas}`);
  }
  const direction = replicas < proposed ? 'up' : 'down';
  return step(replicas, rateReason ?? Reason.DesiredWithinRange, `scale-${direction} policy`);
}

/**
 * Scale-in stops at ceil(active / workerConcurrency): the replicas still running jobs stay
 * (KEDA #6719, #3680). It never causes a scale-up and never exceeds maxReplicas.
 */
function inFlightStep(
  spec: QueueScalerSpec,
  obs: QueueObservation,
  proposed: number,
  currentReplicas: number,
): Step {
  if (proposed >= currentReplicas) return step(proposed, Reason.DesiredWithinRange, '', false);
  const busy = ceilReplicas(obs.active / spec.workerConcurrency);
  const floor = Math.min(currentReplicas, busy, spec.maxReplicas);
  if (floor <= proposed) return step(proposed, Reason.DesiredWithinRange, '', false);
  return step(
    floor,
    Reason.InFlightProtected,
    `${obs.active} jobs in flight need ${busy} replicas at concurrency ${spec.workerConcurrency}`,
  );
}

function decideOnFailure(input: PolicyInput, obs: FailedObservation): PolicyDecision {
  const { spec, currentReplicas, state } = input;
  const failures = state.consecutiveFailures + 1;
  const fallbackDue = spec.fallbackReplicas !== undefined && failures >= spec.fallbackAfterFailures;
  // Fallback only ever raises: the queue may be full, and nothing knows which pods are busy.
  const wanted = fallbackDue
    ? Math.max(currentReplicas, spec.fallbackReplicas ?? 0)
    : currentReplicas;
  const desiredReplicas = Math.min(Math.max(wanted, spec.minReplicas), spec.maxReplicas);
  const reason = fallbackDue ? Reason.FallbackApplied : Reason.HeldOnMetricFailure;
  const message = fallbackDue
    ? `${failures} failed reads: at least fallbackReplicas ${spec.fallbackReplicas}`
    : `${failures} failed read(s): holding ${currentReplicas} replicas`;
  const next: PolicyState = { ...state, consecutiveFailures: failures };
  const shaping = step(desiredReplicas, reason, message);
  return finish(input, next, desiredReplicas, shaping, {
    Active: { status: 'Unknown', reason: obs.reason, message: obs.message },
    ScalingLimited: { status: 'Unknown', reason, message },
    MetricAvailable: { status: 'False', reason: obs.reason, message: obs.message },
  });
}

function decidePaused(input: PolicyInput): PolicyDecision {
  const { state, observation: obs, currentReplicas } = input;
  const message = `paused: replicas left at ${currentReplicas}`;
  const next: PolicyState = obs.ok
    ? { ...state, rates: updateRates(state, obs), previous: pickPrevious(obs) }
    : state;
  const paused: PolicyCondition = { status: 'Unknown', reason: Reason.Paused, message };
  return finish(input, next, currentReplicas, step(currentReplicas, Reason.Paused, message), {
    Active: paused,
    ScalingLimited: { status: 'False', reason: Reason.Paused, message },
    MetricAvailable: obs.ok
      ? { status: 'True', reason: Reason.QueueRead, message: queueText(obs) }
      : { status: 'False', reason: obs.reason, message: obs.message },
  });
}

function finish(
  input: PolicyInput,
  next: PolicyState,
  desiredReplicas: number,
  shaping: Step,
  conditions: PolicyDecision['conditions'],
): PolicyDecision {
  const { spec, currentReplicas, nowMs } = input;
  const change = desiredReplicas - currentReplicas;
  const { scaleUp, scaleDown } = spec.behavior;
  const kept = recordScaleEvent(scaleUp, scaleDown, next.scaleEvents, nowMs, 0);
  const applied = recordScaleEvent(scaleUp, scaleDown, next.scaleEvents, nowMs, change);
  return {
    desiredReplicas,
    reason: shaping.reason,
    message: `${currentReplicas} → ${desiredReplicas}: ${shaping.message}`,
    scale: change !== 0,
    conditions,
    estimates: next.rates,
    state: { ...next, scaleEvents: applied },
    stateIfNotApplied: { ...next, scaleEvents: kept },
  };
}

/** The step that explains the final count: activation from zero, else the last change. */
function shapingStep(
  steps: readonly Step[],
  base: Recommendation,
  currentReplicas: number,
  desiredReplicas: number,
): Step {
  const last = changingSteps(steps).at(-1);
  if (currentReplicas === 0 && desiredReplicas > 0) {
    const detail = last ? `${base.message}; ${last.message}` : base.message;
    return step(desiredReplicas, Reason.Activated, detail);
  }
  return last ?? { ...base, limits: false };
}

/** Steps that changed the count proposed by the step before them. */
function changingSteps(steps: readonly Step[]): Step[] {
  return steps.filter((s, i) => {
    const before = steps[i - 1];
    return before !== undefined && s.replicas !== before.replicas;
  });
}

function activeCondition(activated: boolean, base: Recommendation): PolicyCondition {
  return activated
    ? { status: 'True', reason: Reason.Activated, message: base.message }
    : { status: 'False', reason: base.reason, message: base.message };
}

function step(replicas: number, reason: Reason, message: string, limits = true): Step {
  return { replicas, reason, message, limits };
}

function lastOf(steps: readonly Step[]): Step {
  const last = steps[steps.length - 1];
  if (!last) throw new Error('policy pipeline has no step');
  return last;
}

function pickPrevious(obs: QueueObservation): PolicyState['previous'] {
  const previous: NonNullable<PolicyState['previous']> = {
    atMs: obs.atMs,
    backlog: obs.backlog,
    active: obs.active,
  };
  if (obs.addedTotal !== undefined) previous.addedTotal = obs.addedTotal;
  return previous;
}

/** Jobs added since the previous read, from the counter; 0 when unknown. */
function addedSince(previous: PolicyState['previous'], obs: QueueObservation): number {
  if (previous?.addedTotal === undefined || obs.addedTotal === undefined) return 0;
  return Math.max(0, obs.addedTotal - previous.addedTotal);
}

function queueText(obs: QueueObservation): string {
  return `backlog ${obs.backlog}, active ${obs.active}`;
}
