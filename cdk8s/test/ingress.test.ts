import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { NAMES, TLS_SECRET, synthesize } from '../src/index.js';
import { INGRESS_PORTS } from '../src/security.js';
import { BOTH, find, objectsOf, type PodSpec } from './helpers/manifests.js';
import { REPO_ROOT } from './helpers/tools.js';

const controllerConfig = (objects = objectsOf('kind')) =>
  find(objects, 'ConfigMap', NAMES.ingressController).data as Record<string, string>;
const controllerPod = (objects = objectsOf('kind')) =>
  (find(objects, 'Deployment', NAMES.ingressController).spec as { template: { spec: PodSpec } })
    .template.spec;

describe('HSTS', () => {
  it('is off in kind, where the certificate comes from a local CA', () => {
    expect(controllerConfig(objectsOf('kind')).hsts).toBe('false');
  });

  it('is off in production while the certificate is from Let’s Encrypt staging', () => {
    expect(controllerConfig(objectsOf('production')).hsts).toBe('false');
  });

  it('is on in production with the production issuer, for a year', () => {
    const objects = synthesize('production', {
      tls: { acmeEmail: 'ops@printq.test', issuer: 'letsencrypt-production' },
    });
    expect(controllerConfig(objects)).toMatchObject({ hsts: 'true', 'hsts-max-age': '31536000' });
  });
});

describe.each(BOTH)('ingress-nginx (%s profile)', (profile) => {
  const objects = objectsOf(profile);
  const config = controllerConfig(objects);

  it('allows TLS 1.2 and 1.3 only, with ECDHE AEAD ciphers only', () => {
    expect(config['ssl-protocols']).toBe('TLSv1.2 TLSv1.3');
    const ciphers = (config['ssl-ciphers'] ?? '').split(':');
    expect(ciphers.length).toBeGreaterThan(0);
    for (const cipher of ciphers)
      expect(cipher).toMatch(
        /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/,
      );
    expect(config['ssl-ecdh-curve']).toMatch(/^X25519:/);
    expect(config).not.toHaveProperty('ssl-dh-param');
  });

  it('keeps snippet annotations disabled and hides the server version', () => {
    expect(config).toMatchObject({
      'allow-snippet-annotations': 'false',
      'server-tokens': 'false',
    });
  });

  it('adds nosniff, frame and referrer headers to every response', () => {
    const [ns, name] = (config['add-headers'] ?? '').split('/');
    const headers = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.namespace === ns && o.metadata.name === name,
    );
    expect(headers?.data).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
    });
  });

  it('pins the controller image with a digest and runs no admission webhook', () => {
    const container = controllerPod(objects).containers[0];
    expect(container?.image).toMatch(
      /^registry\.k8s\.io\/ingress-nginx\/controller:v\d+\.\d+\.\d+@sha256:[a-f0-9]{64}$/,
    );
    expect(container?.args?.some((a) => a.startsWith('--validating-webhook'))).toBe(false);
    expect(container?.args).toContain(`--watch-namespace=printq`);
  });

  it('listens on unprivileged ports so no capability is needed', () => {
    const args = controllerPod(objects).containers[0]?.args ?? [];
    expect(args).toEqual(
      expect.arrayContaining([
        `--http-port=${INGRESS_PORTS.http}`,
        `--https-port=${INGRESS_PORTS.https}`,
      ]),
    );
  });

  it('routes the host to the app with the cert-manager TLS secret', () => {
    const ingress = find(objects, 'Ingress', NAMES.app);
    expect(ingress.spec).toMatchObject({
      ingressClassName: 'nginx',
      tls: [{ secretName: TLS_SECRET }],
      rules: [
        {
          http: { paths: [{ backend: { service: { name: NAMES.app, port: { name: 'http' } } } }] },
        },
      ],
    });
    const ingressClass = find(objects, 'IngressClass', 'nginx');
    expect(ingressClass.spec).toEqual({ controller: 'k8s.io/ingress-nginx' });
  });
});

describe('the kind variant', () => {
  it('runs the controller on the node labelled ingress-ready=true', () => {
    expect(controllerPod().nodeSelector).toMatchObject({ 'ingress-ready': 'true' });
    expect(controllerPod(objectsOf('production')).nodeSelector).not.toHaveProperty('ingress-ready');
  });

  it('exposes fixed NodePorts that kind-config.yaml maps to host ports 80 and 443', () => {
    const service = find(objectsOf('kind'), 'Service', NAMES.ingressController);
    const ports = service.spec as { type: string; ports: { port: number; nodePort: number }[] };
    expect(ports.type).toBe('NodePort');
    const kindConfig = parse(readFileSync(join(REPO_ROOT, 'kind-config.yaml'), 'utf8')) as {
      nodes: {
        role: string;
        labels?: Record<string, string>;
        extraPortMappings: { containerPort: number; hostPort: number }[];
      }[];
    };
    const node = kindConfig.nodes.find((n) => n.labels?.['ingress-ready'] === 'true');
    expect(node?.role).toBe('control-plane');
    const mapped = Object.fromEntries(
      (node?.extraPortMappings ?? []).map((m) => [m.hostPort, m.containerPort]),
    );
    for (const { port, nodePort } of ports.ports) expect(mapped[port]).toBe(nodePort);
  });

  it('uses a LoadBalancer in production', () => {
    const service = find(objectsOf('production'), 'Service', NAMES.ingressController);
    expect((service.spec as { type: string }).type).toBe('LoadBalancer');
  });
});
