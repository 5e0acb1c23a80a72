import { jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Yaml } from 'cdk8s';
import { NAMES, renderManifests, type ManifestObject } from '../src/index.js';
import { GLOBAL_SCAN_EXCEPTIONS, SCAN_EXCEPTIONS } from '../src/security.js';
import { BOTH, TEST_EMAIL, find, objectsOf } from './helpers/manifests.js';
import { itWithTool, run } from './helpers/tools.js';

// External tools on a loaded 2-core machine: generous per-test timeouts.
jest.setTimeout(180_000);

const itScans = itWithTool('checkov', 'pip install checkov (see .ci/run)');

interface CheckovReport {
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  results: {
    failed_checks: { check_id: string; resource: string }[];
    skipped_checks: {
      check_id: string;
      resource: string;
      check_result: { suppress_comment: string };
    }[];
  };
}

/** checkov over a directory of YAML files; offline (no download, no upload). */
function checkov(files: Record<string, string>): CheckovReport {
  const dir = mkdtempSync(join(tmpdir(), 'printq-scan-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
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
    if (!result.stdout.trim().startsWith('[') && !result.stdout.trim().startsWith('{')) {
      throw new Error(`checkov failed (${result.status}): ${result.stderr.slice(-2000)}`);
    }
    const parsed = JSON.parse(result.stdout) as CheckovReport | CheckovReport[];
    return Array.isArray(parsed) ? (parsed[0] as CheckovReport) : parsed;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const namedExceptions = new Map<string, string>(
  Object.values(SCAN_EXCEPTIONS).map((e) => [e.check, e.reason]),
);

describe.each(BOTH)('checkov scan (%s profile)', (profile) => {
  itScans('fails no check; every skipped check is a named exception with its reason', () => {
    const files = renderManifests(
      profile,
      profile === 'production' ? { tls: { acmeEmail: TEST_EMAIL } } : {},
    );
    const report = checkov(files);
    expect(report.summary.parsing_errors).toBe(0);
    expect(report.results.failed_checks.map((c) => `${c.check_id} ${c.resource}`)).toEqual([]);
    expect(report.summary.passed).toBeGreaterThan(300);
    for (const skipped of report.results.skipped_checks) {
      expect(skipped.check_result.suppress_comment).toBe(namedExceptions.get(skipped.check_id));
    }
    expect(report.results.skipped_checks.map((c) => `${c.check_id} ${c.resource}`).sort()).toEqual(
      [
        `CKV_K8S_38 Deployment.printq.${NAMES.operator}`,
        `CKV_K8S_38 Deployment.ingress-nginx.${NAMES.ingressController}`,
        `CKV_K8S_40 Deployment.ingress-nginx.${NAMES.ingressController}`,
      ].sort(),
    );
  });
});

describe('the scanner', () => {
  itScans('catches a weakened container (so a clean scan means something)', () => {
    const app = structuredClone(
      find(objectsOf('kind'), 'Deployment', NAMES.app),
    ) as ManifestObject & {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    const container = app.spec.template.spec.containers[0] as Record<string, unknown>;
    container.securityContext = { privileged: true, allowPrivilegeEscalation: true };
    delete container.resources;
    const report = checkov({ 'weak.yaml': Yaml.stringify(app) });
    const failed = new Set(report.results.failed_checks.map((c) => c.check_id));
    // privileged, privilege escalation, CPU limits, memory limits
    for (const id of ['CKV_K8S_16', 'CKV_K8S_20', 'CKV_K8S_11', 'CKV_K8S_13'])
      expect(failed).toContain(id);
  });
});
