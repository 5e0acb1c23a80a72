import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import { PART_OF, selectorLabels, type BuildContext } from '../context.js';
import { NAMES, PORTS } from '../names.js';
import { INGRESS_PORTS } from '../security.js';

/** Port of cert-manager's HTTP-01 solver pods, and their label. */
export const ACME_SOLVER = { port: 8089, label: 'acme.cert-manager.io/http01-solver' } as const;
/** The apiserver as pods see it: the kubernetes Service (443) and, after DNAT, the node (6443). */
export const APISERVER_PORTS = [443, 6443] as const;

type Peer = k8s.NetworkPolicyPeer;
type Port = k8s.NetworkPolicyPort;

const tcp = (port: number): Port => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
const inNamespace = (namespace: string, podLabels: Record<string, string>): Peer => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
  podSelector: { matchLabels: podLabels },
});

/**
 * Default deny in both namespaces, then exactly the flows printq needs: DNS to kube-dns,
 * ingress controller → app (and → HTTP-01 solvers in production), app/worker/operator →
 * Redis, operator and controller → apiserver, clients → controller.
 */
export class NetworkPolicies extends Construct {
  private readonly labels = { 'app.kubernetes.io/part-of': PART_OF };

  constructor(scope: Construct, id: string, ctx: BuildContext) {
    super(scope, id);
    const { namespace, ingressNamespace, profile } = ctx.settings;
    const app = selectorLabels(NAMES.app, 'api');
    const worker = selectorLabels(NAMES.worker, 'worker');
    const operator = selectorLabels(NAMES.operator, 'operator');
    const redis = selectorLabels(NAMES.redis, 'redis');
    const controller = selectorLabels(NAMES.ingressController, 'ingress-controller');
    const fromController = inNamespace(ingressNamespace, controller);

    for (const ns of [namespace, ingressNamespace]) {
      this.policy(ns, 'default-deny', {}, { ingress: [], egress: [] });
      this.policy(
        ns,
        'allow-dns',
        {},
        {
          egress: [
            {
              to: [inNamespace('kube-system', { 'k8s-app': 'kube-dns' })],
              ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, tcp(53)],
            },
          ],
        },
      );
    }

    const toRedis = { to: [{ podSelector: { matchLabels: redis } }], ports: [tcp(PORTS.redis)] };
    const toApiserver = { ports: APISERVER_PORTS.map(tcp) };
    this.policy(namespace, NAMES.app, app, {
      ingress: [{ from: [fromController], ports: [tcp(PORTS.app)] }],
      egress: [toRedis],
    });
    this.policy(namespace, NAMES.worker, worker, { ingress: [], egress: [toRedis] });
    this.policy(namespace, NAMES.operator, operator, {
      ingress: [],
      egress: [toRedis, toApiserver],
    });
    this.policy(namespace, NAMES.redis, redis, {
      ingress: [
        {
          from: [app, worker, operator].map((labels) => ({ podSelector: { matchLabels: labels } })),
          ports: [tcp(PORTS.redis)],
        },
      ],
      egress: [],
    });

    const controllerEgress: k8s.NetworkPolicyEgressRule[] = [
      { to: [inNamespace(namespace, app)], ports: [tcp(PORTS.app)] },
      toApiserver,
    ];
    if (profile === 'production') {
      // cert-manager #3968: the solver answers the controller, which default-deny would block.
      const solver = { [ACME_SOLVER.label]: 'true' };
      this.policy(namespace, 'acme-http01-solver', solver, {
        ingress: [{ from: [fromController], ports: [tcp(ACME_SOLVER.port)] }],
        egress: [],
      });
      controllerEgress.push({
        to: [inNamespace(namespace, solver)],
        ports: [tcp(ACME_SOLVER.port)],
      });
    }
    this.policy(ingressNamespace, NAMES.ingressController, controller, {
      // Clients reach the controller from anywhere (through NodePorts or a load balancer).
      ingress: [{ ports: [tcp(INGRESS_PORTS.http), tcp(INGRESS_PORTS.https)] }],
      egress: controllerEgress,
    });
  }

  /** One policy; an absent ingress/egress list leaves that direction to other policies. */
  private policy(
    namespace: string,
    name: string,
    podLabels: Record<string, string>,
    rules: { ingress?: k8s.NetworkPolicyIngressRule[]; egress?: k8s.NetworkPolicyEgressRule[] },
  ): void {
    const policyTypes = [
      ...(rules.ingress ? ['Ingress'] : []),
      ...(rules.egress ? ['Egress'] : []),
    ];
    new k8s.KubeNetworkPolicy(this, `${namespace}-${name}`, {
      metadata: { name, namespace, labels: this.labels },
      spec: {
        // `{}` selects every pod of the namespace.
        podSelector: Object.keys(podLabels).length > 0 ? { matchLabels: podLabels } : {},
        policyTypes,
        ingress: rules.ingress?.length ? rules.ingress : undefined,
        egress: rules.egress?.length ? rules.egress : undefined,
      },
    });
  }
}
