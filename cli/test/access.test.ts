import { accessInstructions } from '../src/access.js';
import type { KubeObject } from '../src/objects.js';

const ingress: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'printq-app', namespace: 'printq' },
  spec: { tls: [{ hosts: ['printq.localtest.me'] }], rules: [{ host: 'printq.localtest.me' }] },
};
const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'printq-app',
    namespace: 'printq',
    labels: { 'app.kubernetes.io/component': 'api' },
  },
  spec: { ports: [{ name: 'http', port: 80 }] },
};

describe('accessInstructions', () => {
  it('gives the https URL of a TLS ingress host and the exact port-forward command', () => {
    expect(accessInstructions([ingress, service], 'kind-printq')).toEqual([
      'open https://printq.localtest.me/',
      'or forward a local port: kubectl --context kind-printq -n printq port-forward svc/printq-app 8080:80',
      '  then: curl http://127.0.0.1:8080/healthz',
    ]);
  });

  it('falls back to http for hosts without TLS and says nothing without a service or ingress', () => {
    const plain = { ...ingress, spec: { rules: [{ host: 'printq.test' }] } };
    expect(accessInstructions([plain], 'c')).toEqual(['open http://printq.test/']);
    expect(accessInstructions([], 'c')).toEqual([]);
  });
});
