import { Construct } from 'constructs';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
} from '../../imports/cert-manager-certificates-cert-manager.io.js';
import {
  ClusterIssuer,
  type ClusterIssuerSpecAcmeSolversHttp01IngressPodTemplate,
} from '../../imports/cert-manager-clusterissuers-cert-manager.io.js';
import { PART_OF, labelsFor, type BuildContext } from '../context.js';
import { CA, NAMES, TLS_SECRET } from '../names.js';
import type { IssuerName } from '../settings.js';

/** ACME directories of Let's Encrypt. Staging first: production has strict rate limits. */
export const ACME_SERVERS = {
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
  'letsencrypt-production': 'https://acme-v02.api.letsencrypt.org/directory',
} as const;

const ecdsaKey = {
  algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
  size: 256,
  rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
};

// HTTP-01 solver pods run in the app's namespace, which enforces Pod Security restricted.
const solverPodTemplate: ClusterIssuerSpecAcmeSolversHttp01IngressPodTemplate = {
  spec: {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  },
};

/**
 * cert-manager objects. kind: SelfSigned ClusterIssuer → root CA Certificate (isCA, in
 * cert-manager's namespace) → CA ClusterIssuer → the app's Certificate, so HTTPS works right
 * after deploy. production: Let's Encrypt staging and production ACME issuers (HTTP-01 through
 * the nginx IngressClass) and the app's Certificate from the issuer settings choose.
 */
export class Certificates extends Construct {
  constructor(scope: Construct, id: string, ctx: BuildContext) {
    super(scope, id);
    if (ctx.settings.profile === 'kind') this.addKindCa(ctx);
    else this.addAcmeIssuers(ctx);
    this.addAppCertificate(ctx);
  }

  private addKindCa({ settings }: BuildContext): void {
    const labels = { 'app.kubernetes.io/part-of': PART_OF };
    new ClusterIssuer(this, 'selfsigned', {
      metadata: { name: CA.selfSignedIssuer, labels },
      spec: { selfSigned: {} },
    });
    new Certificate(this, 'root-ca', {
      metadata: { name: CA.rootCertificate, namespace: settings.certManagerNamespace, labels },
      spec: {
        // Without isCA the CA issuer never becomes Ready.
        isCa: true,
        commonName: 'printq local CA',
        secretName: CA.rootSecret,
        duration: '87600h',
        privateKey: ecdsaKey,
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: CA.selfSignedIssuer },
      },
    });
    new ClusterIssuer(this, 'ca', {
      metadata: { name: CA.caIssuer, labels },
      spec: { ca: { secretName: CA.rootSecret } },
    });
  }

  private addAcmeIssuers({ settings, values }: BuildContext): void {
    const labels = { 'app.kubernetes.io/part-of': PART_OF };
    const email = settings.tls.acmeEmail ?? '';
    for (const [name, server] of Object.entries(ACME_SERVERS)) {
      const issuer = new ClusterIssuer(this, name, {
        metadata: { name, labels },
        spec: {
          acme: {
            server,
            email,
            privateKeySecretRef: { name: `${name}-account-key` },
            solvers: [
              {
                http01: {
                  ingress: { ingressClassName: NAMES.ingressClass, podTemplate: solverPodTemplate },
                },
              },
            ],
          },
        },
      });
      values.bindValue(issuer, '/spec/acme/email', 'tls.acmeEmail');
    }
  }

  private addAppCertificate({ settings, values }: BuildContext): void {
    const issuer: IssuerName = settings.tls.issuer;
    const certificate = new Certificate(this, 'app', {
      metadata: {
        name: NAMES.app,
        namespace: settings.namespace,
        labels: labelsFor(NAMES.app, 'api'),
      },
      spec: {
        secretName: TLS_SECRET,
        dnsNames: [settings.host],
        privateKey: ecdsaKey,
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: issuer },
      },
    });
    values.bindValue(certificate, '/spec/dnsNames/0', 'host');
    if (settings.profile === 'production') {
      values.bindValue(certificate, '/spec/issuerRef/name', 'tls.issuer');
    }
  }
}
