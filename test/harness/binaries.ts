import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_HINT } from './errors.js';

const harnessDir = dirname(fileURLToPath(import.meta.url));

/** Absolute paths of the control-plane binaries that test/harness/build.sh produced. */
export interface ControlPlaneBinaries {
  /** Kubernetes release the binaries were built from, e.g. `v1.36.3`. */
  kubernetesVersion: string;
  dir: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
}

export type Availability =
  { available: true; binaries: ControlPlaneBinaries } | { available: false; reason: string };

/** The Kubernetes release pinned in test/harness/k8s/go.mod (the cache key of build.sh). */
export function pinnedKubernetesVersion(): string {
  const goMod = readFileSync(join(harnessDir, 'k8s', 'go.mod'), 'utf8');
  const match = /^\s*(?:require\s+)?k8s\.io\/kubernetes\s+(v\S+)/m.exec(goMod);
  if (!match?.[1]) throw new Error('test/harness/k8s/go.mod does not require k8s.io/kubernetes');
  return match[1];
}

/** Where build.sh caches binaries; must stay in step with build.sh's `cache_dir`. */
export function binariesDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.PRINTQ_CACHE || join(env.HOME || homedir(), '.cache', 'printq');
  return join(cacheRoot, `k8s-${pinnedKubernetesVersion()}`);
}

export function locateBinaries(env: NodeJS.ProcessEnv = process.env): ControlPlaneBinaries {
  const dir = binariesDir(env);
  return {
    kubernetesVersion: pinnedKubernetesVersion(),
    dir,
    etcd: join(dir, 'etcd'),
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
  };
}

/**
 * Whether this machine can run the control plane, and if not, why. Never throws: tests call
 * it at module load to decide between running, failing (CI) and skipping (local).
 */
export function controlPlaneAvailability(env: NodeJS.ProcessEnv = process.env): Availability {
  const binaries = locateBinaries(env);
  const required = [binaries.etcd, binaries.kubeApiserver, binaries.kubeControllerManager];
  const missing = required.filter((path) => !isExecutable(path));
  if (missing.length === 0) return { available: true, binaries };
  return {
    available: false,
    reason: `Kubernetes control plane ${binaries.kubernetesVersion} is not built (missing ${missing.join(', ')}): ${BUILD_HINT}`,
  };
}

export function isControlPlaneAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return controlPlaneAvailability(env).available;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
