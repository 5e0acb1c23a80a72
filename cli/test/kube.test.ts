import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../src/errors.js';
import { loadKubeConfig } from '../src/kube.js';

function kubeconfigText(context: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${context}`,
    `clusters:\n- name: ${context}\n  cluster:\n    server: https://127.0.0.1:6443`,
    `users:\n- name: ${context}\n  user:\n    token: t`,
    `contexts:\n- name: ${context}\n  context:\n    cluster: ${context}\n    user: ${context}`,
    '',
  ].join('\n');
}

function rejection(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe('loadKubeConfig without --kubeconfig', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'printq-kube-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses with KUBECONFIG_INVALID instead of falling back to localhost:8080', () => {
    const error = rejection(() => loadKubeConfig({}, { env: {}, homeDir: dir }));
    expect(error.code).toBe('KUBECONFIG_INVALID');
    expect(error.exitCode).toBe(5);
    expect(error.message).toContain(join(dir, '.kube', 'config'));
    expect(error.hints.join('\n')).toContain('--kubeconfig PATH');
  });

  it('reads ~/.kube/config when $KUBECONFIG is unset', () => {
    mkdirSync(join(dir, '.kube'));
    writeFileSync(join(dir, '.kube', 'config'), kubeconfigText('home'));
    const config = loadKubeConfig({}, { env: {}, homeDir: dir });
    expect(config.getCurrentContext()).toBe('home');
  });

  it('skips missing $KUBECONFIG entries like kubectl and merges the others', () => {
    writeFileSync(join(dir, 'a'), kubeconfigText('a'));
    writeFileSync(join(dir, 'b'), kubeconfigText('b'));
    const list = [join(dir, 'missing'), join(dir, 'a'), join(dir, 'b')].join(':');
    const config = loadKubeConfig({ context: 'b' }, { env: { KUBECONFIG: list }, homeDir: dir });
    expect(config.getContexts().map((context) => context.name)).toEqual(['a', 'b']);
    expect(config.getCurrentContext()).toBe('b');
  });

  it('names the $KUBECONFIG entries when none of them exists', () => {
    const list = join(dir, 'missing');
    const error = rejection(() => loadKubeConfig({}, { env: { KUBECONFIG: list }, homeDir: dir }));
    expect(error.code).toBe('KUBECONFIG_INVALID');
    expect(error.message).toContain(`names no existing file (${list})`);
  });
});
