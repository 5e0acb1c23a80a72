/**
 * `npm run synth`: writes dist/<profile>/ for both profiles and charts/printq.
 *   npm run synth                          both profiles + chart
 *   npm run synth -- --profile kind --set host=q.local --set worker.maxReplicas=8
 * The production profile needs an ACME e-mail: PRINTQ_ACME_EMAIL or --set tls.acmeEmail=...
 * Without one, a plain `npm run synth` writes kind and the chart and skips dist/production
 * (removing a stale one) with a message naming the field, so a fresh clone still synthesizes
 * but no production manifest ever carries an invented address; `--profile production` without
 * an e-mail fails (exit 2). The chart needs none: its values.yaml leaves it empty and
 * `helm install` fails naming tls.acmeEmail until it is set.
 */
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeChart } from './chart.js';
import { PROFILES, SettingsError, type Profile } from './settings.js';
import { writeManifests } from './writer.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      profile: { type: 'string', multiple: true },
      set: { type: 'string', multiple: true },
      out: { type: 'string', default: join(ROOT, 'dist') },
      chart: { type: 'string', default: join(ROOT, 'charts', 'printq') },
      'no-chart': { type: 'boolean', default: false },
    },
  });
  const explicitProfiles = values.profile !== undefined;
  const profiles = (values.profile ?? [...PROFILES]) as Profile[];
  const overrides = Object.fromEntries((values.set ?? []).map(splitAssignment));
  for (const profile of profiles) {
    const perProfile = withAcmeEmail(profile, overrides, process.env['PRINTQ_ACME_EMAIL']);
    if (!explicitProfiles && lacksAcmeEmail(profile, perProfile)) {
      skipProduction(values.out);
      continue;
    }
    const written = writeManifests(values.out, profile, perProfile);
    console.log(`${profile}: ${written.length} files in ${join(values.out, profile)}`);
  }
  if (!values['no-chart']) {
    writeChart(values.chart);
    console.log(`chart: ${values.chart}`);
  }
  return 0;
}

/** PRINTQ_ACME_EMAIL fills tls.acmeEmail for production unless --set gave one. */
function withAcmeEmail(
  profile: Profile,
  overrides: Record<string, string>,
  envEmail: string | undefined,
): Record<string, string> {
  if (profile !== 'production' || overrides['tls.acmeEmail'] !== undefined || !envEmail) {
    return overrides;
  }
  return { ...overrides, 'tls.acmeEmail': envEmail };
}

function lacksAcmeEmail(profile: Profile, overrides: Record<string, string>): boolean {
  return profile === 'production' && !overrides['tls.acmeEmail'];
}

/** A stale dist/production would still carry whatever e-mail an older synth used. */
function skipProduction(outDir: string): void {
  rmSync(join(outDir, 'production'), { recursive: true, force: true });
  console.warn(
    'production: skipped, tls.acmeEmail is required for the production profile ' +
      "(Let's Encrypt account): set PRINTQ_ACME_EMAIL=you@your-domain or " +
      '--set tls.acmeEmail=you@your-domain',
  );
}

function splitAssignment(assignment: string): [string, string] {
  const at = assignment.indexOf('=');
  if (at <= 0) throw new SettingsError([`--set ${assignment}: expected field=value`]);
  return [assignment.slice(0, at), assignment.slice(at + 1)];
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  console.error(error.message);
  process.exitCode = 2;
}
