import { z } from 'zod';

/** The two deployment targets; everything that differs between them derives from this. */
export const PROFILES = ['kind', 'production'] as const;
export type Profile = (typeof PROFILES)[number];

/** The cert-manager issuers this app can synthesize, by ClusterIssuer name. */
export const ISSUERS = ['printq-ca', 'letsencrypt-staging', 'letsencrypt-production'] as const;
export type IssuerName = (typeof ISSUERS)[number];

/** Raised for invalid settings; every issue names the dotted settings field it concerns. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(readonly issues: readonly string[]) {
    super(`invalid printq settings:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}

// RFC 1123 host name: labels of 1-63 alphanumerics/hyphens, not starting/ending with '-'.
export const HOST_RE =
  /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// OCI reference pieces; a digest may follow the tag as `tag@sha256:...`.
export const REPOSITORY_RE = /^[a-z0-9]+([._\-/:][a-z0-9]+)*$/;
export const TAG_RE = /^[\w][\w.-]{0,127}(@sha256:[a-f0-9]{64})?$/;
export const CPU_RE = /^([0-9]+m|[0-9]+(\.[0-9]+)?)$/;
export const MEMORY_RE = /^[0-9]+(Ki|Mi|Gi)$/;

const count = (min: number) => z.coerce.number().int().min(min);
const bool = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

const imageSchema = z.object({
  repository: z.string().regex(REPOSITORY_RE, 'must be an image repository such as ghcr.io/x/y'),
  tag: z.string().regex(TAG_RE, 'must be an image tag, optionally followed by @sha256:<digest>'),
});

const quantitySchema = z.object({
  cpu: z.string().regex(CPU_RE, 'must be a CPU quantity such as 100m or 1'),
  memory: z.string().regex(MEMORY_RE, 'must be a memory quantity such as 128Mi'),
});

const resourcesSchema = z.object({ requests: quantitySchema, limits: quantitySchema });

const settingsObject = z.object({
  profile: z.enum(PROFILES),
  /** Namespace of the app, worker, Redis and operator. @default printq */
  namespace: z.string().regex(DNS_LABEL_RE, 'must be a DNS label'),
  /** Namespace of the ingress controller. @default ingress-nginx */
  ingressNamespace: z.string().regex(DNS_LABEL_RE, 'must be a DNS label'),
  /** Namespace cert-manager runs in (its "cluster resource namespace"). @default cert-manager */
  certManagerNamespace: z.string().regex(DNS_LABEL_RE, 'must be a DNS label'),
  /** Public host name of the API; the Ingress and the certificate use it. */
  host: z
    .string()
    .regex(HOST_RE, 'must be a lower-case RFC 1123 host name such as printq.example.com'),
  images: z.object({
    app: imageSchema,
    worker: imageSchema,
    operator: imageSchema,
    redis: imageSchema,
    ingressController: imageSchema,
  }),
  /** IfNotPresent in kind, so images loaded with `kind load` are used. */
  imagePullPolicy: z.enum(['IfNotPresent', 'Always']),
  tls: z.object({
    /** ClusterIssuer that signs the app's certificate. */
    issuer: z.enum(ISSUERS),
    /** ACME account e-mail; required when an ACME issuer is synthesized (production). */
    acmeEmail: z.email('must be an e-mail address').optional(),
  }),
  ingress: z.object({
    /** How the controller is reached: fixed NodePorts (kind) or a LoadBalancer. */
    exposure: z.enum(['NodePort', 'LoadBalancer']),
    httpNodePort: count(30000).max(32767),
    httpsNodePort: count(30000).max(32767),
    replicas: count(1),
  }),
  app: z.object({
    /** Static replicas; ignored (and absent from the manifest) when autoscaling is on. */
    replicas: count(1),
    /** HPA on CPU; when enabled the Deployment carries no replicas field. */
    autoscaling: z.object({
      enabled: bool,
      minReplicas: count(1),
      maxReplicas: count(1),
      cpuUtilizationPercent: count(10).max(100),
    }),
    resources: resourcesSchema,
  }),
  worker: z.object({
    /** QueueScaler bounds; the operator owns the Deployment's replicas. */
    minReplicas: count(0),
    maxReplicas: count(1),
    targetJobsPerReplica: count(1),
    concurrency: count(1),
    /** Longest job the worker may run; the pod's grace period is derived from it. */
    longestJobSeconds: count(1),
    resources: resourcesSchema,
  }),
  operator: z.object({
    /** Two replicas with a Lease: one acts, one stands by. */
    replicas: count(1),
    resources: resourcesSchema,
  }),
  redis: z.object({
    storageSize: z.string().regex(MEMORY_RE, 'must be a storage quantity such as 1Gi'),
    /** Empty means the cluster's default StorageClass. */
    storageClassName: z.string().optional(),
    /** everysec may lose about 1 s of writes on a crash; always loses none but is slower. */
    appendfsync: z.enum(['everysec', 'always']),
    /** Redis `maxmemory` in MiB; with noeviction writes fail loudly when full. */
    maxmemoryMb: count(16),
    resources: resourcesSchema,
  }),
});

/** Validated printq deployment settings. */
export type Settings = z.output<typeof settingsObject>;

/** Any subset of the settings, nested. */
export type SettingsOverrides = DeepPartial<Settings>;
type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

const settingsSchema = settingsObject.superRefine(checkRelations);

function checkRelations(s: Settings, ctx: z.RefinementCtx): void {
  const issue = (path: string[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  if (s.worker.maxReplicas < s.worker.minReplicas) {
    issue(['worker', 'maxReplicas'], `must be >= worker.minReplicas (${s.worker.minReplicas})`);
  }
  const hpa = s.app.autoscaling;
  if (hpa.enabled && hpa.maxReplicas < hpa.minReplicas) {
    issue(['app', 'autoscaling', 'maxReplicas'], `must be >= app.autoscaling.minReplicas`);
  }
  if (s.profile === 'production' && s.tls.acmeEmail === undefined) {
    issue(['tls', 'acmeEmail'], 'is required for the production profile (Let’s Encrypt account)');
  }
  if (s.profile === 'production' && s.tls.issuer === 'printq-ca') {
    issue(['tls', 'issuer'], 'must be a Let’s Encrypt issuer in the production profile');
  }
  if (s.profile === 'kind' && s.tls.issuer !== 'printq-ca') {
    issue(['tls', 'issuer'], 'must be printq-ca in the kind profile (no ACME reachability)');
  }
  if (s.ingress.httpNodePort === s.ingress.httpsNodePort) {
    issue(['ingress', 'httpsNodePort'], 'must differ from ingress.httpNodePort');
  }
}

const laptop = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string) => ({
  requests: { cpu, memory },
  limits: { cpu: cpuLimit, memory: memoryLimit },
});

/**
 * Image names the root Dockerfile's targets build (`docker build --target app`); `printq up`
 * tags and `kind load`s exactly these.
 */
export const LOCAL_IMAGES = {
  app: 'printq/app',
  worker: 'printq/worker',
  operator: 'printq/operator',
} as const;

// ingress-nginx v1.14.4 (the last line upstream maintained); tag pinned with its digest.
const INGRESS_NGINX_IMAGE = {
  repository: 'registry.k8s.io/ingress-nginx/controller',
  tag: 'v1.14.4@sha256:f8c7959ed0cc0c1dd6060f291fc50ccaf27a5497d182bbb6bc4ffed943616f23',
};

const KIND_DEFAULTS: Settings = {
  profile: 'kind',
  namespace: 'printq',
  ingressNamespace: 'ingress-nginx',
  certManagerNamespace: 'cert-manager',
  host: 'printq.localtest.me',
  images: {
    app: { repository: LOCAL_IMAGES.app, tag: 'dev' },
    worker: { repository: LOCAL_IMAGES.worker, tag: 'dev' },
    operator: { repository: LOCAL_IMAGES.operator, tag: 'dev' },
    redis: { repository: 'docker.io/library/redis', tag: '7.4.2-alpine' },
    ingressController: INGRESS_NGINX_IMAGE,
  },
  imagePullPolicy: 'IfNotPresent',
  tls: { issuer: 'printq-ca' },
  ingress: {
    exposure: 'NodePort',
    httpNodePort: 30080,
    httpsNodePort: 30443,
    replicas: 1,
  },
  app: {
    replicas: 1,
    autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 3, cpuUtilizationPercent: 70 },
    resources: laptop('50m', '96Mi', '500m', '256Mi'),
  },
  worker: {
    minReplicas: 0,
    maxReplicas: 4,
    targetJobsPerReplica: 5,
    concurrency: 2,
    longestJobSeconds: 60,
    resources: laptop('50m', '128Mi', '1', '512Mi'),
  },
  // Measured: ~110–130 MB RSS with 100 QueueScalers, most of it @kubernetes/client-node itself
  // (bench/results/operator.md).
  operator: { replicas: 2, resources: laptop('20m', '128Mi', '200m', '256Mi') },
  redis: {
    storageSize: '1Gi',
    appendfsync: 'everysec',
    maxmemoryMb: 200,
    resources: laptop('50m', '64Mi', '500m', '256Mi'),
  },
};

const PRODUCTION_DEFAULTS: Settings = {
  ...KIND_DEFAULTS,
  profile: 'production',
  host: 'printq.example.com',
  images: {
    ...KIND_DEFAULTS.images,
    app: { repository: `ghcr.io/printq/app`, tag: '0.1.0' },
    worker: { repository: `ghcr.io/printq/worker`, tag: '0.1.0' },
    operator: { repository: `ghcr.io/printq/operator`, tag: '0.1.0' },
  },
  tls: { issuer: 'letsencrypt-staging' },
  ingress: { ...KIND_DEFAULTS.ingress, exposure: 'LoadBalancer', replicas: 2 },
  app: {
    ...KIND_DEFAULTS.app,
    replicas: 2,
    autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6, cpuUtilizationPercent: 70 },
    resources: laptop('100m', '128Mi', '1', '512Mi'),
  },
  worker: { ...KIND_DEFAULTS.worker, minReplicas: 1, maxReplicas: 20 },
  redis: { ...KIND_DEFAULTS.redis, storageSize: '8Gi', maxmemoryMb: 1024, appendfsync: 'always' },
};

/** Defaults per profile, before overrides. Production has no ACME e-mail: callers must set one. */
export const PROFILE_DEFAULTS: Readonly<Record<Profile, Settings>> = {
  kind: KIND_DEFAULTS,
  production: PRODUCTION_DEFAULTS,
};

/**
 * Builds validated settings: profile defaults, then overrides. Overrides are either nested
 * (`{ worker: { maxReplicas: 8 } }`) or flat dotted strings as a CLI receives them
 * (`{ 'worker.maxReplicas': '8' }`). Throws {@link SettingsError} naming each bad field.
 */
export function parseSettings(
  profile: Profile,
  overrides: SettingsOverrides | Record<string, string> = {},
): Settings {
  if (!PROFILES.includes(profile)) {
    throw new SettingsError([
      `profile: must be one of ${PROFILES.join(', ')} (got ${String(profile)})`,
    ]);
  }
  const nested = unflatten(overrides as Record<string, unknown>);
  const merged = deepMerge(structuredClone(PROFILE_DEFAULTS[profile]), nested);
  const result = settingsSchema.safeParse({ ...merged, profile });
  if (result.success) return result.data;
  throw new SettingsError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  );
}

function unflatten(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      node = (isPlainObject(next) ? next : (node[part] = {})) as Record<string, unknown>;
    }
    const leaf = parts[parts.length - 1] as string;
    node[leaf] =
      isPlainObject(value) && isPlainObject(node[leaf])
        ? deepMerge(node[leaf] as Record<string, unknown>, unflatten(value))
        : isPlainObject(value)
          ? unflatten(value)
          : value;
  }
  return out;
}

function deepMerge<T extends object>(base: T, patch: Record<string, unknown>): T {
  const target = base as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = target[key];
    target[key] =
      isPlainObject(value) && isPlainObject(current) ? deepMerge(current, value) : value;
  }
  return base;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * HSTS pins browsers to HTTPS for a year; with a certificate they do not trust (the kind CA,
 * Let's Encrypt staging) that locks users out of the host, so it follows the issuer.
 */
export function hstsEnabled(settings: Settings): boolean {
  return settings.tls.issuer === 'letsencrypt-production';
}

/** `repository:tag` (or `repository:tag@digest`) of one image setting. */
export function imageRef(image: Settings['images']['app']): string {
  return `${image.repository}:${image.tag}`;
}
