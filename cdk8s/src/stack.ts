import { App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { ValueBinder, type BuildContext } from './context.js';
import { App as AppWorkload } from './constructs/app.js';
import { Certificates } from './constructs/certificates.js';
import { IngressLayer } from './constructs/ingress.js';
import { Namespaces } from './constructs/namespaces.js';
import { NetworkPolicies } from './constructs/network-policies.js';
import { Operator, QueueScalerCrd } from './constructs/operator.js';
import { Redis } from './constructs/redis.js';
import { Worker } from './constructs/worker.js';
import { parseSettings, type Profile, type Settings, type SettingsOverrides } from './settings.js';

/** A Kubernetes object as synthesized (plain JSON). */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** One output file: `dist/<profile>/<file>.yaml`. */
export interface ManifestFile {
  readonly file: string;
  readonly objects: ManifestObject[];
}

interface Concern {
  readonly file: string;
  readonly build: (scope: Construct, ctx: BuildContext) => void;
}

/**
 * The files, in apply order: CRDs, namespaces, the network policies (so no workload ever
 * runs unfenced), then the workloads, the ingress layer and the certificates.
 */
export const CONCERNS: readonly Concern[] = [
  { file: '00-crds', build: (scope) => new QueueScalerCrd(scope, 'queuescaler') },
  { file: '01-namespaces', build: (scope, ctx) => new Namespaces(scope, 'namespaces', ctx) },
  {
    file: '02-network-policies',
    build: (scope, ctx) => new NetworkPolicies(scope, 'policies', ctx),
  },
  { file: '03-redis', build: (scope, ctx) => new Redis(scope, 'redis', ctx) },
  { file: '04-app', build: (scope, ctx) => new AppWorkload(scope, 'app', ctx) },
  { file: '05-worker', build: (scope, ctx) => new Worker(scope, 'worker', ctx) },
  { file: '06-operator', build: (scope, ctx) => new Operator(scope, 'operator', ctx) },
  { file: '07-ingress', build: (scope, ctx) => new IngressLayer(scope, 'ingress', ctx) },
  { file: '08-certificates', build: (scope, ctx) => new Certificates(scope, 'certificates', ctx) },
];

/** Builds every concern from validated settings; `values` decides plain or Helm output. */
export function buildFiles(settings: Settings, values = new ValueBinder(false)): ManifestFile[] {
  const app = new App();
  const ctx: BuildContext = { settings, values };
  return CONCERNS.map((concern) => {
    const chart = new Chart(app, concern.file, { disableResourceNameHashes: true });
    concern.build(chart, ctx);
    return { file: concern.file, objects: values.apply(chart.toJson() as ManifestObject[]) };
  });
}

/** Settings for `profile` with `overrides`, then every file. Synchronous. */
export function synthesizeFiles(
  profile: Profile,
  overrides?: SettingsOverrides | Record<string, string>,
): ManifestFile[] {
  return buildFiles(parseSettings(profile, overrides));
}

/**
 * Every object for `profile`, in apply order (CRDs, namespaces, then the rest). Synchronous;
 * throws SettingsError naming the bad field when the overrides are invalid. The Redis
 * password Secret is not included: create it with {@link redisSecret} at deploy time.
 */
export function synthesize(
  profile: Profile,
  overrides?: SettingsOverrides | Record<string, string>,
): ManifestObject[] {
  return synthesizeFiles(profile, overrides).flatMap((file) => file.objects);
}
