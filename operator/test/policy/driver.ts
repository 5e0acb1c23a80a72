// Drives the pure policy over virtual time: every decision is applied at once, as a
// reconciler would after a successful patch.
import { withDefaults } from '@printq/crd';
import type { QueueScalerSpec, QueueScalerSpecInput } from '@printq/crd';
import { decide, initialPolicyState } from '../../src/policy/index.js';
import type { Observation, PolicyDecision, PolicyState } from '../../src/policy/index.js';

export function makeSpec(overrides: Partial<QueueScalerSpecInput> = {}): QueueScalerSpec {
  const input: QueueScalerSpecInput = {
    scaleTargetRef: { name: 'worker' },
    queue: { name: 'quotes', connection: { host: 'redis' } },
    maxReplicas: 50,
    ...overrides,
  };
  if (input.targetLatencySeconds === undefined && input.targetJobsPerReplica === undefined) {
    input.targetJobsPerReplica = 10;
  }
  return withDefaults(input);
}

/** One poll: queue numbers, or a failure. `t` is in seconds of virtual time. */
export interface Tick {
  t: number;
  backlog?: number;
  active?: number;
  added?: number;
  fail?: boolean;
  paused?: boolean;
}

export interface Run {
  decisions: (PolicyDecision & { t: number; from: number })[];
  replicas: number[];
  state: PolicyState;
}

export function run(spec: QueueScalerSpec, ticks: Tick[], startReplicas = 0): Run {
  let state = initialPolicyState();
  let current = startReplicas;
  const decisions: Run['decisions'] = [];
  for (const tick of ticks) {
    const nowMs = tick.t * 1000;
    const decision = decide({
      spec,
      currentReplicas: current,
      observation: observe(tick, nowMs),
      state,
      nowMs,
      paused: tick.paused ?? false,
    });
    decisions.push({ ...decision, t: tick.t, from: current });
    state = decision.state;
    current = decision.desiredReplicas;
  }
  return { decisions, replicas: decisions.map((d) => d.desiredReplicas), state };
}

function observe(tick: Tick, atMs: number): Observation {
  if (tick.fail) {
    return { ok: false, atMs, reason: 'RedisConnectionRefused', message: 'ECONNREFUSED' };
  }
  const obs: Observation = { ok: true, atMs, backlog: tick.backlog ?? 0, active: tick.active ?? 0 };
  if (tick.added !== undefined) obs.addedTotal = tick.added;
  return obs;
}

/** Ticks every `stepSeconds` from `from` (inclusive) to `to` (exclusive). */
export function ticks(
  from: number,
  to: number,
  tick: (t: number) => Omit<Tick, 't'>,
  stepSeconds = 1,
): Tick[] {
  const out: Tick[] = [];
  for (let t = from; t < to; t += stepSeconds) out.push({ t, ...tick(t) });
  return out;
}

/** Replica count at virtual second `t` (the decision taken at t). */
export function at(result: Run, t: number): number {
  const decision = result.decisions.find((d) => d.t === t);
  if (!decision) throw new Error(`no decision at t=${t}`);
  return decision.desiredReplicas;
}

export function changes(replicas: readonly number[], start = 0): number {
  let previous = start;
  let count = 0;
  for (const r of replicas) {
    if (r !== previous) count++;
    previous = r;
  }
  return count;
}
