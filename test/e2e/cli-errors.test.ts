// The CLI as users run it (bin/printq.js in a child process): exit codes and messages of
// failures that need no cluster. Failures that need one (SSA conflict, missing CRD) are in
// cli-release.test.ts against the real control plane.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.js';
import { runPrintq } from './cli-process.js';

function kubeconfig(server: string, contexts: string[]): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${contexts[0]}`,
    'clusters:',
    `- name: c\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
    'users:',
    '- name: u\n  user:\n    token: not-a-real-token',
    'contexts:',
    ...contexts.map((name) => `- name: ${name}\n  context:\n    cluster: c\n    user: u`),
    '',
  ].join('\n');
}

describe('printq CLI failures (child process)', () => {
  let dir: string;
  let unreachableConfig: string;
  let closedPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'printq-cli-errors-'));
    closedPort = await freePort();
    unreachableConfig = join(dir, 'kubeconfig');
    writeFileSync(
      unreachableConfig,
      kubeconfig(`https://127.0.0.1:${closedPort}`, ['kind-printq', 'staging']),
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 7 with CLUSTER_UNREACHABLE naming the server when nothing listens', async () => {
    const result = await runPrintq(['status', '--kubeconfig', unreachableConfig]);
    expect(result.exitCode).toBe(7);
    expect(result.stderr).toContain('error[CLUSTER_UNREACHABLE]');
    expect(result.stderr).toContain(`127.0.0.1:${closedPort}`);
    expect(result.stderr).toContain('context "kind-printq"');
    expect(result.stdout).toBe('');
  }, 120_000);

  it('exits 6 with CONTEXT_NOT_FOUND listing the contexts that exist', async () => {
    const result = await runPrintq([
      'up',
      '--kubeconfig',
      unreachableConfig,
      '--context',
      'kind-prod',
    ]);
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain(
      'error[CONTEXT_NOT_FOUND]: context "kind-prod" is not in the kubeconfig',
    );
    expect(result.stderr).toContain('available contexts: kind-printq, staging');
  }, 120_000);

  it('exits 5 when the kubeconfig file does not exist', async () => {
    const result = await runPrintq(['history', '--kubeconfig', join(dir, 'missing')]);
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain('error[KUBECONFIG_INVALID]');
  }, 120_000);

  it('exits 5 with a hint, not a TLS error and stack, when no kubeconfig exists at all', async () => {
    const emptyHome = mkdtempSync(join(dir, 'home-'));
    const result = await runPrintq(['status'], 120_000, {
      HOME: emptyHome,
      KUBECONFIG: undefined,
      KUBERNETES_SERVICE_HOST: undefined,
    });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain(
      `error[KUBECONFIG_INVALID]: no kubeconfig: $KUBECONFIG is not set and ${emptyHome}/.kube/config does not exist`,
    );
    expect(result.stderr).toContain('hint: create a cluster first');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);

  it('exits 5 when $KUBECONFIG names only files that do not exist', async () => {
    const result = await runPrintq(['history']);
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain('$KUBECONFIG names no existing file (/nonexistent/kubeconfig)');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);

  it('exits 4 naming the field for an invalid or unknown --set, before contacting a cluster', async () => {
    const invalid = await runPrintq([
      'up',
      '--profile',
      'kind',
      '--set',
      'worker.maxReplicas=zero',
      '--kubeconfig',
      unreachableConfig,
    ]);
    expect(invalid.exitCode).toBe(4);
    expect(invalid.stderr).toContain('error[INVALID_SETTING]');
    expect(invalid.stderr).toContain('worker.maxReplicas');

    const unknown = await runPrintq([
      'up',
      '--profile',
      'kind',
      '--set',
      'worker.maxReplica=5',
      '--kubeconfig',
      unreachableConfig,
    ]);
    expect(unknown.exitCode).toBe(4);
    expect(unknown.stderr).toContain('unknown setting: worker.maxReplica');
  }, 120_000);

  it('exits 4 naming tls.acmeEmail for production without an ACME e-mail, before contacting a cluster', async () => {
    const result = await runPrintq([
      'up',
      '--profile',
      'production',
      '--kubeconfig',
      unreachableConfig,
    ]);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('error[INVALID_SETTING]');
    expect(result.stderr).toContain('tls.acmeEmail: is required for the production profile');
  }, 120_000);

  it('exits 3 on a usage error and 0 with the command list for help', async () => {
    const bad = await runPrintq(['upgrade', '--delete-data']);
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toContain('printq upgrade does not take --delete-data');

    const help = await runPrintq(['help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/diff .*exit 0 none, 2 changes, 1 error/);
  }, 120_000);

  it('prints the help to stderr and exits 3 when no command is given', async () => {
    const bare = await runPrintq([]);
    expect(bare.exitCode).toBe(3);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('Usage: printq <command> [options]');
    expect(bare.stderr).toContain('error[USAGE]: no command given');
  }, 120_000);

  it('prints per-command help for status --help, with exit codes in the global help', async () => {
    const status = await runPrintq(['status', '--help']);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/^Usage: printq status \[options\]/);
    expect(status.stdout).not.toContain('--profile');

    const help = await runPrintq(['help']);
    expect(help.stdout).toMatch(/^Exit codes:$/m);
    expect(help.stdout).toMatch(/^ {2}7 +CLUSTER_UNREACHABLE: /m);
  }, 120_000);

  it('rejects an unknown flag with one clean line and a hint, exit 3', async () => {
    const result = await runPrintq(['status', '--x']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe(
      'error[USAGE]: unknown option --x\n  hint: run printq status --help for the options\n',
    );
  }, 120_000);

  it('exits 1, not 7, when diff cannot reach the cluster (diff(1) convention)', async () => {
    const result = await runPrintq(['diff', '--kubeconfig', unreachableConfig]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error[CLUSTER_UNREACHABLE]');
  }, 120_000);
});
