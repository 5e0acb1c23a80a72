import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ControlPlaneError, HarnessReason } from './errors.js';

/** PEM files of one throwaway cluster identity, all inside `dir`. */
export interface ClusterPki {
  caCert: string;
  caKey: string;
  /** Serving certificate of kube-apiserver, valid for 127.0.0.1, ::1 and localhost. */
  serverCert: string;
  serverKey: string;
  /** Client certificate in group system:masters: the cluster-admin of the tests. */
  adminCert: string;
  adminKey: string;
  /** Key pair that signs and verifies ServiceAccount tokens. */
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

/** The in-cluster names a real apiserver certificate carries, plus loopback for the tests. */
const SERVER_NAMES = [
  'IP:127.0.0.1',
  'IP:0:0:0:0:0:0:0:1',
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
];

const VALIDITY_DAYS = '7';

/**
 * Creates a CA, an apiserver serving certificate, an admin client certificate and the
 * ServiceAccount signing keys. node:crypto cannot issue X.509 certificates, hence openssl;
 * P-256 keys keep it to a few milliseconds per certificate.
 */
export function createClusterPki(dir: string): ClusterPki {
  const pki: ClusterPki = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPublicKey: join(dir, 'sa.pub'),
  };
  createCertificateAuthority(pki);
  issueCertificate(pki, {
    name: 'apiserver',
    subject: '/CN=kube-apiserver',
    extensions: [`subjectAltName=${SERVER_NAMES.join(',')}`, 'extendedKeyUsage=serverAuth'],
  });
  issueCertificate(pki, {
    name: 'admin',
    subject: '/O=system:masters/CN=printq-test-admin',
    extensions: ['extendedKeyUsage=clientAuth'],
  });
  createServiceAccountKeys(pki);
  return pki;
}

/** Base64 of a PEM file, as kubeconfig `*-data` fields want it. */
export function pemData(path: string): string {
  return readFileSync(path).toString('base64');
}

function createCertificateAuthority(pki: ClusterPki): void {
  openssl([
    'req',
    '-x509',
    '-new',
    '-nodes',
    ...ecKeyArgs(),
    '-keyout',
    pki.caKey,
    '-out',
    pki.caCert,
    '-days',
    VALIDITY_DAYS,
    '-subj',
    '/CN=printq-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

interface CertificateRequest {
  /** File stem inside the PKI directory: `<name>.crt`, `<name>.key`. */
  name: 'apiserver' | 'admin';
  subject: string;
  /** openssl extension lines; the leaf must not inherit CA:TRUE from a default config. */
  extensions: string[];
}

function issueCertificate(pki: ClusterPki, request: CertificateRequest): void {
  const dir = join(pki.caCert, '..');
  const key = join(dir, `${request.name}.key`);
  const csr = join(dir, `${request.name}.csr`);
  const extfile = join(dir, `${request.name}.ext`);
  writeFileSync(
    extfile,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      ...request.extensions,
    ]
      .map((line) => `${line}\n`)
      .join(''),
  );
  openssl([
    'req',
    '-new',
    '-nodes',
    ...ecKeyArgs(),
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    request.subject,
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    pki.caCert,
    '-CAkey',
    pki.caKey,
    '-set_serial',
    `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`,
    '-days',
    VALIDITY_DAYS,
    '-extfile',
    extfile,
    '-out',
    join(dir, `${request.name}.crt`),
  ]);
}

function createServiceAccountKeys(pki: ClusterPki): void {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileSync(pki.serviceAccountKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  writeFileSync(pki.serviceAccountPublicKey, publicKey.export({ type: 'spki', format: 'pem' }));
}

function ecKeyArgs(): string[] {
  return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
}

function openssl(args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  if (result.error) {
    throw new ControlPlaneError(
      HarnessReason.ToolMissing,
      `openssl is needed to create the test cluster's certificates: ${result.error.message}`,
      { cause: result.error },
    );
  }
  if (result.status !== 0) {
    throw new ControlPlaneError(
      HarnessReason.ComponentFailed,
      `openssl ${args[0]} failed (exit ${result.status}): ${result.stderr.trim()}`,
    );
  }
}
