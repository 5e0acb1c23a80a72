// Specs the CRD must refuse, shared by the apiserver test and the TypeScript-rule test.
import type { QueueScalerSpecInput } from '../src/index.js';

export const validSpec: QueueScalerSpecInput = {
  scaleTargetRef: { name: 'worker' },
  queue: {
    name: 'quotes',
    connection: { host: 'redis', passwordSecretRef: { name: 'r', key: 'p' } },
  },
  maxReplicas: 20,
  targetJobsPerReplica: 10,
};

/** [case, spec, message]: broken cross-field (CEL) rules. */
export const celViolations: [string, QueueScalerSpecInput, string][] = [
  [
    'min above max',
    { ...validSpec, minReplicas: 5, maxReplicas: 2 },
    'minReplicas must not exceed maxReplicas',
  ],
  [
    'both targets',
    { ...validSpec, targetLatencySeconds: 5 },
    'set exactly one of targetJobsPerReplica and targetLatencySeconds',
  ],
  [
    'no target',
    { ...validSpec, targetJobsPerReplica: undefined },
    'set exactly one of targetJobsPerReplica and targetLatencySeconds',
  ],
  [
    'fallback above max',
    { ...validSpec, fallbackReplicas: 21 },
    'fallbackReplicas must not exceed maxReplicas',
  ],
  [
    'serviceTime without latency mode',
    { ...validSpec, serviceTimeSeconds: 1 },
    'serviceTimeSeconds applies to the targetLatencySeconds mode only',
  ],
  [
    'includePaused on a list',
    { ...validSpec, queue: { ...validSpec.queue, type: 'redis-list', includePaused: true } },
    'includePaused applies to bullmq queues only',
  ],
];

/** [case, spec, message]: values outside a field's enum or bounds. */
export const fieldViolations: [string, unknown, string][] = [
  ['fallback of zero', { ...validSpec, fallbackReplicas: 0 }, 'fallbackReplicas'],
  [
    'unknown queue type',
    { ...validSpec, queue: { ...validSpec.queue, type: 'sqs' } },
    'Unsupported value',
  ],
  [
    'a StatefulSet target',
    { ...validSpec, scaleTargetRef: { kind: 'StatefulSet', name: 'w' } },
    'Unsupported value',
  ],
  [
    'a zero-second period',
    {
      ...validSpec,
      behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 0 }] } },
    },
    'periodSeconds',
  ],
];
