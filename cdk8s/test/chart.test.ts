import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Yaml } from 'cdk8s';
import { CHART, escapeForHelm, helmValues, listChartFiles, renderChart } from '../src/chart.js';
import {
  NAMES,
  parseSettings,
  synthesize,
  type ManifestObject,
  type Profile,
} from '../src/index.js';
import { keyOf, parseYamlStream, TEST_EMAIL } from './helpers/manifests.js';
import { REPO_ROOT, helmPath, run } from './helpers/tools.js';

// External tools on a loaded 2-core machine: generous per-test timeouts.
jest.setTimeout(180_000);

const CHART_DIR = join(REPO_ROOT, 'charts', 'printq');
let helm: string;
let scratch: string;

beforeAll(() => {
  helm = helmPath();
  scratch = mkdtempSync(join(tmpdir(), 'printq-chart-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function valuesFile(values: unknown): string {
  const file = join(scratch, `values-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, Yaml.stringify(values));
  return file;
}

/** The chart installs into the app namespace only (validate.yaml refuses any other). */
const IN_NS = ['--namespace', 'printq'];

function template(args: string[] = []): ManifestObject[] {
  const result = run(helm, ['template', 'printq', CHART_DIR, '--include-crds', ...IN_NS, ...args]);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseYamlStream(result.stdout);
}

/** Objects by key; the generated Redis Secret is the chart's only addition. */
function byKey(objects: ManifestObject[]): Map<string, ManifestObject> {
  return new Map(objects.filter((o) => o.kind !== 'Secret').map((o) => [keyOf(o), o]));
}

function expectSameObjects(chartObjects: ManifestObject[], synthObjects: ManifestObject[]): void {
  const chart = byKey(chartObjects);
  const synth = byKey(synthObjects);
  expect([...chart.keys()].sort()).toEqual([...synth.keys()].sort());
  for (const [key, object] of synth)
    expect({ key, object: chart.get(key) }).toEqual({ key, object });
}

describe('charts/printq', () => {
  it('is exactly what the cdk8s source generates (run `npm run synth` after changes)', () => {
    const expected = renderChart();
    expect(listChartFiles(CHART_DIR).sort()).toEqual(Object.keys(expected).sort());
    for (const [path, text] of Object.entries(expected)) {
      expect({ path, text: readFileSync(join(CHART_DIR, path), 'utf8') }).toEqual({ path, text });
    }
  });

  it('ships the QueueScaler CRD from @printq/crd in crds/, installed before the templates', () => {
    const committed = readFileSync(
      join(REPO_ROOT, 'packages', 'crd', 'queuescaler.crd.yaml'),
      'utf8',
    );
    expect(readFileSync(join(CHART_DIR, 'crds', 'queuescalers.printq.dev.yaml'), 'utf8')).toBe(
      committed,
    );
  });

  it('passes helm lint for both profiles', () => {
    const prodValues = valuesFile(
      helmValues(parseSettings('production', { tls: { acmeEmail: TEST_EMAIL } })),
    );
    for (const args of [[], ['--values', prodValues]]) {
      const result = run(helm, ['lint', CHART_DIR, '--strict', ...IN_NS, ...args]);
      expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(result.stdout).not.toMatch(/\[(ERROR|WARNING)\]/);
      expect(result.status).toBe(0);
    }
  });

  it('renders with default values exactly what synthesize("kind") returns', () => {
    expectSameObjects(template(), synthesize('kind'));
  });

  it('renders with production values exactly what synthesize("production") returns', () => {
    const settings = parseSettings('production', { tls: { acmeEmail: TEST_EMAIL } });
    const rendered = template(['--values', valuesFile(helmValues(settings))]);
    expectSameObjects(rendered, synthesize('production', { tls: { acmeEmail: TEST_EMAIL } }));
  });

  it.each<[Profile, Record<string, string>]>([
    ['kind', { host: 'quotes.example.org', 'images.app.tag': '1.2.3', 'worker.maxReplicas': '7' }],
    ['kind', { 'app.replicas': '3', 'redis.storageSize': '2Gi', 'app.resources.limits.cpu': '2' }],
    [
      'production',
      {
        'tls.acmeEmail': 'ops@quotes.example.org',
        'tls.issuer': 'letsencrypt-production',
        'app.autoscaling.maxReplicas': '9',
        'images.worker.repository': 'registry.example.org/printq/worker',
      },
    ],
  ])('follows values like settings (%s, %j)', (profile, overrides) => {
    const settings = parseSettings(profile, overrides);
    const rendered = template(['--values', valuesFile(helmValues(settings))]);
    expectSameObjects(rendered, synthesize(profile, overrides));
  });

  it('never renders replicas for the worker Deployment, in any profile or value set', () => {
    const renders = [
      template(),
      template(['--set', 'worker.maxReplicas=12']),
      template([
        '--values',
        valuesFile(helmValues(parseSettings('production', { tls: { acmeEmail: TEST_EMAIL } }))),
      ]),
    ];
    for (const objects of renders) {
      const worker = objects.find(
        (o) => o.kind === 'Deployment' && o.metadata.name === NAMES.worker,
      );
      expect(worker?.spec).toBeDefined();
      expect(worker?.spec).not.toHaveProperty('replicas');
    }
  });

  it('generates the Redis password at install time; the chart holds no password', () => {
    const secrets = [template(), template()].map((objects) =>
      objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'printq-redis'),
    );
    const passwords = secrets.map((s) =>
      Buffer.from(String((s?.data as Record<string, string>).password), 'base64').toString(),
    );
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(passwords[0]).not.toBe(passwords[1]);
    expect(secrets[0]?.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    const chartText = Object.values(renderChart()).join('\n');
    expect(chartText).not.toMatch(/password:\s+(?!\{\{)\S/);
  });

  it.each([
    [
      ['--set', 'worker.minReplicas=5', '--set', 'worker.maxReplicas=2'],
      /worker\.maxReplicas: must be >= worker\.minReplicas/,
    ],
    [['--set', 'profile=production'], /tls\.acmeEmail: is required/],
    [['--set', 'host=Not_A_Host'], /\/host.*does not match pattern/],
    [['--set', 'worker.maxReplicas=0'], /\/worker\/maxReplicas/],
    [['--set', 'app.resources.limits.memory=lots'], /\/app\/resources\/limits\/memory/],
  ])('refuses bad values %j, naming the field', (args, message) => {
    const result = run(helm, ['template', 'printq', CHART_DIR, ...IN_NS, ...args]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it('refuses a release namespace other than printq instead of deploying into printq', () => {
    for (const namespace of ['other', 'default']) {
      const result = run(helm, ['template', 'x', CHART_DIR, '--namespace', namespace]);
      expect(result.status).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        `namespace: this chart deploys into namespace printq only (got --namespace ${namespace})`,
      );
      expect(result.stderr).toContain('install it with --namespace printq --create-namespace');
    }
    expect(run(helm, ['template', 'x', CHART_DIR, ...IN_NS]).status).toBe(0);
  });

  it('has a NOTES.txt saying how to reach the app', () => {
    const result = run(helm, ['install', 'printq', CHART_DIR, '--dry-run=client', ...IN_NS]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('https://printq.localtest.me/api/quotes');
    expect(result.stdout).toContain('kubectl -n printq port-forward svc/printq-app 8080:80');
  });

  it('passes literal {{ in manifest text through helm unchanged', () => {
    const dir = join(scratch, 'literal');
    mkdirSync(join(dir, 'templates'), { recursive: true });
    writeFileSync(
      join(dir, 'Chart.yaml'),
      Yaml.stringify({ apiVersion: 'v2', name: 'literal', version: CHART.version }),
    );
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  tpl: "{{ .Values.nope }} and {{end}}"\n';
    writeFileSync(join(dir, 'templates', 'cm.yaml'), escapeForHelm(text));
    const result = run(helm, ['template', 'x', dir]);
    expect(result.stderr).toBe('');
    expect(parseYamlStream(result.stdout)[0]?.data).toEqual({
      tpl: '{{ .Values.nope }} and {{end}}',
    });
  });
});
