/**
 * Every security choice of the deployment, in one place, each with its reason.
 * Constructs import these; cdk8s/README.md (SECURITY) explains them to readers.
 */
import type { k8s } from 'cdk8s-plus-33';

/**
 * Numeric UIDs, because the kubelet can only verify `runAsNonRoot` for numeric users, and
 * high ones (>= 10000) so they never match a user of the node. Our images create 10001; Redis
 * runs as 10001 too (we start it ourselves, its data volume is group-owned through fsGroup).
 * ingress-nginx keeps its image user `www-data` = 101 (group 82): its files are owned by it.
 */
export const UIDS = {
  printq: 10001,
  redis: 10001,
  ingressNginx: 101,
} as const;
export const GIDS = { printq: 10001, redis: 10001, ingressNginx: 82 } as const;

/**
 * Pod Security Admission labels for every namespace we create: `restricted` is enforced,
 * so the apiserver itself refuses any pod that loses one of the settings below.
 */
export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
};

/** Pod-level context: non-root by numeric UID, RuntimeDefault seccomp, fsGroup for volumes. */
export function podSecurityContext(uid: number, gid: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    // Volumes are tiny (emptyDirs, one PVC): recursive chown only when ownership differs.
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Container-level context. Read-only root filesystem: code cannot be replaced at run time,
 * and every writable path is an explicit emptyDir. No privilege escalation (no setuid, no
 * file capabilities), ALL capabilities dropped: none of our processes needs one, because
 * every port we listen on is above 1024 (ingress-nginx included, see INGRESS_PORTS).
 */
export function containerSecurityContext(uid: number, gid: number): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Service account tokens are mounted only where a process talks to the apiserver: the
 * operator and the ingress controller. App, worker and Redis never see a token.
 */
export const AUTOMOUNT_TOKEN = {
  app: false,
  worker: false,
  redis: false,
  operator: true,
  ingressController: true,
} as const;

/**
 * Unprivileged container ports for ingress-nginx. Binding 80/443 would need
 * NET_BIND_SERVICE through file capabilities, which `allowPrivilegeEscalation: false`
 * (no_new_privs) disables. The Service maps 80/443 to these.
 */
export const INGRESS_PORTS = { http: 8080, https: 8443, healthz: 10254, metrics: 10254 } as const;

/**
 * TLS at the edge. Protocols: TLS 1.2 and 1.3 only (1.0/1.1 are deprecated by RFC 8996).
 * Ciphers (TLS 1.2): ECDHE key exchange with AEAD ciphers only (AES-GCM, ChaCha20-Poly1305),
 * so every session has forward secrecy. Choice: ECDHE-only, no finite-field DHE, so no DH
 * parameter file is needed and no weak DH group can be negotiated. TLS 1.3 suites are fixed
 * by OpenSSL and all strong. Curves: X25519 first, then P-256 and P-384.
 */
export const TLS_POLICY = {
  protocols: 'TLSv1.2 TLSv1.3',
  ciphers: [
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  ecdhCurve: 'X25519:prime256v1:secp384r1',
  // Both kinds of client ciphers are strong; let modern clients pick (ChaCha on mobiles).
  preferServerCiphers: 'false',
} as const;

/**
 * Response headers added by the ingress for every host: no MIME sniffing, no framing
 * (clickjacking), no referrer leaks to other origins. The API serves JSON only, so a
 * locked-down CSP costs nothing.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

/** One year, with subdomains; only emitted when certificates are trusted (see hstsEnabled). */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

/**
 * ingress-nginx settings that close known holes: snippet annotations off (CVE-2025-1974 and
 * earlier config-injection CVEs), annotation risk limited to Critical-free, no server
 * version in headers or error pages.
 */
export const INGRESS_HARDENING: Readonly<Record<string, string>> = {
  'allow-snippet-annotations': 'false',
  'annotations-risk-level': 'High',
  'strict-validate-path-type': 'true',
  'server-tokens': 'false',
  'hide-headers': 'X-Powered-By,Server',
};

/**
 * Redis: a password from a Secret that is generated at deploy time (never in git or in the
 * chart), AOF on so accepted jobs survive a restart, and `noeviction` because any eviction
 * policy silently drops queued jobs when memory runs out.
 */
export const REDIS_POLICY = {
  maxmemoryPolicy: 'noeviction',
  appendonly: 'yes',
} as const;

/** A scanner finding we accept, with the reason. */
export interface ScanException {
  readonly check: string;
  readonly reason: string;
}

/**
 * Checkov checks skipped for every object. Everything else must pass (checkov offline reports
 * no severities, so we hold every check to zero failures rather than only the high ones).
 */
export const GLOBAL_SCAN_EXCEPTIONS: readonly ScanException[] = [
  {
    check: 'CKV_K8S_15',
    reason:
      'imagePullPolicy Always breaks images loaded with `kind load`; tags are immutable ' +
      'release versions (or digests), so IfNotPresent cannot run a stale image',
  },
  {
    check: 'CKV_K8S_43',
    reason:
      'printq images are built locally and loaded into kind, they have no registry digest ' +
      'before a release; third-party images can carry one in their tag setting ' +
      '(ingress-nginx does by default)',
  },
];

/** Per-object exceptions, written as `checkov.io/skipN` annotations on the object itself. */
export const SCAN_EXCEPTIONS = {
  apiserverClient: {
    check: 'CKV_K8S_38',
    reason: 'talks to the apiserver, so it needs its token; RBAC limits what the token can do',
  },
  ingressImageUser: {
    check: 'CKV_K8S_40',
    reason: 'the ingress-nginx image owns its files as www-data (101); a random UID breaks it',
  },
} as const satisfies Record<string, ScanException>;

/** `checkov.io/skipN` annotations for an object. */
export function scanSkipAnnotations(exceptions: readonly ScanException[]): Record<string, string> {
  return Object.fromEntries(
    exceptions.map((e, index) => [`checkov.io/skip${index + 1}`, `${e.check}=${e.reason}`]),
  );
}
