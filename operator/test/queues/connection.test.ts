import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../test/helpers/ports.js';
import { RedisServer } from '../../../test/helpers/redis.js';
import { ErrorReason, MetricError } from '../../src/errors.js';
import {
  RedisConnection,
  RedisConnectionCache,
  type RedisConnectionSettings,
} from '../../src/queues/connection.js';
import { RedisListDepthReader } from '../../src/queues/redis-list.js';

// Real redis-server processes (one with a password, one with TLS); failures are produced
// by misconfiguring the client the way users do, never by faking errors.
const PASSWORD = 's3cret-pass';
let secured: RedisServer;
let tlsServer: RedisServer;
let tlsPort: number;
let certDir: string;
const opened: RedisConnection[] = [];

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'printq-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'),
  ], { stdio: 'ignore' }); // prettier-ignore
  secured = await RedisServer.start({ password: PASSWORD });
  tlsPort = await freePort();
  tlsServer = await RedisServer.start({
    args: [
      '--tls-port', String(tlsPort),
      '--tls-cert-file', join(certDir, 'cert.pem'),
      '--tls-key-file', join(certDir, 'key.pem'),
      '--tls-auth-clients', 'no',
    ], // prettier-ignore
  });
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((connection) => connection.close()));
});

afterAll(async () => {
  await secured.dispose();
  await tlsServer.dispose();
  rmSync(certDir, { recursive: true, force: true });
});

function connect(settings: Partial<RedisConnectionSettings>): RedisConnection {
  const connection = new RedisConnection(
    { host: '127.0.0.1', port: secured.port, password: PASSWORD, ...settings },
    { connectTimeoutMs: 1000, commandTimeoutMs: 500 },
  );
  opened.push(connection);
  return connection;
}

async function readFailure(connection: RedisConnection, key = 'celery'): Promise<MetricError> {
  const error = await new RedisListDepthReader(connection, { key }).readDepth().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(MetricError);
  return error as MetricError;
}

describe('RedisConnection failures carry a reason from the catalog', () => {
  it('reports a wrong password as RedisAuthFailed, a permanent error naming the Secret', async () => {
    const error = await readFailure(connect({ password: 'wrong' }));
    expect(error.reason).toBe(ErrorReason.RedisAuthFailed);
    expect(error.transient).toBe(false);
    expect(error.message).toMatch(/rejected the credentials.*Secret.*WRONGPASS/);
  });

  it('reports a missing password on a protected Redis as RedisAuthFailed (NOAUTH)', async () => {
    const error = await readFailure(connect({ password: undefined }));
    expect(error.reason).toBe(ErrorReason.RedisAuthFailed);
    expect(error.message).toMatch(/NOAUTH/);
  });

  it('reports a wrong user name as RedisAuthFailed', async () => {
    const error = await readFailure(connect({ username: 'nobody' }));
    expect(error.reason).toBe(ErrorReason.RedisAuthFailed);
  });

  it('reports a closed port as RedisConnectionRefused, a transient error', async () => {
    const error = await readFailure(connect({ port: await freePort() }));
    expect(error.reason).toBe(ErrorReason.RedisConnectionRefused);
    expect(error.transient).toBe(true);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('reports a Redis that stops answering as RedisTimeout', async () => {
    const connection = connect({});
    await new RedisListDepthReader(connection, { key: 'celery' }).readDepth();
    secured.cli('CLIENT', 'PAUSE', '1500', 'ALL');
    const error = await readFailure(connection);
    expect(error.reason).toBe(ErrorReason.RedisTimeout);
    await new Promise((resolve) => setTimeout(resolve, 1600));
  });

  it('reports TLS spoken to a plain-text port as a timeout that names the TLS handshake', async () => {
    const error = await readFailure(connect({ tls: {} }));
    expect(error.reason).toBe(ErrorReason.RedisTimeout);
    expect(error.message).toMatch(/TLS handshake: does this port speak TLS\?/);
  });

  it('reports plain text spoken to a TLS port as a failure, not a hang', async () => {
    const error = await readFailure(connect({ port: tlsPort, password: undefined }));
    expect(error.reason).toBe(ErrorReason.QueueReadFailed);
    expect(error.message).toMatch(/reset the connection: a TLS-only port/);
  });

  it('reports an untrusted server certificate as RedisTlsFailed', async () => {
    const error = await readFailure(connect({ port: tlsPort, password: undefined, tls: {} }));
    expect(error.reason).toBe(ErrorReason.RedisTlsFailed);
    expect(error.message).toMatch(/SELF_SIGNED|certificate/i);
  });

  it('reads over TLS when the CA is trusted', async () => {
    const ca = readFileSync(join(certDir, 'cert.pem'), 'utf8');
    tlsServer.cli('RPUSH', 'celery', 'a', 'b');
    const connection = connect({ port: tlsPort, password: undefined, tls: { ca } });
    const depth = await new RedisListDepthReader(connection, { key: 'celery' }).readDepth();
    expect(depth).toEqual({ backlog: 2, active: 0 });
  });

  it('reports a queue key of the wrong Redis type as QueueReadFailed naming the type clash', async () => {
    secured.cli('SET', 'not-a-list', 'x');
    const error = await readFailure(connect({}), 'not-a-list');
    expect(error.reason).toBe(ErrorReason.QueueReadFailed);
    expect(error.message).toMatch(/unexpected Redis type.*WRONGTYPE/);
  });

  it('recovers on the same connection after Redis restarts', async () => {
    const connection = connect({});
    const reader = new RedisListDepthReader(connection, { key: 'jobs' });
    secured.cli('RPUSH', 'jobs', '1');
    await expect(reader.readDepth()).resolves.toEqual({ backlog: 1, active: 0 });
    await secured.stop();
    expect((await readFailure(connection, 'jobs')).reason).toBe(ErrorReason.RedisConnectionRefused);
    await secured.start();
    await waitFor(() => reader.readDepth().then(() => true, () => false)); // prettier-ignore
    await expect(reader.readDepth()).resolves.toEqual({ backlog: 0, active: 0 });
  });
});

describe('RedisConnectionCache', () => {
  const settings = (): RedisConnectionSettings => ({
    host: '127.0.0.1',
    port: secured.port,
    password: PASSWORD,
  });

  it('shares one connection among scalers that reach the same Redis the same way', async () => {
    const cache = new RedisConnectionCache();
    const first = cache.get('ns/a', settings());
    expect(cache.get('ns/a', settings())).toBe(first);
    expect(cache.get('ns/b', settings())).toBe(first);
    expect(cache.get('ns/c', { ...settings(), db: 1 })).not.toBe(first);
    expect(cache.size).toBe(2);
    await cache.closeAll();
  });

  it('moves a scaler to a new connection when its Secret changes the password', async () => {
    const cache = new RedisConnectionCache();
    const old = cache.get('ns/a', { ...settings(), password: 'old' });
    const renewed = cache.get('ns/a', settings());
    expect(renewed).not.toBe(old);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(old.client.status).toMatch(/end|wait/);
    const depth = await new RedisListDepthReader(renewed, { key: 'x' }).readDepth();
    expect(depth.backlog).toBe(0);
    expect(cache.size).toBe(1);
    await cache.closeAll();
  });

  it('closes a shared connection only when its last scaler is released', async () => {
    const cache = new RedisConnectionCache();
    const shared = cache.get('ns/a', settings());
    cache.get('ns/b', settings());
    await new RedisListDepthReader(shared, { key: 'x' }).readDepth();
    await cache.release('ns/a');
    expect(shared.client.status).toBe('ready');
    await cache.release('ns/b');
    expect(cache.size).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(shared.client.status).toMatch(/end|close/);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met in time');
}
