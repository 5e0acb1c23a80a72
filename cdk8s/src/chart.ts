import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Yaml } from 'cdk8s';
import { crdYaml } from '@printq/crd';
import { ValueBinder } from './context.js';
import { CA, NAMES, REDIS_SECRET } from './names.js';
import { labelsFor } from './context.js';
import {
  CPU_RE,
  MEMORY_RE,
  REPOSITORY_RE,
  TAG_RE,
  parseSettings,
  type Profile,
  type Settings,
} from './settings.js';
import { buildFiles, type ManifestFile, type ManifestObject } from './stack.js';
import { GENERATED_HEADER } from './writer.js';

/** Chart metadata; bump `version` when the chart's output changes. */
export const CHART = { name: 'printq', version: '0.1.0', appVersion: '0.1.0' } as const;
/** The concern whose objects go to the chart's crds/ (installed before templates). */
const CRD_CONCERN = '00-crds';
/** Address used only to satisfy validation while rendering; the template binds the value. */
const PLACEHOLDER_EMAIL = 'acme@printq.example.com';

/** What a chart user changes; the rest follows `profile`. */
export interface HelmValues {
  profile: Profile;
  host: string;
  images: Settings['images'];
  tls: { issuer: 'letsencrypt-staging' | 'letsencrypt-production'; acmeEmail: string };
  app: {
    replicas: number;
    autoscaling: { minReplicas: number; maxReplicas: number };
    resources: Settings['app']['resources'];
  };
  worker: { minReplicas: number; maxReplicas: number; resources: Settings['worker']['resources'] };
  operator: { resources: Settings['operator']['resources'] };
  redis: { storageSize: string; resources: Settings['redis']['resources'] };
}

/** The values that make the chart render exactly what `synthesize` returns for `settings`. */
export function helmValues(settings: Settings): HelmValues {
  return {
    profile: settings.profile,
    host: settings.host,
    images: structuredClone(settings.images),
    tls: {
      issuer: settings.tls.issuer === 'printq-ca' ? 'letsencrypt-staging' : settings.tls.issuer,
      acmeEmail: settings.tls.acmeEmail ?? '',
    },
    app: {
      replicas: settings.app.replicas,
      autoscaling: {
        minReplicas: settings.app.autoscaling.minReplicas,
        maxReplicas: settings.app.autoscaling.maxReplicas,
      },
      resources: structuredClone(settings.app.resources),
    },
    worker: {
      minReplicas: settings.worker.minReplicas,
      maxReplicas: settings.worker.maxReplicas,
      resources: structuredClone(settings.worker.resources),
    },
    operator: { resources: structuredClone(settings.operator.resources) },
    redis: {
      storageSize: settings.redis.storageSize,
      resources: structuredClone(settings.redis.resources),
    },
  };
}

const pattern = (re: RegExp) => re.source;
const quantity = {
  type: 'object',
  additionalProperties: false,
  required: ['cpu', 'memory'],
  properties: {
    cpu: { type: 'string', pattern: pattern(CPU_RE) },
    memory: { type: 'string', pattern: pattern(MEMORY_RE) },
  },
};
const resourcesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['requests', 'limits'],
  properties: { requests: quantity, limits: quantity },
};
const imageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['repository', 'tag'],
  properties: {
    repository: { type: 'string', pattern: pattern(REPOSITORY_RE) },
    tag: { type: 'string', pattern: pattern(TAG_RE) },
  },
};
const int = (minimum: number) => ({ type: 'integer', minimum });
const object = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});
// Go's regexp has no look-ahead: the length limit moves to maxLength.
const HOST_PATTERN = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$';

/** JSON Schema of values.yaml; `helm` validates values against it before rendering. */
export function valuesSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft-07/schema#',
    title: 'printq chart values',
    ...object({
      profile: { type: 'string', enum: ['kind', 'production'] },
      host: { type: 'string', maxLength: 253, pattern: HOST_PATTERN },
      images: object({
        app: imageSchema,
        worker: imageSchema,
        operator: imageSchema,
        redis: imageSchema,
        ingressController: imageSchema,
      }),
      tls: object({
        issuer: { type: 'string', enum: ['letsencrypt-staging', 'letsencrypt-production'] },
        acmeEmail: { type: 'string' },
      }),
      app: object({
        replicas: int(1),
        autoscaling: object({ minReplicas: int(1), maxReplicas: int(1) }),
        resources: resourcesSchema,
      }),
      worker: object({ minReplicas: int(0), maxReplicas: int(1), resources: resourcesSchema }),
      operator: object({ resources: resourcesSchema }),
      redis: object({
        storageSize: { type: 'string', pattern: pattern(MEMORY_RE) },
        resources: resourcesSchema,
      }),
    }),
  };
}

/**
 * Relations JSON Schema cannot express; `fail` names the field like parseSettings does.
 * The objects' namespace is fixed when the chart is generated (the chart creates it with its
 * Pod Security labels, and network policies, RBAC subjects and the ingress controller's
 * --watch-namespace name it), so a release in any other namespace is refused up front
 * instead of deploying somewhere the user did not ask for.
 */
function validateTemplate(namespace: string): string {
  return `{{- /* Cross-field checks of values.yaml (the schema checks each field). */ -}}
{{- if ne .Release.Namespace "${namespace}" }}
{{- fail (printf "namespace: this chart deploys into namespace ${namespace} only (got --namespace %s): install it with --namespace ${namespace} --create-namespace" .Release.Namespace) }}
{{- end }}
{{- if lt (int .Values.worker.maxReplicas) (int .Values.worker.minReplicas) }}
{{- fail "worker.maxReplicas: must be >= worker.minReplicas" }}
{{- end }}
{{- if lt (int .Values.app.autoscaling.maxReplicas) (int .Values.app.autoscaling.minReplicas) }}
{{- fail "app.autoscaling.maxReplicas: must be >= app.autoscaling.minReplicas" }}
{{- end }}
{{- if and (eq .Values.profile "production") (not (regexMatch "^[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+$" .Values.tls.acmeEmail)) }}
{{- fail "tls.acmeEmail: is required for the production profile (Let's Encrypt account)" }}
{{- end }}
`;
}

/**
 * The Redis password: generated on first install, read back with \`lookup\` on upgrades, kept
 * on uninstall (the PVC outlives the release and its data needs the same password).
 */
function redisSecretTemplate(namespace: string): string {
  const labels = Object.entries(labelsFor(NAMES.redis, 'redis'))
    .map(([key, value]) => `    ${key}: ${value}`)
    .join('\n');
  return `{{- $existing := lookup "v1" "Secret" "${namespace}" "${REDIS_SECRET.name}" }}
apiVersion: v1
kind: Secret
metadata:
  name: ${REDIS_SECRET.name}
  namespace: ${namespace}
  labels:
${labels}
  annotations:
    helm.sh/resource-policy: keep
type: Opaque
data:
{{- if and $existing $existing.data }}
  ${REDIS_SECRET.key}: {{ index $existing.data "${REDIS_SECRET.key}" }}
{{- else }}
  ${REDIS_SECRET.key}: {{ randAlphaNum 48 | b64enc }}
{{- end }}
`;
}

function notesTemplate(settings: Settings): string {
  const ns = settings.namespace;
  return `printq {{ .Chart.AppVersion }} ({{ .Values.profile }} profile), namespace ${ns}

API:  https://{{ .Values.host }}/api/quotes
Try:  curl -sS --data-binary @examples/calibration-cube-20mm.stl -H 'content-type: model/stl' https://{{ .Values.host }}/api/quotes
{{- if eq .Values.profile "kind" }}

The certificate is signed by the printq local CA (cert-manager, namespace ${settings.certManagerNamespace}).
Trust it for curl:
  kubectl -n ${settings.certManagerNamespace} get secret ${CA.rootSecret} -o jsonpath='{.data.ca\\.crt}' | base64 -d > printq-ca.crt
  curl --cacert printq-ca.crt https://{{ .Values.host }}/healthz
{{- else }}

Certificate issuer: {{ .Values.tls.issuer }} (HSTS is on only with letsencrypt-production).
{{- end }}

Without the ingress:
  kubectl -n ${ns} port-forward svc/${NAMES.app} 8080:80
  curl http://127.0.0.1:8080/healthz
Worker replicas are driven by the QueueScaler:  kubectl -n ${ns} get queuescalers
`;
}

const objectKey = (o: ManifestObject) =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Escapes every `{{` so manifest text can never act as a Helm template. */
export function escapeForHelm(text: string): string {
  return text.replaceAll('{{', '{{ "{{" }}');
}

function objectYaml(object: ManifestObject): string {
  return escapeForHelm(Yaml.stringify(object));
}

/**
 * One template per concern. Objects equal in both profiles are emitted as they are; objects
 * that differ (or exist in one profile only) are wrapped in `if eq .Values.profile`.
 */
function mergeProfiles(kind: ManifestFile, production: ManifestFile): string {
  const prodByKey = new Map(production.objects.map((o) => [objectKey(o), o]));
  const kindKeys = new Set(kind.objects.map(objectKey));
  const parts: string[] = [];
  const guarded = (profile: Profile, object: ManifestObject) =>
    `---\n{{ if eq .Values.profile "${profile}" -}}\n${objectYaml(object)}{{ end -}}\n`;
  for (const object of kind.objects) {
    const twin = prodByKey.get(objectKey(object));
    if (twin && JSON.stringify(twin) === JSON.stringify(object)) {
      parts.push(`---\n${objectYaml(object)}`);
    } else {
      parts.push(guarded('kind', object));
      if (twin) parts.push(guarded('production', twin));
    }
  }
  for (const object of production.objects) {
    if (!kindKeys.has(objectKey(object))) parts.push(guarded('production', object));
  }
  return parts.join('');
}

function replaceTokens(text: string, binders: ValueBinder[]): string {
  const expressions = new Map(binders.flatMap((binder) => [...binder.expressions]));
  return text.replace(/pqvalue[0-9a-f]{16}/g, (token) => {
    const expression = expressions.get(token);
    if (expression === undefined) throw new Error(`unbound chart token ${token}`);
    return expression;
  });
}

/** Every file of charts/printq, by path relative to the chart directory. */
export function renderChart(): Record<string, string> {
  const kindSettings = parseSettings('kind');
  const prodSettings = parseSettings('production', { tls: { acmeEmail: PLACEHOLDER_EMAIL } });
  const binders = [new ValueBinder(true), new ValueBinder(true)] as const;
  const kindFiles = buildFiles(kindSettings, binders[0]);
  const prodFiles = buildFiles(prodSettings, binders[1]);
  const files: Record<string, string> = {};

  files['Chart.yaml'] = Yaml.stringify({
    apiVersion: 'v2',
    name: CHART.name,
    description: 'printq: instant 3D-print quotes (API, worker, Redis, QueueScaler operator)',
    type: 'application',
    version: CHART.version,
    appVersion: CHART.appVersion,
    kubeVersion: '>=1.29.0-0',
  });
  files['values.yaml'] =
    GENERATED_HEADER +
    '# profile picks the object set (kind: local CA, NodePorts; production: ACME, LoadBalancer,\n' +
    '# app HPA). app.replicas applies to kind, app.autoscaling to production; tls.* to production.\n' +
    Yaml.stringify(helmValues(kindSettings));
  files['values.schema.json'] = `${JSON.stringify(valuesSchema(), null, 2)}\n`;
  files['crds/queuescalers.printq.dev.yaml'] = crdYaml();
  files['templates/NOTES.txt'] = notesTemplate(kindSettings);
  files['templates/validate.yaml'] = validateTemplate(kindSettings.namespace);
  files['templates/redis-secret.yaml'] = redisSecretTemplate(kindSettings.namespace);
  kindFiles.forEach((kindFile, index) => {
    if (kindFile.file === CRD_CONCERN) return;
    const prodFile = prodFiles[index] as ManifestFile;
    const body = replaceTokens(mergeProfiles(kindFile, prodFile), [...binders]);
    files[`templates/${kindFile.file}.yaml`] = GENERATED_HEADER + body;
  });
  return files;
}

/** Writes charts/printq from scratch (stale files removed): it is never edited by hand. */
export function writeChart(dir: string): void {
  const files = renderChart();
  rmSync(dir, { recursive: true, force: true });
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

/** Paths under `dir` (relative), for the staleness check. */
export function listChartFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listChartFiles(dir, join(prefix, entry.name))
      : [join(prefix, entry.name)],
  );
}
