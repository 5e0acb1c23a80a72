import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Yaml } from 'cdk8s';
import { NAMES, renderManifests, type ManifestObject } from '../src/index.js';
import { GLOBAL_SCAN_EXCEPTIONS, SCAN_EXCEPTIONS } from '../src/security.js';
import { BOTH, TEST_EMAIL, find, objectsOf } from './helpers/manifests.js';
import { commandPath, itWithTool, run } from './helpers/tools.js';

// checkov on a loaded 2-core machine takes a while: one run for every case, generous timeout.
jest.setTimeout(300_000);

const itScans = itWithTool('checkov', 'pip install checkov (see .ci/run)');

interface Finding {
  check_id: string;
  resource: string;
  file_path: string;
  check_result: { suppress_comment?: string };
}
interface CheckovReport {
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  results: { failed_checks: Finding[]; skipped_checks: Finding[]; passed_checks: Finding[] };
}

/** checkov over a tree of YAML files; offline (no download, no upload). */
function checkov(files: Record<string, string>): CheckovReport {
  const dir = mkdtempSync(join(tmpdir(), 'printq-scan-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const skip = GLOBAL_SCAN_EXCEPTIONS.map((e) => e.check).join(',');
    const result = run('checkov', [
      '--directory',
      dir,
      '--framework',
      'kubernetes',
      '--skip-download',
      '--skip-check',
      skip,
      '--output',
      'json',
    ]);
    const out = result.stdout.trim();
    if (!out.startsWith('[') && !out.startsWith('{')) {
      throw new Error(`checkov failed (${result.status}): ${result.stderr.slice(-2000)}`);
    }
    const parsed = JSON.parse(out) as CheckovReport | CheckovReport[];
    return Array.isArray(parsed) ? (parsed[0] as CheckovReport) : parsed;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The app Deployment with a privileged container and no resources. */
function weakenedApp(): ManifestObject {
  const app = structuredClone(
    find(objectsOf('kind'), 'Deployment', NAMES.app),
  ) as ManifestObject & {
    spec: { template: { spec: { containers: Record<string, unknown>[] } } };
  };
  const container = app.spec.template.spec.containers[0] as Record<string, unknown>;
  container.securityContext = { privileged: true, allowPrivilegeEscalation: true };
  delete container.resources;
  return app;
}

const namedExceptions = new Map<string, string>(
  Object.values(SCAN_EXCEPTIONS).map((e) => [e.check, e.reason]),
);

describe('checkov scan', () => {
  let report: CheckovReport | undefined;
  const inDir = (findings: Finding[], dir: string) =>
    findings.filter((f) => f.file_path.startsWith(`/${dir}/`));

  beforeAll(() => {
    if (!commandPath('checkov')) return;
    const files: Record<string, string> = { 'weak/weak.yaml': Yaml.stringify(weakenedApp()) };
    for (const profile of BOTH) {
      const rendered = renderManifests(
        profile,
        profile === 'production' ? { tls: { acmeEmail: TEST_EMAIL } } : {},
      );
      for (const [name, text] of Object.entries(rendered)) files[`${profile}/${name}`] = text;
    }
    report = checkov(files);
  });

  itScans.each(BOTH)(
    'of the %s profile fails no check; every skip is a named exception with its reason',
    (profile) => {
      const results = (report as CheckovReport).results;
      expect((report as CheckovReport).summary.parsing_errors).toBe(0);
      expect(
        inDir(results.failed_checks, profile).map((c) => `${c.check_id} ${c.resource}`),
      ).toEqual([]);
      expect(inDir(results.passed_checks, profile).length).toBeGreaterThan(300);
      const skipped = inDir(results.skipped_checks, profile);
      for (const finding of skipped) {
        expect(finding.check_result.suppress_comment).toBe(namedExceptions.get(finding.check_id));
      }
      expect(skipped.map((c) => `${c.check_id} ${c.resource}`).sort()).toEqual(
        [
          `CKV_K8S_38 Deployment.printq.${NAMES.operator}`,
          `CKV_K8S_38 Deployment.ingress-nginx.${NAMES.ingressController}`,
          `CKV_K8S_40 Deployment.ingress-nginx.${NAMES.ingressController}`,
        ].sort(),
      );
    },
  );

  itScans('catches a weakened container (so a clean scan means something)', () => {
    const failed = new Set(
      inDir((report as CheckovReport).results.failed_checks, 'weak').map((c) => c.check_id),
    );
    // privileged, privilege escalation, CPU limits, memory limits
    for (const id of ['CKV_K8S_16', 'CKV_K8S_20', 'CKV_K8S_11', 'CKV_K8S_13'])
      expect(failed).toContain(id);
  });
});
