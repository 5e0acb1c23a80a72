import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import { labelsFor, selectorLabels, type BuildContext } from '../context.js';
import { NAMES, TLS_SECRET } from '../names.js';
import { env, fieldEnv, hardenedContainer, hardenedPod, httpProbe, scratchVolume } from '../pod.js';
import {
  AUTOMOUNT_TOKEN,
  GIDS,
  HSTS_MAX_AGE_SECONDS,
  INGRESS_HARDENING,
  INGRESS_PORTS,
  SCAN_EXCEPTIONS,
  SECURITY_HEADERS,
  TLS_POLICY,
  UIDS,
  scanSkipAnnotations,
} from '../security.js';
import { hstsEnabled, imageRef, type Settings } from '../settings.js';

const CONTROLLER_CLASS = 'k8s.io/ingress-nginx';
const ELECTION_ID = 'ingress-nginx-leader';
const HEADERS_CONFIGMAP = 'ingress-nginx-security-headers';
/** The largest upload the app accepts (MAX_UPLOAD_BYTES) plus multipart overhead. */
export const MAX_BODY_SIZE = '65m';

// Paths the controller writes: generated nginx.conf and Lua config (/etc/nginx), certificates
// (/etc/ingress-controller) and nginx temp files (/tmp). The image's files are copied into
// emptyDirs first so the root filesystem can stay read-only.
const WRITABLE_COPIES = [
  { name: 'etc-nginx', path: '/etc/nginx' },
  { name: 'etc-ingress-controller', path: '/etc/ingress-controller' },
] as const;

/**
 * A 1 s microcache for GET/HEAD of one quote (`/api/quotes/<uuid>`), 200s only. Pollers of a
 * popular quote then cost the app at most one read per second per controller pod;
 * bench/results/microcache.md measured 3.4–8.5× the req/s of the same nginx without it.
 * It lives in the controller ConfigMap (an admin setting rendered whatever
 * `allow-snippet-annotations` says), never in Ingress annotations, which stay disabled.
 */
export const MICROCACHE = {
  /** emptyDir of the controller pod that holds the cache files. */
  volume: { name: 'microcache', mountPath: '/var/cache/printq-microcache', sizeLimit: '128Mi' },
  zone: 'printq_microcache',
  validSeconds: 1,
  maxSize: '64m',
  /** `$request_method:$uri` of the only requests that may be served from or stored in cache. */
  cacheablePattern: '^(GET|HEAD):/api/quotes/[0-9A-Fa-f-]{36}$',
} as const;

const SKIP_VARIABLE = '$printq_skip_microcache';

/** http-level part: the cache zone on the emptyDir and which requests may use it. */
export function microcacheHttpSnippet(cachePath: string = MICROCACHE.volume.mountPath): string {
  return [
    `proxy_cache_path ${cachePath} levels=1:2 keys_zone=${MICROCACHE.zone}:10m`,
    `  max_size=${MICROCACHE.maxSize} inactive=10s use_temp_path=off;`,
    `map $request_method:$uri ${SKIP_VARIABLE} {`,
    '  default 1;',
    `  "~${MICROCACHE.cacheablePattern}" 0;`,
    '}',
  ].join('\n');
}

/**
 * location-level part. ConfigMap `location-snippet` lands in every location, so everything
 * but a quote read bypasses the cache and is never stored; errors (404, 400, 5xx) are not
 * stored because only 200 has a validity; the key is host + path without the query string, so
 * query strings cannot bust it and two hosts on one controller never share an entry.
 */
export function microcacheLocationSnippet(): string {
  return [
    `proxy_cache ${MICROCACHE.zone};`,
    'proxy_cache_key $host$uri;',
    'proxy_cache_methods GET HEAD;',
    `proxy_cache_valid 200 ${MICROCACHE.validSeconds}s;`,
    'proxy_cache_lock on;',
    'proxy_cache_use_stale updating;',
    `proxy_cache_bypass ${SKIP_VARIABLE};`,
    `proxy_no_cache ${SKIP_VARIABLE};`,
  ].join('\n');
}

/** Data of the controller ConfigMap: TLS policy, security headers, HSTS, hardening. */
export function controllerConfig(settings: Settings): Record<string, string> {
  const hsts = hstsEnabled(settings);
  return {
    ...INGRESS_HARDENING,
    'ssl-protocols': TLS_POLICY.protocols,
    'ssl-ciphers': TLS_POLICY.ciphers,
    'ssl-ecdh-curve': TLS_POLICY.ecdhCurve,
    'ssl-prefer-server-ciphers': TLS_POLICY.preferServerCiphers,
    'ssl-session-tickets': 'false',
    // ingress-nginx turns HSTS on by default: set it explicitly either way.
    hsts: String(hsts),
    'hsts-max-age': String(HSTS_MAX_AGE_SECONDS),
    'hsts-include-subdomains': 'true',
    'hsts-preload': 'false',
    'add-headers': `${settings.ingressNamespace}/${HEADERS_CONFIGMAP}`,
    'proxy-body-size': MAX_BODY_SIZE,
    'access-log-path': '/dev/stdout',
    'error-log-path': '/dev/stderr',
    'use-forwarded-headers': 'false',
    // nginx stores nothing in a cache while buffering is off (ingress-nginx's default).
    'proxy-buffering': 'on',
    'http-snippet': microcacheHttpSnippet(),
    'location-snippet': microcacheLocationSnippet(),
  };
}

/**
 * The whole ingress layer: the ingress-nginx controller (RBAC, IngressClass, ConfigMaps,
 * Deployment, Service) and the app's Ingress. Kept in one construct so a Gateway API
 * implementation can replace it (upstream retired ingress-nginx in 2026).
 */
export class IngressLayer extends Construct {
  constructor(scope: Construct, id: string, ctx: BuildContext) {
    super(scope, id);
    this.addRbac(ctx);
    this.addConfig(ctx);
    this.addController(ctx);
    this.addAppIngress(ctx);
  }

  private addRbac({ settings }: BuildContext): void {
    const namespace = settings.ingressNamespace;
    const labels = labelsFor(NAMES.ingressController, 'ingress-controller');
    const name = 'ingress-nginx';
    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name, namespace, labels },
      automountServiceAccountToken: AUTOMOUNT_TOKEN.ingressController,
    });
    // Cluster-scoped reads only; Secrets and Ingresses are readable in printq's namespace only
    // because the controller watches that namespace alone (--watch-namespace).
    new k8s.KubeClusterRole(this, 'clusterrole', {
      metadata: { name, labels },
      rules: [
        {
          apiGroups: ['networking.k8s.io'],
          resources: ['ingressclasses'],
          verbs: ['get', 'list', 'watch'],
        },
        { apiGroups: [''], resources: ['nodes', 'namespaces'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'clusterrolebinding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    });
    // What the controller reads and reports in both namespaces it works in.
    const readsAndEvents: k8s.PolicyRule[] = [
      {
        apiGroups: [''],
        resources: ['configmaps', 'pods', 'secrets', 'endpoints', 'services'],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['discovery.k8s.io'],
        resources: ['endpointslices'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    ];
    const watched: k8s.PolicyRule[] = [
      ...readsAndEvents,
      {
        apiGroups: ['networking.k8s.io'],
        resources: ['ingresses'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
    ];
    const own: k8s.PolicyRule[] = [
      ...readsAndEvents,
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: [ELECTION_ID],
        verbs: ['get', 'update'],
      },
    ];
    for (const [id, ns, rules] of [
      ['own', namespace, own],
      ['watched', settings.namespace, watched],
    ] as const) {
      new k8s.KubeRole(this, `role-${id}`, {
        metadata: { name, namespace: ns, labels },
        rules: [...rules],
      });
      new k8s.KubeRoleBinding(this, `rolebinding-${id}`, {
        metadata: { name, namespace: ns, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      });
    }
  }

  private addConfig({ settings, values }: BuildContext): void {
    const namespace = settings.ingressNamespace;
    const labels = labelsFor(NAMES.ingressController, 'ingress-controller');
    const config = new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: NAMES.ingressController, namespace, labels },
      data: controllerConfig(settings),
    });
    if (settings.profile === 'production') {
      const trusted = `(eq .Values.tls.issuer "letsencrypt-production")`;
      values.bind(config, '/data/hsts', `{{ ternary "true" "false" ${trusted} | toJson }}`);
    }
    new k8s.KubeConfigMap(this, 'headers', {
      metadata: { name: HEADERS_CONFIGMAP, namespace, labels },
      data: { ...SECURITY_HEADERS },
    });
    new k8s.KubeIngressClass(this, 'class', {
      metadata: { name: NAMES.ingressClass, labels },
      spec: { controller: CONTROLLER_CLASS },
    });
  }

  private addController({ settings, values }: BuildContext): void {
    const namespace = settings.ingressNamespace;
    const labels = labelsFor(NAMES.ingressController, 'ingress-controller');
    const selector = selectorLabels(NAMES.ingressController, 'ingress-controller');
    const kind = settings.profile === 'kind';
    const image = imageRef(settings.images.ingressController);
    const uid = UIDS.ingressNginx;
    const gid = GIDS.ingressNginx;
    const copyScript = [
      ...WRITABLE_COPIES.map((dir) => `cp -R ${dir.path}/. /mnt/${dir.name}/`),
      'mkdir -p /tmp/nginx',
    ].join(' && ');

    const deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: {
        name: NAMES.ingressController,
        namespace,
        labels,
        annotations: scanSkipAnnotations([
          SCAN_EXCEPTIONS.apiserverClient,
          SCAN_EXCEPTIONS.ingressImageUser,
        ]),
      },
      spec: {
        replicas: settings.ingress.replicas,
        revisionHistoryLimit: 5,
        minReadySeconds: 0,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: hardenedPod({
            serviceAccountName: 'ingress-nginx',
            automountServiceAccountToken: AUTOMOUNT_TOKEN.ingressController,
            uid,
            gid,
            terminationGracePeriodSeconds: 300,
            // kind: run on the node whose ports 80/443 are mapped to the host.
            nodeSelector: kind
              ? { 'ingress-ready': 'true', 'kubernetes.io/os': 'linux' }
              : { 'kubernetes.io/os': 'linux' },
            tolerations: kind
              ? [
                  {
                    key: 'node-role.kubernetes.io/control-plane',
                    operator: 'Equal',
                    effect: 'NoSchedule',
                  },
                  {
                    key: 'node-role.kubernetes.io/master',
                    operator: 'Equal',
                    effect: 'NoSchedule',
                  },
                ]
              : undefined,
            initContainers: [
              hardenedContainer({
                name: 'copy-writable-dirs',
                image,
                imagePullPolicy: settings.imagePullPolicy,
                uid,
                gid,
                resources: {
                  requests: { cpu: '10m', memory: '16Mi' },
                  limits: { cpu: '100m', memory: '64Mi' },
                },
                command: ['sh', '-c', copyScript],
                volumeMounts: [
                  ...WRITABLE_COPIES.map((dir) => ({
                    name: dir.name,
                    mountPath: `/mnt/${dir.name}`,
                  })),
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              }),
            ],
            containers: [
              hardenedContainer({
                name: 'controller',
                image,
                imagePullPolicy: settings.imagePullPolicy,
                uid,
                gid,
                resources: {
                  requests: { cpu: '100m', memory: '90Mi' },
                  limits: { cpu: '1', memory: '512Mi' },
                },
                args: controllerArgs(settings),
                env: [
                  fieldEnv('POD_NAME', 'metadata.name'),
                  fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                  env('LD_PRELOAD', '/usr/local/lib/libmimalloc.so'),
                ],
                ports: [
                  { name: 'http', containerPort: INGRESS_PORTS.http, protocol: 'TCP' },
                  { name: 'https', containerPort: INGRESS_PORTS.https, protocol: 'TCP' },
                  { name: 'healthz', containerPort: INGRESS_PORTS.healthz, protocol: 'TCP' },
                ],
                volumeMounts: [
                  ...WRITABLE_COPIES.map((dir) => ({ name: dir.name, mountPath: dir.path })),
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: MICROCACHE.volume.name, mountPath: MICROCACHE.volume.mountPath },
                ],
                livenessProbe: httpProbe('/healthz', 'healthz', {
                  initialDelaySeconds: 10,
                  failureThreshold: 5,
                }),
                readinessProbe: httpProbe('/healthz', 'healthz', { initialDelaySeconds: 10 }),
                lifecycle: { preStop: { exec: { command: ['/wait-shutdown'] } } },
              }),
            ],
            volumes: [
              ...WRITABLE_COPIES.map((dir) =>
                scratchVolume({ name: dir.name, mountPath: dir.path, sizeLimit: '32Mi' }),
              ),
              scratchVolume({ name: 'tmp', mountPath: '/tmp', sizeLimit: '256Mi' }),
              scratchVolume(MICROCACHE.volume),
            ],
          }),
        },
      },
    });
    values.bindImage(deployment, '/spec/template/spec/containers/0/image', 'ingressController');
    values.bindImage(deployment, '/spec/template/spec/initContainers/0/image', 'ingressController');

    new k8s.KubeService(this, 'service', {
      metadata: { name: NAMES.ingressController, namespace, labels },
      spec: {
        type: settings.ingress.exposure,
        ...(settings.ingress.exposure === 'LoadBalancer' ? { externalTrafficPolicy: 'Local' } : {}),
        selector,
        ports: [
          {
            name: 'http',
            port: 80,
            targetPort: k8s.IntOrString.fromString('http'),
            ...(kind ? { nodePort: settings.ingress.httpNodePort } : {}),
          },
          {
            name: 'https',
            port: 443,
            targetPort: k8s.IntOrString.fromString('https'),
            ...(kind ? { nodePort: settings.ingress.httpsNodePort } : {}),
          },
        ],
      },
    });

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: NAMES.ingressController, namespace, labels },
      spec: { selector: { matchLabels: selector }, maxUnavailable: k8s.IntOrString.fromNumber(1) },
    });
  }

  private addAppIngress({ settings, values }: BuildContext): void {
    const labels = labelsFor(NAMES.app, 'api');
    const ingress = new k8s.KubeIngress(this, 'app', {
      metadata: { name: NAMES.app, namespace: settings.namespace, labels },
      spec: {
        ingressClassName: NAMES.ingressClass,
        tls: [{ hosts: [settings.host], secretName: TLS_SECRET }],
        rules: [
          {
            host: settings.host,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: NAMES.app, port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    });
    values.bindValue(ingress, '/spec/tls/0/hosts/0', 'host');
    values.bindValue(ingress, '/spec/rules/0/host', 'host');
  }
}

/**
 * Controller flags: one namespace watched, unprivileged ports, and no `--validating-webhook`:
 * the admission webhook was the entry point of CVE-2025-1974, so we do not run it.
 */
export function controllerArgs(settings: Settings): string[] {
  const status =
    settings.profile === 'kind'
      ? '--publish-status-address=localhost'
      : `--publish-service=$(POD_NAMESPACE)/${NAMES.ingressController}`;
  return [
    '/nginx-ingress-controller',
    `--election-id=${ELECTION_ID}`,
    `--controller-class=${CONTROLLER_CLASS}`,
    `--ingress-class=${NAMES.ingressClass}`,
    `--configmap=$(POD_NAMESPACE)/${NAMES.ingressController}`,
    `--watch-namespace=${settings.namespace}`,
    `--http-port=${INGRESS_PORTS.http}`,
    `--https-port=${INGRESS_PORTS.https}`,
    `--healthz-port=${INGRESS_PORTS.healthz}`,
    // Nothing scrapes it and the NetworkPolicies would block it: keep the port closed.
    '--enable-metrics=false',
    status,
  ];
}
