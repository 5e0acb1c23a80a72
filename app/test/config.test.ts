import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { ConfigError, createLogger } from '@printq/shared';
import { RedisServer } from '../../test/helpers/redis.js';
import { buildApp } from '../src/server.js';
import { loadAppConfig } from '../src/config.js';

describe('loadAppConfig', () => {
  it('has the documented defaults', () => {
    expect(loadAppConfig({})).toMatchObject({
      PORT: 8080,
      ENQUEUE_DEADLINE_MS: 1000,
      MAX_UPLOAD_BYTES: 64 * 1024 * 1024,
      RESULT_TTL_SECONDS: 86_400,
      JOB_ATTEMPTS: 3,
      RETRY_AFTER_SECONDS: 2,
    });
  });

  it('names the invalid setting', () => {
    expect(() => loadAppConfig({ ENQUEUE_DEADLINE_MS: 'soon' })).toThrow(ConfigError);
    expect(() => loadAppConfig({ ENQUEUE_DEADLINE_MS: 'soon' })).toThrow(/ENQUEUE_DEADLINE_MS/);
    expect(() => loadAppConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
  });

  it('reads REDIS_PASSWORD from REDIS_PASSWORD_FILE and ignores unrelated *_FILE variables', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'printq-app-config-')), 'password');
    writeFileSync(file, 'hunter2\n');
    const config = loadAppConfig({
      REDIS_PASSWORD_FILE: file,
      TF_CLI_CONFIG_FILE: '/nonexistent/terraformrc',
    });
    expect(config.REDIS_PASSWORD).toBe('hunter2');
  });
});

describe('REDIS_URL', () => {
  it('refuses a database path that is not a number, naming REDIS_URL', () => {
    expect(() => loadAppConfig({ REDIS_URL: 'redis://127.0.0.1:6379/x' })).toThrow(
      /REDIS_URL: .*database number/,
    );
  });

  it('reaches a Redis listening on the IPv6 loopback through redis://[::1]:port', async () => {
    const redis = await RedisServer.start({ args: ['--bind', '127.0.0.1', '::1'] });
    const config = loadAppConfig({
      REDIS_URL: `redis://[::1]:${redis.port}/0`,
      LOG_LEVEL: 'silent',
    });
    const app = await buildApp(config, createLogger('config-test', { level: 'silent' }));
    try {
      const baseUrl = await app.server.listen({ host: '127.0.0.1', port: 0 });
      const deadline = Date.now() + 10_000;
      let status = 0;
      while (Date.now() < deadline && status !== 200) {
        status = (await fetch(`${baseUrl}/readyz`)).status;
        if (status !== 200) await sleep(50);
      }
      expect(status).toBe(200);
    } finally {
      await app.close();
      await redis.dispose();
    }
  });
});
