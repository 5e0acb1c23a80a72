import { CA, NAMES, TLS_SECRET, synthesize, type ManifestObject } from '../src/index.js';
import { ACME_SERVERS } from '../src/constructs/certificates.js';
import { find, objectsOf, TEST_EMAIL } from './helpers/manifests.js';

const certManagerObjects = (objects: ManifestObject[]) =>
  objects.filter((o) => o.apiVersion === 'cert-manager.io/v1');

describe('kind certificates', () => {
  const objects = objectsOf('kind');

  it('chain a self-signed issuer, a CA certificate and a CA issuer to the app certificate', () => {
    expect(find(objects, 'ClusterIssuer', CA.selfSignedIssuer).spec).toEqual({ selfSigned: {} });
    const root = find(objects, 'Certificate', CA.rootCertificate);
    expect(root.metadata.namespace).toBe('cert-manager');
    expect(root.spec).toMatchObject({
      isCA: true,
      secretName: CA.rootSecret,
      issuerRef: { kind: 'ClusterIssuer', name: CA.selfSignedIssuer },
    });
    expect(find(objects, 'ClusterIssuer', CA.caIssuer).spec).toEqual({
      ca: { secretName: CA.rootSecret },
    });
    const leaf = find(objects, 'Certificate', NAMES.app);
    expect(leaf.spec).toMatchObject({
      secretName: TLS_SECRET,
      dnsNames: ['printq.localtest.me'],
      issuerRef: { kind: 'ClusterIssuer', name: CA.caIssuer },
    });
  });

  it('creates no ACME issuer', () => {
    expect(certManagerObjects(objects).some((o) => JSON.stringify(o.spec).includes('acme'))).toBe(
      false,
    );
  });
});

describe('production certificates', () => {
  const objects = objectsOf('production');

  it('define Let’s Encrypt staging and production issuers solving HTTP-01 through nginx', () => {
    for (const [name, server] of Object.entries(ACME_SERVERS)) {
      expect(find(objects, 'ClusterIssuer', name).spec).toEqual({
        acme: expect.objectContaining({
          server,
          email: TEST_EMAIL,
          privateKeySecretRef: { name: `${name}-account-key` },
          solvers: [
            { http01: { ingress: expect.objectContaining({ ingressClassName: 'nginx' }) } },
          ],
        }),
      });
    }
  });

  it('sign the app certificate with staging unless told otherwise', () => {
    expect(find(objects, 'Certificate', NAMES.app).spec).toMatchObject({
      issuerRef: { name: 'letsencrypt-staging' },
    });
    const prod = synthesize('production', {
      tls: { acmeEmail: TEST_EMAIL, issuer: 'letsencrypt-production' },
    });
    expect(find(prod, 'Certificate', NAMES.app).spec).toMatchObject({
      issuerRef: { name: 'letsencrypt-production' },
    });
  });

  it('use the configured host name', () => {
    const objects = synthesize('production', {
      tls: { acmeEmail: TEST_EMAIL },
      host: 'quotes.example.org',
    });
    expect(find(objects, 'Certificate', NAMES.app).spec).toMatchObject({
      dnsNames: ['quotes.example.org'],
    });
    expect(JSON.stringify(find(objects, 'Ingress', NAMES.app).spec)).toContain(
      'quotes.example.org',
    );
  });

  it('create no self-signed CA', () => {
    expect(objects.some((o) => o.metadata.name === CA.rootCertificate)).toBe(false);
  });
});
