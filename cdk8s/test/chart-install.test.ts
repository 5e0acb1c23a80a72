import { jest } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readYamlObjects, serverSideApply } from '../../test/harness/apply.js';
import {
  describeWithControlPlane,
  useControlPlane,
} from '../../test/harness/jest-control-plane.js';
import { NAMES, REDIS_SECRET } from '../src/index.js';
import { REPO_ROOT, helmPath, kubectlPath, run } from './helpers/tools.js';

/**
 * The chart on a real kube-apiserver (test/harness): `helm upgrade --install` with Helm 4
 * (server-side apply), then the operator's part played by a scale-subresource patch with its
 * field manager, then an upgrade and a rollback that must leave those replicas alone.
 */
jest.setTimeout(300_000);

const CHART_DIR = join(REPO_ROOT, 'charts', 'printq');
const RELEASE = 'printq';

describeWithControlPlane('charts/printq on a real apiserver', () => {
  const plane = useControlPlane();
  let helm: (...args: string[]) => ReturnType<typeof run>;
  let kubectl: (...args: string[]) => ReturnType<typeof run>;

  beforeAll(async () => {
    const kubeconfig = plane().kubeconfigPath;
    helm = (...args) =>
      run(helmPath(), [...args, '--kubeconfig', kubeconfig, '--namespace', 'printq']);
    kubectl = (...args) => run(kubectlPath(), [...args, '--kubeconfig', kubeconfig]);
    await installCertManagerApi();
  }, 120_000);

  async function installCertManagerApi(): Promise<void> {
    const crdsRoot = join(REPO_ROOT, 'cdk8s', 'crds');
    const [version] = readdirSync(crdsRoot).filter((d) => d.startsWith('cert-manager-'));
    const dir = join(crdsRoot, version ?? '');
    const crds = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => readYamlObjects(join(dir, f)));
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cert-manager' } };
    await serverSideApply(plane().kubeConfig, [...crds, namespace], {
      fieldManager: 'cert-manager',
    });
  }

  function workerDeployment(): { replicas: number; image: string } {
    const result = kubectl('get', 'deployment', NAMES.worker, '-n', 'printq', '-o', 'json');
    expect(result.stderr).toBe('');
    const deployment = JSON.parse(result.stdout) as {
      spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
    };
    return {
      replicas: deployment.spec.replicas,
      image: deployment.spec.template.spec.containers[0]?.image ?? '',
    };
  }

  function redisPassword(): string {
    const result = kubectl(
      'get',
      'secret',
      REDIS_SECRET.name,
      '-n',
      'printq',
      '-o',
      `jsonpath={.data.${REDIS_SECRET.key}}`,
    );
    expect(result.status).toBe(0);
    return result.stdout;
  }

  it('refuses to install into another namespace and creates nothing', () => {
    const result = run(helmPath(), [
      'install',
      'elsewhere',
      CHART_DIR,
      '--kubeconfig',
      plane().kubeconfigPath,
      '--namespace',
      'default',
    ]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('this chart deploys into namespace printq only');
    expect(kubectl('get', 'namespace', 'printq').status).not.toBe(0);
  });

  it('installs with helm upgrade --install --create-namespace into printq', () => {
    const result = helm('upgrade', '--install', RELEASE, CHART_DIR, '--create-namespace');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('STATUS: deployed');
    expect(result.stdout).toContain('NAMESPACE: printq');
    // The chart's own Namespace object (Pod Security labels) was applied over Helm's.
    const labels = kubectl('get', 'namespace', 'printq', '-o', 'jsonpath={.metadata.labels}');
    expect(labels.stdout).toContain('"pod-security.kubernetes.io/enforce":"restricted"');
    expect(workerDeployment().image).toBe('printq/worker:dev');
    expect(redisPassword()).toMatch(/^[A-Za-z0-9+/=]{64}$/);
  });

  it('leaves the operator’s worker replicas alone through upgrade and rollback', () => {
    const scaled = kubectl(
      'patch',
      'deployment',
      NAMES.worker,
      '-n',
      'printq',
      '--subresource=scale',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":3}}',
      '--field-manager=printq-operator',
    );
    expect(scaled.status).toBe(0);
    const password = redisPassword();

    const upgrade = helm('upgrade', RELEASE, CHART_DIR, '--set', 'images.worker.tag=v2');
    expect(upgrade.status).toBe(0);
    expect(workerDeployment()).toEqual({ replicas: 3, image: 'printq/worker:v2' });

    const history = helm('history', RELEASE, '-o', 'json');
    expect((JSON.parse(history.stdout) as unknown[]).length).toBe(2);

    const rollback = helm('rollback', RELEASE, '1');
    expect(rollback.status).toBe(0);
    expect(workerDeployment()).toEqual({ replicas: 3, image: 'printq/worker:dev' });
    // The password was read back with `lookup`, not generated again.
    expect(redisPassword()).toBe(password);
  });
});
