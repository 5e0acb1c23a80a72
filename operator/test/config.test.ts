import { ConfigError } from '@printq/shared';
import { loadOperatorConfig } from '../src/config.js';

describe('loadOperatorConfig', () => {
  it('fills the documented defaults from an empty environment', () => {
    expect(loadOperatorConfig({})).toMatchObject({
      METRICS_PORT: 9090,
      LEASE_NAME: 'printq-operator',
      LEASE_NAMESPACE: 'default',
      LEASE_DURATION_MS: 15_000,
      LEASE_RENEW_DEADLINE_MS: 10_000,
      LEASE_RETRY_PERIOD_MS: 2_000,
      REDIS_CONNECT_TIMEOUT_MS: 1_000,
      LOG_LEVEL: 'info',
    });
    expect(loadOperatorConfig({}).WATCH_NAMESPACE).toBeUndefined();
  });

  it('names the setting when a renew deadline is not shorter than the lease', () => {
    expect(() =>
      loadOperatorConfig({ LEASE_DURATION_MS: '5000', LEASE_RENEW_DEADLINE_MS: '5000' }),
    ).toThrow(/LEASE_RENEW_DEADLINE_MS: .*shorter than LEASE_DURATION_MS/);
  });

  it('rejects a port that is not a number with a ConfigError naming METRICS_PORT', () => {
    expect(() => loadOperatorConfig({ METRICS_PORT: 'http' })).toThrow(ConfigError);
    expect(() => loadOperatorConfig({ METRICS_PORT: 'http' })).toThrow(/METRICS_PORT/);
  });
});

describe('loadOperatorConfig with an unrelated environment', () => {
  it('ignores *_FILE variables that are not operator settings', () => {
    const env = { TF_CLI_CONFIG_FILE: '/nonexistent/terraformrc', METRICS_PORT: '9100' };
    expect(loadOperatorConfig(env).METRICS_PORT).toBe(9100);
  });
});
