import { ALL_REASONS, ConditionType } from './reasons.js';
import type { Infer, InferInput } from './schema.js';
import {
  applyDefaults,
  validationProblems,
  array,
  boolean,
  dateTime,
  enumOf,
  integer,
  number,
  object,
  string,
} from './schema.js';

export const GROUP = 'printq.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'QueueScaler';
export const PLURAL = 'queuescalers';
export const SINGULAR = 'queuescaler';
export const SHORT_NAMES = ['qs'] as const;
/** Setting this annotation to "true" pauses a scaler like `spec.paused` does. */
export const PAUSED_ANNOTATION = 'printq.dev/paused';

const NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

const scaleTargetRef = object(
  {
    apiVersion: string({ description: 'API version of the target.' }).default('apps/v1'),
    kind: enumOf(['Deployment'], { description: 'Kind of the target.' }).default('Deployment'),
    name: string({
      description: 'Name of the Deployment in the scaler’s namespace.',
      minLength: 1,
      maxLength: 253,
      pattern: NAME_PATTERN,
    }),
  },
  {
    description: 'The workload whose `spec.replicas` the scaler owns (via its scale subresource).',
  },
);

const secretKeyRef = object(
  {
    name: string({ description: 'Secret in the scaler’s namespace.', minLength: 1 }),
    key: string({ description: 'Key inside the Secret.', minLength: 1 }),
  },
  { description: 'A key of a Secret in the scaler’s namespace.' },
);

const connection = object(
  {
    host: string({ description: 'Redis host name or address.', minLength: 1 }),
    port: integer({ description: 'Redis port.', minimum: 1, maximum: 65535 }).default(6379),
    db: integer({ description: 'Redis logical database.', minimum: 0, maximum: 15 }).default(0),
    tls: boolean({ description: 'Connect with TLS (server certificate verified).' }).default(false),
    username: string({ description: 'Redis ACL user; omit for the default user.' }).optional(),
    passwordSecretRef: secretKeyRef.optional(),
  },
  { description: 'How the operator reaches the Redis that holds the queue.' },
);

const queue = object(
  {
    type: enumOf(['bullmq', 'redis-list'], {
      description:
        'bullmq: backlog = wait + prioritized (+ paused when includePaused). ' +
        'redis-list: backlog = LLEN of `name` (Celery, RQ and other list queues).',
    }).default('bullmq'),
    name: string({ description: 'Queue name (BullMQ) or list key (redis-list).', minLength: 1 }),
    prefix: string({ description: 'BullMQ key prefix.', minLength: 1 }).default('bull'),
    includePaused: boolean({
      description: 'Count jobs of a paused BullMQ queue as backlog (they wait for a resume).',
    }).default(false),
    connection,
  },
  {
    description: 'The queue whose depth drives the scaler. One queue per scaler (see docs).',
    validations: [
      {
        rule: "self.type == 'bullmq' || !self.includePaused",
        message: 'includePaused applies to bullmq queues only',
        fieldPath: '.includePaused',
        holds: (self) => self.type === 'bullmq' || !self.includePaused,
      },
    ],
  },
);

const scalingPolicy = object({
  type: enumOf(['Pods', 'Percent'], {
    description:
      'Pods: add/remove at most `value` pods; Percent: at most `value` % of the ' +
      'replicas at the start of the period.',
  }),
  value: integer({ description: 'Pods or percent per period.', minimum: 1 }),
  periodSeconds: integer({
    description: 'Length of the sliding period the limit applies to.',
    minimum: 1,
    maximum: 1800,
  }),
});

function scalingRules(direction: 'up' | 'down', stabilizationDefaultSeconds: number) {
  return object(
    {
      stabilizationWindowSeconds: integer({
        description:
          direction === 'up'
            ? 'Scale up only to the lowest recommendation of this window.'
            : 'Scale down only to the highest recommendation of this window.',
        minimum: 0,
        maximum: 3600,
      }).default(stabilizationDefaultSeconds),
      selectPolicy: enumOf(['Max', 'Min', 'Disabled'], {
        description:
          'Max: the policy allowing the largest change wins; Min: the smallest; ' +
          'Disabled: never scale in this direction.',
      }).default('Max'),
      policies: array(scalingPolicy, {
        description: 'Rate limits, HPA semantics. An empty list sets no rate limit.',
        maxItems: 10,
        'x-kubernetes-list-type': 'atomic',
      }).default([]),
    },
    {
      description:
        direction === 'up'
          ? 'Scale-up rules. Defaults: no window, no rate limit (queue depth does not feed ' +
            'back on replicas the way CPU does, so reacting at once cannot oscillate).'
          : 'Scale-down rules. Defaults: 30 s window (HPA: 300 s), no rate limit.',
    },
  );
}

const behavior = object(
  {
    scaleUp: scalingRules('up', 0).default({}),
    scaleDown: scalingRules('down', 30).default({}),
  },
  { description: 'HPA-like stabilization windows and rate policies per direction.' },
);

export const queueScalerSpecSchema = object(
  {
    scaleTargetRef,
    queue,
    minReplicas: integer({
      description: 'Lower bound; 0 lets the target scale to zero when the queue is idle.',
      minimum: 0,
    }).default(0),
    maxReplicas: integer({ description: 'Upper bound, never exceeded.', minimum: 1 }),
    targetJobsPerReplica: integer({
      description: 'Backlog mode: desired = ceil(backlog / targetJobsPerReplica).',
      minimum: 1,
    }).optional(),
    targetLatencySeconds: number({
      description:
        'Latency mode: enough replicas to absorb the arrival rate and drain the backlog ' +
        'within this many seconds.',
      minimum: 0,
      exclusiveMinimum: true,
    }).optional(),
    serviceTimeSeconds: number({
      description: 'Latency mode: seconds one job takes; used until the operator has measured it.',
      minimum: 0,
      exclusiveMinimum: true,
    }).optional(),
    activationDepth: integer({
      description: 'From zero replicas, activate only when backlog is strictly greater.',
      minimum: 0,
    }).default(0),
    pollIntervalSeconds: number({
      description: 'How often the queue is read.',
      minimum: 0.25,
      maximum: 300,
    }).default(1),
    workerConcurrency: integer({
      description: 'Jobs one replica runs at once; scale-in keeps ceil(active / this) replicas.',
      minimum: 1,
    }).default(1),
    fallbackReplicas: integer({
      description:
        'On metric failure scale to at least this many (also from 0); unset: hold current.',
      minimum: 1,
    }).optional(),
    fallbackAfterFailures: integer({
      description:
        'Consecutive failed reads before fallbackReplicas applies (replicas are held meanwhile).',
      minimum: 1,
      maximum: 100,
    }).default(3),
    paused: boolean({
      description: 'Leave the target’s replicas alone (a human may scale it by hand).',
    }).default(false),
    behavior: behavior.default({}),
  },
  {
    description: 'Desired state of a QueueScaler.',
    validations: [
      {
        rule: 'self.minReplicas <= self.maxReplicas',
        message: 'minReplicas must not exceed maxReplicas',
        fieldPath: '.minReplicas',
        holds: (self) => self.minReplicas <= self.maxReplicas,
      },
      {
        rule: 'has(self.targetJobsPerReplica) != has(self.targetLatencySeconds)',
        message: 'set exactly one of targetJobsPerReplica and targetLatencySeconds',
        holds: (self) =>
          (self.targetJobsPerReplica !== undefined) !== (self.targetLatencySeconds !== undefined),
      },
      {
        rule: '!has(self.fallbackReplicas) || self.fallbackReplicas <= self.maxReplicas',
        message: 'fallbackReplicas must not exceed maxReplicas',
        fieldPath: '.fallbackReplicas',
        holds: (self) =>
          self.fallbackReplicas === undefined || self.fallbackReplicas <= self.maxReplicas,
      },
      {
        rule: '!has(self.serviceTimeSeconds) || has(self.targetLatencySeconds)',
        message: 'serviceTimeSeconds applies to the targetLatencySeconds mode only',
        fieldPath: '.serviceTimeSeconds',
        holds: (self) =>
          self.serviceTimeSeconds === undefined || self.targetLatencySeconds !== undefined,
      },
    ],
  },
);

const condition = object({
  type: enumOf(Object.values(ConditionType), { description: 'Condition type.' }),
  status: enumOf(['True', 'False', 'Unknown']),
  reason: enumOf(ALL_REASONS, { description: 'Machine-readable reason (printq catalog).' }),
  message: string({ description: 'Human-readable detail.', maxLength: 32768 }),
  lastTransitionTime: dateTime({ description: 'When `status` last changed.' }),
  observedGeneration: integer({
    description: 'Spec generation the condition describes.',
  }).optional(),
});

export const queueScalerStatusSchema = object(
  {
    currentReplicas: integer({ description: 'Replicas of the target last seen.' }).optional(),
    desiredReplicas: integer({ description: 'Replicas the scaler last asked for.' }).optional(),
    queueDepth: integer({ description: 'Backlog at the last read.' }).optional(),
    activeJobs: integer({ description: 'Jobs in flight at the last read.' }).optional(),
    arrivalRatePerSecond: number({ description: 'Measured arrival rate.' }).optional(),
    serviceTimeSeconds: number({ description: 'Measured seconds per job.' }).optional(),
    lastScaleTime: dateTime({ description: 'When replicas were last changed.' }).optional(),
    lastPollTime: dateTime({ description: 'When the queue was last read.' }).optional(),
    observedGeneration: integer({ description: 'Spec generation last acted on.' }).optional(),
    selector: string({
      description: 'Label selector of the target, for the scale subresource.',
    }).optional(),
    conditions: array(condition, {
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
      maxItems: 8,
    }).optional(),
  },
  { description: 'Observed state of a QueueScaler.' },
);

/** The spec as the operator reads it: every default filled in by the apiserver. */
export type QueueScalerSpec = Infer<typeof queueScalerSpecSchema>;
/** The spec as a user may write it: defaulted fields optional. */
export type QueueScalerSpecInput = InferInput<typeof queueScalerSpecSchema>;
export type QueueScalerStatus = Infer<typeof queueScalerStatusSchema>;
export type QueueScalerCondition = NonNullable<QueueScalerStatus['conditions']>[number];
export type ScalingRules = QueueScalerSpec['behavior']['scaleUp'];
export type ScalingPolicy = ScalingRules['policies'][number];
export type QueueSpec = QueueScalerSpec['queue'];
export type RedisConnectionSpec = QueueSpec['connection'];

/** The metadata fields printq reads; client-node's V1ObjectMeta is assignable. */
export interface ObjectMetaLike {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface QueueScaler<M extends ObjectMetaLike = ObjectMetaLike> {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: M;
  spec: QueueScalerSpec;
  status?: QueueScalerStatus;
}

/** Fills defaults exactly as the CRD's `default` markers make the apiserver do. */
export function withDefaults(spec: QueueScalerSpecInput): QueueScalerSpec {
  return applyDefaults(queueScalerSpecSchema, spec);
}

/**
 * The cross-field rules the CRD's CEL enforces, checked in TypeScript: empty when the spec
 * is valid. For specs that reached the operator without the apiserver's validation (a CRD
 * applied through a client that dropped `x-kubernetes-validations`, or an old CRD).
 */
export function specProblems(spec: QueueScalerSpec): string[] {
  return validationProblems(queueScalerSpecSchema, spec);
}
