import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, run } from './helpers/tools.js';

jest.setTimeout(180_000);

const CDK8S_DIR = join(REPO_ROOT, 'cdk8s');

describe('cdk8s/imports', () => {
  it('equal a fresh `cdk8s import` of the pinned cert-manager CRDs (scripts/import-crds.sh)', () => {
    const out = mkdtempSync(join(tmpdir(), 'printq-imports-'));
    try {
      const result = run(join(CDK8S_DIR, 'scripts', 'import-crds.sh'), [out], { cwd: CDK8S_DIR });
      expect(result.status).toBe(0);
      const committed = readdirSync(join(CDK8S_DIR, 'imports')).sort();
      expect(readdirSync(out).sort()).toEqual(committed);
      for (const file of committed) {
        const fresh = readFileSync(join(out, file), 'utf8');
        expect({
          file,
          same: fresh === readFileSync(join(CDK8S_DIR, 'imports', file), 'utf8'),
        }).toEqual({
          file,
          same: true,
        });
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
