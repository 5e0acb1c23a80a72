import type { KubeObject } from '../src/objects.js';
import { rolloutStatus } from '../src/rollout.js';

function deployment(
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  generation = 2,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app', namespace: 'printq', generation },
    spec,
    status,
  };
}

describe('rolloutStatus', () => {
  it('waits, marked unobserved, until a controller has seen the current generation', () => {
    const status = rolloutStatus(deployment({ replicas: 1 }, { observedGeneration: 1 }));
    expect(status).toMatchObject({ state: 'waiting', unobserved: true });
    expect(rolloutStatus(deployment({ replicas: 1 }, {})).unobserved).toBe(true);
  });

  it('waits for updated, then old-replica termination, then availability', () => {
    const base = { observedGeneration: 2 };
    expect(
      rolloutStatus(deployment({ replicas: 2 }, { ...base, updatedReplicas: 1, replicas: 2 }))
        .message,
    ).toBe('1 of 2 replicas updated');
    expect(
      rolloutStatus(
        deployment(
          { replicas: 2 },
          { ...base, updatedReplicas: 2, replicas: 3, availableReplicas: 2 },
        ),
      ).message,
    ).toBe('1 old replica(s) pending termination');
    expect(
      rolloutStatus(
        deployment(
          { replicas: 2 },
          { ...base, updatedReplicas: 2, replicas: 2, availableReplicas: 1 },
        ),
      ).message,
    ).toBe('1 of 2 updated replicas available');
  });

  it('is ready when every desired replica is updated and available', () => {
    const status = rolloutStatus(
      deployment(
        { replicas: 2 },
        { observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 2 },
      ),
    );
    expect(status).toEqual({ state: 'ready', message: '2/2 available', unobserved: false });
  });

  it('fails at once on ProgressDeadlineExceeded', () => {
    const status = rolloutStatus(
      deployment(
        { replicas: 1 },
        {
          observedGeneration: 2,
          conditions: [
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: 'too slow',
            },
          ],
        },
      ),
    );
    expect(status).toEqual({ state: 'failed', message: 'too slow', unobserved: false });
  });

  it('defaults a Deployment without spec.replicas (operator-owned) to one desired replica', () => {
    expect(rolloutStatus(deployment({}, { observedGeneration: 2 })).message).toBe(
      '0 of 1 replicas updated',
    );
  });

  it('judges StatefulSets by ready replicas and revision', () => {
    const sts = (status: Record<string, unknown>): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'redis', generation: 1 },
      spec: { replicas: 1 },
      status: { observedGeneration: 1, ...status },
    });
    expect(rolloutStatus(sts({ readyReplicas: 0 })).state).toBe('waiting');
    expect(
      rolloutStatus(sts({ readyReplicas: 1, currentRevision: 'a', updateRevision: 'b' })).state,
    ).toBe('waiting');
    expect(
      rolloutStatus(sts({ readyReplicas: 1, currentRevision: 'b', updateRevision: 'b' })).state,
    ).toBe('ready');
  });
});
