import { withDefaults } from '../src/index.js';
import type { QueueScalerSpecInput } from '../src/index.js';

const minimal: QueueScalerSpecInput = {
  scaleTargetRef: { name: 'worker' },
  queue: { name: 'quotes', connection: { host: 'redis' } },
  maxReplicas: 20,
  targetJobsPerReplica: 10,
};

describe('withDefaults', () => {
  it('fills every default the apiserver would, nested ones included', () => {
    const spec = withDefaults(minimal);
    expect(spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
      queue: {
        type: 'bullmq',
        prefix: 'bull',
        includePaused: false,
        connection: { host: 'redis', port: 6379, db: 0, tls: false },
      },
      minReplicas: 0,
      activationDepth: 0,
      pollIntervalSeconds: 1,
      workerConcurrency: 1,
      paused: false,
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [] },
        scaleDown: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [] },
      },
    });
    expect(spec.fallbackReplicas).toBeUndefined();
  });

  it('keeps what the user wrote and fills only the missing siblings', () => {
    const spec = withDefaults({
      ...minimal,
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    });
    expect(spec.behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [],
    });
    expect(spec.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
  });

  it('does not mutate its input', () => {
    const input = structuredClone(minimal);
    withDefaults(input);
    expect(input).toEqual(minimal);
  });
});
