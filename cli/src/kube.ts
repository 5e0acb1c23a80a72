import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { CliError } from './errors.js';
import type { KubeObject, ObjectRef } from './objects.js';
import { describeRef, refOf } from './objects.js';

/** Where to find the cluster, as given on the command line. */
export interface KubeTarget {
  /** Path of a kubeconfig file. @default $KUBECONFIG, else ~/.kube/config */
  kubeconfigPath?: string;
  /** Context to use. @default the kubeconfig's current-context */
  context?: string;
}

/** The status and decoded body of an answer the API server gave. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: KubeStatus | undefined,
    readonly requestLine: string,
  ) {
    super(`${requestLine}: HTTP ${statusCode}${body?.message ? `: ${body.message}` : ''}`);
    this.name = 'ApiError';
  }
}

/** The `Status` object the API server returns on errors. */
export interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string; field?: string }[] };
}

export interface ResourceInfo {
  name: string;
  namespaced: boolean;
  kind: string;
}

interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | undefined>;
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPROTO',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
]);

/** Where the default kubeconfig lookup reads from; injectable so tests need no real HOME. */
export interface KubeEnvironment {
  /** @default process.env */
  env: NodeJS.ProcessEnv;
  /** @default os.homedir() */
  homeDir: string;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Loads the kubeconfig and selects the context, with an error that lists what exists. */
export function loadKubeConfig(
  target: KubeTarget,
  environment: KubeEnvironment = { env: process.env, homeDir: homedir() },
): KubeConfig {
  const kubeConfig = new KubeConfig();
  try {
    if (target.kubeconfigPath) loadExplicitFile(kubeConfig, target.kubeconfigPath);
    else loadDefault(kubeConfig, environment);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('KUBECONFIG_INVALID', `cannot read kubeconfig: ${messageOf(error)}`, {
      cause: error,
    });
  }
  selectContext(kubeConfig, target.context);
  return kubeConfig;
}

function loadExplicitFile(kubeConfig: KubeConfig, path: string): void {
  if (!existsSync(path)) {
    throw new CliError('KUBECONFIG_INVALID', `kubeconfig ${path} does not exist`, {
      hints: [KUBECONFIG_HINT],
    });
  }
  kubeConfig.loadFromFile(path);
}

/**
 * kubectl's lookup order: the files of $KUBECONFIG (missing ones skipped), else
 * ~/.kube/config, else the pod's service account. client-node's loadFromDefault would go on
 * to http://localhost:8080, which only yields a confusing TLS error: that case is refused.
 */
function loadDefault(kubeConfig: KubeConfig, { env, homeDir }: KubeEnvironment): void {
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((file) => file !== '');
  if (listed.length > 0) {
    const existing = listed.filter((file) => existsSync(file));
    if (existing.length === 0) {
      throw new CliError(
        'KUBECONFIG_INVALID',
        `no kubeconfig: $KUBECONFIG names no existing file (${listed.join(delimiter)})`,
        { hints: [KUBECONFIG_HINT] },
      );
    }
    loadFiles(kubeConfig, existing);
    return;
  }
  const homeConfig = join(homeDir, '.kube', 'config');
  if (existsSync(homeConfig)) {
    kubeConfig.loadFromFile(homeConfig);
  } else if (env['KUBERNETES_SERVICE_HOST'] && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kubeConfig.loadFromCluster();
  } else {
    throw new CliError(
      'KUBECONFIG_INVALID',
      `no kubeconfig: $KUBECONFIG is not set and ${homeConfig} does not exist`,
      { hints: [KUBECONFIG_HINT] },
    );
  }
}

function loadFiles(kubeConfig: KubeConfig, files: readonly string[]): void {
  const [first, ...rest] = files;
  if (first !== undefined) kubeConfig.loadFromFile(first);
  for (const file of rest) {
    const next = new KubeConfig();
    next.loadFromFile(file);
    kubeConfig.mergeConfig(next);
  }
}

const KUBECONFIG_HINT =
  'create a cluster first (kind create cluster), or name a kubeconfig with --kubeconfig PATH ' +
  'or KUBECONFIG=PATH';

function selectContext(kubeConfig: KubeConfig, context: string | undefined): void {
  const names = kubeConfig.getContexts().map((entry) => entry.name);
  const wanted = context ?? kubeConfig.getCurrentContext();
  if (!wanted || !names.includes(wanted)) {
    const what = context ? `context "${context}" is not in the kubeconfig` : 'no current context';
    throw new CliError('CONTEXT_NOT_FOUND', what, {
      hints: [
        names.length > 0
          ? `available contexts: ${names.join(', ')} (choose one with --context NAME)`
          : 'the kubeconfig defines no contexts: create a cluster (kind create cluster) first',
      ],
    });
  }
  kubeConfig.setCurrentContext(wanted);
  if (!kubeConfig.getCurrentCluster()) {
    throw new CliError('KUBECONFIG_INVALID', `context "${wanted}" names no known cluster`);
  }
}

/**
 * A small JSON client for the Kubernetes API on top of client-node's kubeconfig handling.
 * It speaks raw JSON (no typed models), which server-side apply, dry-run diffs and the 409
 * conflict bodies need verbatim.
 */
export class KubeClient {
  readonly server: URL;
  readonly contextName: string;
  private readonly discovery = new Map<string, ResourceInfo[] | null>();

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly requestTimeoutMs = 30_000,
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new CliError('KUBECONFIG_INVALID', 'the current context names no cluster');
    this.server = new URL(cluster.server);
    this.contextName = kubeConfig.getCurrentContext();
  }

  static connect(target: KubeTarget, requestTimeoutMs?: number): KubeClient {
    return new KubeClient(loadKubeConfig(target), requestTimeoutMs);
  }

  /** Fails with CLUSTER_UNREACHABLE/UNAUTHORIZED before any command does real work. */
  async checkReachable(): Promise<{ gitVersion?: string }> {
    try {
      return await this.request<{ gitVersion?: string }>('GET', '/version');
    } catch (error) {
      if (error instanceof ApiError && (error.statusCode === 401 || error.statusCode === 403)) {
        throw new CliError(
          'UNAUTHORIZED',
          `${this.server.origin} refused the credentials of context "${this.contextName}" (HTTP ${error.statusCode})`,
        );
      }
      throw error;
    }
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(path, this.server);
    url.pathname = joinPaths(this.server.pathname, url.pathname);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const requestLine = `${method} ${url.pathname}`;
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const requestOptions: https.RequestOptions = {
      method,
      headers: {
        Accept: 'application/json',
        ...(payload === undefined
          ? {}
          : { 'Content-Type': options.contentType ?? 'application/json' }),
      },
      timeout: this.requestTimeoutMs,
    };
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    // client-node builds an https.Agent; a plain-http server (a local proxy) needs none.
    if (url.protocol === 'http:') delete requestOptions.agent;
    const { statusCode, text } = await this.send(url, requestOptions, payload);
    const body = parseJson(text);
    if (statusCode < 200 || statusCode > 299) {
      throw new ApiError(statusCode, body as KubeStatus | undefined, requestLine);
    }
    return body as T;
  }

  private send(
    url: URL,
    options: https.RequestOptions,
    payload: string | undefined,
  ): Promise<{ statusCode: number; text: string }> {
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ statusCode: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        response.on('error', reject);
      });
      request.on('timeout', () => {
        request.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' }));
      });
      request.on('error', (error) => reject(this.connectionError(error)));
      request.end(payload);
    });
  }

  private connectionError(error: Error): Error {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!CONNECTION_ERRORS.has(code) && !code.startsWith('ERR_SSL')) return error;
    return new CliError(
      'CLUSTER_UNREACHABLE',
      `cannot reach the cluster of context "${this.contextName}" at ${this.server.origin}: ${code} ${error.message}`.trim(),
      {
        cause: error,
        hints: [
          'is the cluster running? (kind get clusters; kubectl cluster-info)',
          'choose another cluster with --context NAME or --kubeconfig PATH',
        ],
      },
    );
  }

  /** The resources an apiVersion serves; null when the API server does not know the group. */
  async resourcesOf(apiVersion: string, refresh = false): Promise<ResourceInfo[] | null> {
    if (!refresh && this.discovery.has(apiVersion)) return this.discovery.get(apiVersion) ?? null;
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let resources: ResourceInfo[] | null;
    try {
      const list = await this.request<{ resources: ResourceInfo[] }>('GET', path);
      resources = list.resources.filter((resource) => !resource.name.includes('/'));
    } catch (error) {
      if (!(error instanceof ApiError) || error.statusCode !== 404) throw error;
      resources = null;
    }
    this.discovery.set(apiVersion, resources);
    return resources;
  }

  /** Resource metadata for a kind; re-asks once so a CRD created a moment ago is found. */
  async resourceFor(
    ref: Pick<ObjectRef, 'apiVersion' | 'kind'>,
  ): Promise<ResourceInfo | undefined> {
    const find = (list: ResourceInfo[] | null) => list?.find((entry) => entry.kind === ref.kind);
    const cached = find(await this.resourcesOf(ref.apiVersion));
    return cached ?? find(await this.resourcesOf(ref.apiVersion, true));
  }

  async pathOf(ref: ObjectRef, withName = true): Promise<string> {
    const resource = await this.resourceFor(ref);
    if (!resource) {
      throw new CliError(
        'MISSING_CRD',
        `the cluster does not serve ${ref.kind} (${ref.apiVersion}), needed for ${describeRef(ref)}`,
        { hints: hintsForMissingKind(ref.apiVersion) },
      );
    }
    const base = ref.apiVersion.includes('/')
      ? `/apis/${ref.apiVersion}`
      : `/api/${ref.apiVersion}`;
    const scope =
      resource.namespaced && ref.namespace
        ? `/namespaces/${encodeURIComponent(ref.namespace)}`
        : '';
    const name = withName ? `/${encodeURIComponent(ref.name)}` : '';
    return `${base}${scope}/${resource.name}${name}`;
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return await this.request<KubeObject>('GET', await this.pathOf(ref));
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Server-side apply as `fieldManager`; `dryRun` runs admission and defaulting only. */
  async apply(
    object: KubeObject,
    options: { fieldManager: string; force?: boolean; dryRun?: boolean },
  ): Promise<KubeObject> {
    const ref = refOf(object);
    return this.request<KubeObject>('PATCH', await this.pathOf(ref), {
      body: object,
      contentType: 'application/apply-patch+yaml',
      query: {
        fieldManager: options.fieldManager,
        force: options.force ? 'true' : undefined,
        dryRun: options.dryRun ? 'All' : undefined,
      },
    });
  }

  /** Creates an object unless it exists; false when it already did (create-only semantics). */
  async createIfAbsent(object: KubeObject, fieldManager: string): Promise<boolean> {
    const ref = refOf(object);
    try {
      await this.request('POST', await this.pathOf(ref, false), {
        body: object,
        query: { fieldManager },
      });
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 409) return false;
      throw error;
    }
  }

  /** Deletes an object; false when it was already gone. */
  async delete(ref: ObjectRef, propagationPolicy = 'Background'): Promise<boolean> {
    try {
      await this.request('DELETE', await this.pathOf(ref), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy },
      });
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 404) return false;
      throw error;
    }
  }

  async list(
    ref: Pick<ObjectRef, 'apiVersion' | 'kind' | 'namespace'>,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    const path = await this.pathOf({ ...ref, name: '' }, false);
    const list = await this.request<{ items: KubeObject[] }>('GET', path, {
      query: { labelSelector },
    });
    return list.items;
  }
}

function hintsForMissingKind(apiVersion: string): string[] {
  if (apiVersion.startsWith('cert-manager.io/') || apiVersion.startsWith('acme.cert-manager.io/')) {
    return ['install cert-manager first: printq up installs it unless --skip-cert-manager'];
  }
  if (apiVersion.startsWith('printq.dev/')) {
    return ['the QueueScaler CRD is applied by printq up; run it before creating QueueScalers'];
  }
  return ['install the CRD that defines this kind, then retry'];
}

function joinPaths(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
