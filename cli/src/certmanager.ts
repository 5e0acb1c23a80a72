import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { applyInOrder } from './apply.js';
import { CliError } from './errors.js';
import type { KubeClient } from './kube.js';
import { ApiError } from './kube.js';
import type { KubeObject } from './objects.js';
import type { Now, Sleep } from './time.js';

const REQUIRED_CRDS = ['certificates.cert-manager.io', 'clusterissuers.cert-manager.io'];

export interface CertManagerOptions {
  /** Release manifest: a URL, a YAML file, or a directory of YAML files. */
  source: string;
  timeoutMs: number;
  sleep: Sleep;
  now: Now;
  log: (line: string) => void;
}

/** Does the cluster serve the cert-manager kinds printq creates? */
export async function certManagerInstalled(client: KubeClient): Promise<boolean> {
  for (const name of REQUIRED_CRDS) {
    const crd = await client.get({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name,
    });
    if (!crd) return false;
  }
  return true;
}

/**
 * Installs cert-manager from its release manifest when its CRDs are missing, then waits until
 * its admission webhook answers. Creating Issuers or Certificates before the webhook serves
 * fails (cert-manager #4580, #3133), so the wait is not optional.
 */
export async function ensureCertManager(
  client: KubeClient,
  options: CertManagerOptions,
): Promise<void> {
  if (await certManagerInstalled(client)) {
    options.log('cert-manager: CRDs present, not installing');
  } else {
    const objects = await loadManifest(options.source);
    options.log(`cert-manager: installing ${objects.length} objects from ${options.source}`);
    await applyInOrder(client, objects, { sleep: options.sleep, crdTimeoutMs: options.timeoutMs });
  }
  await waitForCertManagerApi(client, options);
  options.log('cert-manager: API and webhook answer');
}

/**
 * The check `cmctl check api` makes: a dry-run create of a Certificate goes through the
 * mutating and validating webhooks, so it succeeds only once they serve.
 */
export async function waitForCertManagerApi(
  client: KubeClient,
  options: Pick<CertManagerOptions, 'timeoutMs' | 'sleep' | 'now'>,
): Promise<void> {
  const deadline = options.now() + options.timeoutMs;
  let lastProblem = '';
  for (let attempt = 0; ; attempt++) {
    lastProblem = await dryRunCertificate(client);
    if (lastProblem === '') return;
    if (options.now() >= deadline) break;
    await options.sleep(Math.min(500 * 2 ** Math.min(attempt, 3), 5000));
  }
  throw new CliError(
    'CERT_MANAGER_NOT_READY',
    `cert-manager did not answer within ${Math.round(options.timeoutMs / 1000)} s: ${lastProblem}`,
    {
      hints: [
        'check its pods: kubectl -n cert-manager get pods',
        'raise --timeout on slow clusters',
      ],
    },
  );
}

async function dryRunCertificate(client: KubeClient): Promise<string> {
  const probe = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'printq-api-check', namespace: 'default' },
    spec: {
      secretName: 'printq-api-check',
      dnsNames: ['api-check.invalid'],
      issuerRef: { name: 'printq-api-check' },
    },
  };
  try {
    await client.request('POST', '/apis/cert-manager.io/v1/namespaces/default/certificates', {
      body: probe,
      query: { dryRun: 'All' },
    });
    return '';
  } catch (error) {
    if (error instanceof ApiError) return error.body?.message ?? error.message;
    throw error;
  }
}

/** Reads a multi-document YAML manifest from a URL, a file or a directory of files. */
export async function loadManifest(source: string): Promise<KubeObject[]> {
  let texts: string[];
  try {
    texts = /^https?:\/\//.test(source) ? [await fetchText(source)] : await readLocal(source);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CliError(
      'CERT_MANAGER_NOT_READY',
      `cannot read the cert-manager manifest ${source}: ${detail}`,
      {
        hints: [
          'without internet access, pass a local copy: --cert-manager-manifest ./cert-manager.yaml',
        ],
      },
    );
  }
  return texts.flatMap(parseObjects);
}

export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJSON() as unknown)
    .filter((value): value is KubeObject => isKubeObject(value));
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<KubeObject>;
  return (
    typeof candidate.apiVersion === 'string' &&
    typeof candidate.kind === 'string' &&
    !!candidate.metadata
  );
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

async function readLocal(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [await readFile(path, 'utf8')];
  const names = (await readdir(path)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return Promise.all(names.map((name) => readFile(join(path, name), 'utf8')));
}
