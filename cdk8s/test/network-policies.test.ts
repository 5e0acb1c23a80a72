import { NAMES, PORTS, type ManifestObject } from '../src/index.js';
import { ACME_SOLVER } from '../src/constructs/network-policies.js';
import { BOTH, objectsOf } from './helpers/manifests.js';

/**
 * A small evaluator of NetworkPolicy semantics (what a CNI enforces): a flow is allowed when
 * the source's egress and the destination's ingress both allow it; a pod no policy selects
 * in a direction is open in that direction. No CNI runs here, so this models one.
 */
interface Pod {
  ns: string;
  labels: Record<string, string>;
}
interface Selector {
  matchLabels?: Record<string, string>;
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: unknown;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { protocol?: string; port?: number }[];
}
interface PolicySpec {
  podSelector: Selector;
  policyTypes: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

const matches = (selector: Selector | undefined, labels: Record<string, string>) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
const nsLabels = (ns: string) => ({ 'kubernetes.io/metadata.name': ns });

function peerMatches(peer: Peer, policyNs: string, pod: Pod): boolean {
  if (peer.ipBlock) return false;
  const nsOk = peer.namespaceSelector
    ? matches(peer.namespaceSelector, nsLabels(pod.ns))
    : pod.ns === policyNs;
  return nsOk && matches(peer.podSelector, pod.labels);
}

function ruleAllows(
  rule: Rule,
  peers: Peer[] | undefined,
  policyNs: string,
  other: Pod,
  port: number,
  protocol: string,
) {
  const peerOk = !peers || peers.length === 0 || peers.some((p) => peerMatches(p, policyNs, other));
  const portOk =
    !rule.ports ||
    rule.ports.some(
      (p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port),
    );
  return peerOk && portOk;
}

function allowed(
  objects: ManifestObject[],
  src: Pod,
  dst: Pod,
  port: number,
  protocol = 'TCP',
): boolean {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const direction = (pod: Pod, type: 'Ingress' | 'Egress', other: Pod) => {
    const selecting = policies.filter((p) => {
      const spec = p.spec as PolicySpec;
      return (
        p.metadata.namespace === pod.ns &&
        spec.policyTypes.includes(type) &&
        matches(spec.podSelector, pod.labels)
      );
    });
    if (selecting.length === 0) return true;
    return selecting.some((p) => {
      const spec = p.spec as PolicySpec;
      const rules = (type === 'Ingress' ? spec.ingress : spec.egress) ?? [];
      return rules.some((r) =>
        ruleAllows(r, type === 'Ingress' ? r.from : r.to, pod.ns, other, port, protocol),
      );
    });
  };
  return direction(src, 'Egress', dst) && direction(dst, 'Ingress', src);
}

const pod = (ns: string, name: string, component: string): Pod => ({
  ns,
  labels: {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': 'printq',
    'app.kubernetes.io/component': component,
  },
});
const app = pod('printq', NAMES.app, 'api');
const worker = pod('printq', NAMES.worker, 'worker');
const operator = pod('printq', NAMES.operator, 'operator');
const redis = pod('printq', NAMES.redis, 'redis');
const controller = pod('ingress-nginx', NAMES.ingressController, 'ingress-controller');
const kubeDns: Pod = { ns: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const apiserver: Pod = { ns: 'default', labels: { component: 'kube-apiserver' } };
const internetClient: Pod = { ns: '(outside)', labels: {} };
const solver: Pod = { ns: 'printq', labels: { [ACME_SOLVER.label]: 'true' } };

describe.each(BOTH)('network policies (%s profile)', (profile) => {
  const objects = objectsOf(profile);

  it('deny everything by default in both namespaces', () => {
    for (const ns of ['printq', 'ingress-nginx']) {
      const deny = objects.find(
        (o) =>
          o.kind === 'NetworkPolicy' &&
          o.metadata.namespace === ns &&
          o.metadata.name === 'default-deny',
      );
      expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
  });

  it('allow DNS to kube-dns from every pod, over UDP and TCP', () => {
    for (const source of [app, worker, operator, redis, controller]) {
      expect(allowed(objects, source, kubeDns, 53, 'UDP')).toBe(true);
      expect(allowed(objects, source, kubeDns, 53, 'TCP')).toBe(true);
    }
  });

  it('allow exactly the flows printq needs', () => {
    expect(allowed(objects, internetClient, controller, 8443)).toBe(true);
    expect(allowed(objects, internetClient, controller, 8080)).toBe(true);
    expect(allowed(objects, controller, app, PORTS.app)).toBe(true);
    for (const client of [app, worker, operator])
      expect(allowed(objects, client, redis, PORTS.redis)).toBe(true);
    expect(allowed(objects, operator, apiserver, 443)).toBe(true);
    expect(allowed(objects, operator, apiserver, 6443)).toBe(true);
    expect(allowed(objects, controller, apiserver, 6443)).toBe(true);
  });

  it('deny everything else', () => {
    expect(allowed(objects, worker, app, PORTS.app)).toBe(false);
    expect(allowed(objects, app, apiserver, 443)).toBe(false);
    expect(allowed(objects, worker, apiserver, 443)).toBe(false);
    expect(allowed(objects, redis, app, PORTS.app)).toBe(false);
    expect(allowed(objects, controller, redis, PORTS.redis)).toBe(false);
    expect(allowed(objects, internetClient, app, PORTS.app)).toBe(false);
    expect(allowed(objects, internetClient, redis, PORTS.redis)).toBe(false);
    expect(allowed(objects, app, worker, PORTS.workerMetrics)).toBe(false);
    expect(allowed(objects, redis, internetClient, 443)).toBe(false);
    expect(allowed(objects, controller, app, PORTS.redis)).toBe(false);
  });
});

describe('HTTP-01 solver reachability (cert-manager #3968)', () => {
  it('lets the ingress controller reach the solver pods in production', () => {
    expect(allowed(objectsOf('production'), controller, solver, ACME_SOLVER.port)).toBe(true);
    expect(allowed(objectsOf('production'), app, solver, ACME_SOLVER.port)).toBe(false);
  });

  it('has no solver opening in kind, where no ACME issuer exists', () => {
    expect(allowed(objectsOf('kind'), controller, solver, ACME_SOLVER.port)).toBe(false);
  });
});
