import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { crdManifest } from '@printq/crd';
import { NAMES, type ManifestObject } from '../src/index.js';
import { BOTH, objectsOf } from './helpers/manifests.js';
import { REPO_ROOT, itWithTool, run } from './helpers/tools.js';

// External tools on a loaded 2-core machine: generous per-test timeouts.
jest.setTimeout(180_000);

/** Kubernetes versions validated against: the API of cdk8s-plus-33 and the newest known. */
const KUBERNETES_VERSIONS = ['1.33.0', '1.37.0'];
const CERT_MANAGER_CRDS = ['certificates', 'clusterissuers'].map((kind) =>
  join(REPO_ROOT, 'cdk8s', 'crds', 'cert-manager-v1.21.2', `cert-manager.io_${kind}.yaml`),
);
const INSTALL_HINT = 'pip install kubernetes-validate (see .ci/run)';
const itValidates = itWithTool('kubernetes-validate', INSTALL_HINT);

const isCustom = (o: ManifestObject) => /cert-manager\.io|printq\.dev/.test(o.apiVersion);

function crdObjects(): ManifestObject[] {
  const certManager = CERT_MANAGER_CRDS.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as ManifestObject),
  );
  return [...certManager, crdManifest() as ManifestObject];
}

function validateCustom(objects: ManifestObject[]): string[] {
  const result = run('python3', [join(REPO_ROOT, 'cdk8s', 'test', 'helpers', 'validate_crs.py')], {
    input: JSON.stringify({ crds: crdObjects(), objects }),
  });
  if (result.status !== 0) throw new Error(`validate_crs.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

function kubernetesValidate(objects: ManifestObject[], version: string) {
  const dir = mkdtempSync(join(tmpdir(), 'printq-validate-'));
  try {
    const files = objects.map((object, index) => {
      const file = join(dir, `${String(index).padStart(3, '0')}.json`);
      writeFileSync(file, JSON.stringify(object));
      return file;
    });
    return run('kubernetes-validate', ['--strict', '--quiet', '-k', version, ...files]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(BOTH)('OpenAPI validation (%s profile)', (profile) => {
  const objects = objectsOf(profile);

  itValidates.each(KUBERNETES_VERSIONS)(
    'every built-in object (the CRD included) is valid and has no unknown field for Kubernetes %s',
    (version) => {
      const builtIn = objects.filter((o) => !isCustom(o));
      expect(builtIn.length).toBeGreaterThan(40);
      const result = kubernetesValidate(builtIn, version);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    },
  );

  itValidates('every cert-manager object and the QueueScaler match their CRD schemas', () => {
    const custom = objects.filter(isCustom);
    expect(custom.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['Certificate', 'ClusterIssuer', 'QueueScaler']),
    );
    expect(validateCustom(custom)).toEqual([]);
  });
});

describe('the validators', () => {
  itValidates('reject an unknown field and a wrong type in a Deployment', () => {
    const deployment = objectsOf('kind').find(
      (o) => o.kind === 'Deployment' && o.metadata.name === NAMES.app,
    );
    const broken = structuredClone(deployment) as ManifestObject & {
      spec: Record<string, unknown>;
    };
    broken.spec.replica = 2;
    broken.spec.revisionHistoryLimit = 'five';
    const result = kubernetesValidate([broken], '1.33.0');
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/replica|five/);
  });

  itValidates('reject a custom resource with a misspelt or missing field', () => {
    const certificate = objectsOf('kind').find(
      (o) => o.kind === 'Certificate' && o.metadata.name === NAMES.app,
    ) as ManifestObject & {
      spec: Record<string, unknown>;
    };
    const typo = structuredClone(certificate);
    typo.spec.dnsName = typo.spec.dnsNames;
    const missing = structuredClone(certificate);
    delete missing.spec.secretName;
    const scaler = structuredClone(
      objectsOf('kind').find((o) => o.kind === 'QueueScaler'),
    ) as ManifestObject & {
      spec: Record<string, unknown>;
    };
    scaler.spec.maxReplicas = -1;
    const errors = validateCustom([typo, missing, scaler]);
    expect(errors).toEqual([
      expect.stringMatching(/^Certificate\/.*dnsName/),
      expect.stringMatching(/^Certificate\/.*secretName/),
      expect.stringMatching(/^QueueScaler\/.*maxReplicas/),
    ]);
  });
});
