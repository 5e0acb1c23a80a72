/** Object names and ports other programs (CLI, e2e harness) rely on. Changing one is a migration. */
export const NAMES = {
  app: 'printq-app',
  worker: 'printq-worker',
  redis: 'printq-redis',
  operator: 'printq-operator',
  ingressController: 'ingress-nginx-controller',
  ingressClass: 'nginx',
  workerScaler: 'printq-worker',
} as const;

/** Container ports; the programs read them from PORT / METRICS_PORT. */
export const PORTS = {
  app: 8080,
  workerMetrics: 9091,
  operatorMetrics: 9090,
  redis: 6379,
} as const;

/**
 * The Redis password Secret. It is never synthesized into dist/ (so never in git): the CLI
 * or `kubectl create secret` creates it at deploy time; the chart generates it on first
 * install and keeps it on upgrades (see charts/printq/templates/redis-secret.yaml).
 */
export const REDIS_SECRET = { name: 'printq-redis', key: 'password' } as const;

/** Where the password file is mounted; programs get REDIS_PASSWORD_FILE pointing here. */
export const REDIS_PASSWORD_DIR = '/var/run/secrets/printq/redis';
export const REDIS_PASSWORD_FILE = `${REDIS_PASSWORD_DIR}/${REDIS_SECRET.key}`;

/** TLS Secret of the app's certificate, written by cert-manager. */
export const TLS_SECRET = 'printq-tls';

/** kind CA chain (kind profile): self-signed root in cert-manager's namespace. */
export const CA = {
  selfSignedIssuer: 'printq-selfsigned',
  rootCertificate: 'printq-root-ca',
  rootSecret: 'printq-root-ca',
  caIssuer: 'printq-ca',
} as const;
