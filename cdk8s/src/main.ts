/**
 * `npm run synth`: writes dist/<profile>/ for both profiles and charts/printq.
 *   npm run synth                          both profiles + chart
 *   npm run synth -- --profile kind --set host=q.local --set worker.maxReplicas=8
 * The production profile needs an ACME e-mail: PRINTQ_ACME_EMAIL or --set tls.acmeEmail=...;
 * without one an example address is used and a warning printed (dist/ is not deployed as is).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeChart } from './chart.js';
import { PROFILES, SettingsError, type Profile } from './settings.js';
import { writeManifests } from './writer.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXAMPLE_ACME_EMAIL = 'acme@printq.example.com';

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
  const profiles = (values.profile ?? [...PROFILES]) as Profile[];
  const overrides = Object.fromEntries((values.set ?? []).map(splitAssignment));
  for (const profile of profiles) {
    const perProfile = { ...overrides };
    if (profile === 'production' && perProfile['tls.acmeEmail'] === undefined) {
      const email = process.env.PRINTQ_ACME_EMAIL;
      if (!email) console.warn(`production: no ACME e-mail given, using ${EXAMPLE_ACME_EMAIL}`);
      perProfile['tls.acmeEmail'] = email || EXAMPLE_ACME_EMAIL;
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
