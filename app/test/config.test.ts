import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@printq/shared';
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
