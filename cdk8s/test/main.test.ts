// `npm run synth` as users run it: the real entry point in a child process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/tools.js';

const MAIN = join(REPO_ROOT, 'cdk8s', 'src', 'main.ts');

function synth(args: string[], acmeEmail?: string) {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== 'PRINTQ_ACME_EMAIL') env[key] = value;
  }
  if (acmeEmail !== undefined) env['PRINTQ_ACME_EMAIL'] = acmeEmail;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=printq-source', MAIN, '--no-chart', ...args],
    { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run synth (cdk8s/src/main.ts)', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'printq-synth-main-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('without an ACME e-mail writes kind, skips production naming the field, exits 0', () => {
    // A stale production render from an older synth must not survive.
    mkdirSync(join(out, 'production'));
    writeFileSync(join(out, 'production', '08-certificates.yaml'), 'email: old@example.com\n');

    const result = synth(['--out', out]);
    expect(result.status).toBe(0);
    expect(existsSync(join(out, 'kind', '08-certificates.yaml'))).toBe(true);
    expect(existsSync(join(out, 'production'))).toBe(false);
    expect(result.stderr).toContain('production: skipped, tls.acmeEmail is required');
    expect(result.stderr).toContain('PRINTQ_ACME_EMAIL');
  }, 120_000);

  it('fails naming tls.acmeEmail when production is asked for explicitly without one', () => {
    const result = synth(['--out', out, '--profile', 'production']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('tls.acmeEmail: is required for the production profile');
    expect(existsSync(join(out, 'production'))).toBe(false);
  }, 120_000);

  it('writes production with the e-mail of PRINTQ_ACME_EMAIL, and --set wins over it', () => {
    const fromEnv = synth(['--out', out], 'ops@printq.test');
    expect(fromEnv.status).toBe(0);
    const certificates = () =>
      readFileSync(join(out, 'production', '08-certificates.yaml'), 'utf8');
    expect(certificates()).toContain('email: ops@printq.test');

    const fromSet = synth(
      ['--out', out, '--profile', 'production', '--set', 'tls.acmeEmail=sre@printq.test'],
      'ops@printq.test',
    );
    expect(fromSet.status).toBe(0);
    expect(certificates()).toContain('email: sre@printq.test');
    expect(certificates()).not.toContain('ops@printq.test');
  }, 120_000);
});
