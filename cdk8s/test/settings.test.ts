import { PROFILE_DEFAULTS, SettingsError, parseSettings, synthesize } from '../src/index.js';

function errorOf(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('parseSettings', () => {
  it('accepts the kind defaults as they are', () => {
    expect(parseSettings('kind')).toEqual(PROFILE_DEFAULTS.kind);
  });

  it('requires an ACME e-mail for production and names tls.acmeEmail', () => {
    const error = errorOf(() => parseSettings('production'));
    expect(error.issues).toEqual([expect.stringMatching(/^tls\.acmeEmail: is required/)]);
    expect(error.message).toContain('tls.acmeEmail');
  });

  it('rejects worker.maxReplicas below worker.minReplicas, naming the field', () => {
    const error = errorOf(() =>
      parseSettings('kind', { worker: { minReplicas: 5, maxReplicas: 2 } }),
    );
    expect(error.issues).toEqual(['worker.maxReplicas: must be >= worker.minReplicas (5)']);
  });

  it.each(['Printq.Example.com', 'bad_host', '-lead.example.com', 'a..b', ''])(
    'rejects the host name %j, naming host',
    (host) => {
      const error = errorOf(() => parseSettings('kind', { host }));
      expect(error.issues).toEqual([expect.stringMatching(/^host: must be a lower-case RFC 1123/)]);
    },
  );

  it('rejects an e-mail that is not one', () => {
    const error = errorOf(() => parseSettings('production', { tls: { acmeEmail: 'nobody' } }));
    expect(error.issues).toEqual([expect.stringMatching(/^tls\.acmeEmail: must be an e-mail/)]);
  });

  it('reads flat dotted string overrides as a CLI passes them, coercing numbers', () => {
    const settings = parseSettings('kind', {
      'worker.maxReplicas': '9',
      'worker.minReplicas': '1',
      host: 'quotes.example.org',
      'images.app.tag': '1.2.3',
    });
    expect(settings.worker).toMatchObject({ minReplicas: 1, maxReplicas: 9 });
    expect(settings.host).toBe('quotes.example.org');
    expect(settings.images.app).toEqual({ repository: 'printq/app', tag: '1.2.3' });
  });

  it('names a non-numeric flat override', () => {
    const error = errorOf(() => parseSettings('kind', { 'worker.maxReplicas': 'many' }));
    expect(error.issues[0]).toMatch(/^worker\.maxReplicas: /);
  });

  it('keeps the profile from the argument, not from overrides', () => {
    const settings = parseSettings('kind', { profile: 'production' } as never);
    expect(settings.profile).toBe('kind');
  });

  it('refuses the kind CA issuer in production and ACME issuers in kind', () => {
    expect(
      errorOf(() =>
        parseSettings('production', { tls: { issuer: 'printq-ca', acmeEmail: 'a@b.io' } }),
      ).issues,
    ).toEqual([expect.stringMatching(/^tls\.issuer: /)]);
    expect(
      errorOf(() => parseSettings('kind', { tls: { issuer: 'letsencrypt-staging' } })).issues,
    ).toEqual([expect.stringMatching(/^tls\.issuer: /)]);
  });

  it('rejects an unknown profile', () => {
    expect(errorOf(() => parseSettings('staging' as never)).issues[0]).toMatch(/^profile: /);
  });

  it('makes synthesize fail with the same named error', () => {
    expect(() =>
      synthesize('kind', {
        'app.autoscaling.enabled': 'true',
        'app.autoscaling.minReplicas': '4',
        'app.autoscaling.maxReplicas': '2',
      }),
    ).toThrow(/app\.autoscaling\.maxReplicas: must be >= app\.autoscaling\.minReplicas/);
  });
});
