import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../src/config.js';

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  REDIS_PASSWORD: z.string().optional(),
});

describe('loadConfig', () => {
  it('applies defaults when a setting is unset or empty', () => {
    expect(loadConfig(schema, {}).PORT).toBe(8080);
    expect(loadConfig(schema, { PORT: '' }).PORT).toBe(8080);
  });

  it('reads a secret from the file named by NAME_FILE without its trailing newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'printq-config-'));
    const file = join(dir, 'password');
    writeFileSync(file, 's3cret\n');
    expect(loadConfig(schema, { REDIS_PASSWORD_FILE: file }).REDIS_PASSWORD).toBe('s3cret');
  });

  it('lets a direct variable override the mounted secret file', () => {
    expect(
      loadConfig(schema, { REDIS_PASSWORD: 'direct', REDIS_PASSWORD_FILE: '/nonexistent' })
        .REDIS_PASSWORD,
    ).toBe('direct');
  });

  it('names the setting when a value is invalid', () => {
    expect(() => loadConfig(schema, { PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadConfig(schema, { PORT: '70000' })).toThrow(/PORT:/);
  });

  it('names the variable when a secret file cannot be read', () => {
    expect(() => loadConfig(schema, { REDIS_PASSWORD_FILE: '/nonexistent/pw' })).toThrow(
      /REDIS_PASSWORD_FILE: cannot read secret file/,
    );
  });

  it('ignores *_FILE variables of settings it does not declare', () => {
    expect(loadConfig(schema, { TF_CLI_CONFIG_FILE: '/nonexistent/terraformrc' }).PORT).toBe(8080);
  });
});
