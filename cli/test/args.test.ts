import { DEFAULT_CERT_MANAGER_MANIFEST, parseCommandLine, parseSetFlags } from '../src/args.js';
import { CliError } from '../src/errors.js';

function usageError(argv: string[]): CliError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
}

describe('parseCommandLine', () => {
  it('applies the documented defaults to a bare `up`', () => {
    const options = parseCommandLine(['up']);
    expect(options).toMatchObject({
      command: 'up',
      release: 'printq',
      wait: true,
      timeoutMs: 300_000,
      atomic: false,
      forceConflicts: false,
      skipCertManager: false,
      certManagerManifest: DEFAULT_CERT_MANAGER_MANIFEST,
      overrides: {},
    });
    expect(options.profile).toBeUndefined();
  });

  it('reads repeated --set flags in order, the later value of a key winning', () => {
    const options = parseCommandLine([
      'upgrade',
      '--set',
      'images.app.tag=v2',
      '--set=worker.maxReplicas=8',
      '--set',
      'images.app.tag=v3',
    ]);
    expect(options.overrides).toEqual({ 'images.app.tag': 'v3', 'worker.maxReplicas': '8' });
  });

  it('keeps everything after the first = as the value', () => {
    expect(parseSetFlags(['tls.acmeEmail=a=b@example.com'])).toEqual({
      'tls.acmeEmail': 'a=b@example.com',
    });
  });

  it('rejects a --set without key=value as an invalid setting naming the flag', () => {
    expect(() => parseSetFlags(['images.app.tag'])).toThrow(
      /--set images\.app\.tag: expected key=value/,
    );
    expect(() => parseSetFlags(['=v2'])).toThrow(CliError);
  });

  it('parses --no-wait, --timeout durations and the rollback revision', () => {
    const options = parseCommandLine(['rollback', '3', '--no-wait', '--timeout', '90s']);
    expect(options).toMatchObject({
      command: 'rollback',
      revision: 3,
      wait: false,
      timeoutMs: 90_000,
    });
    expect(parseCommandLine(['up', '--timeout', '2m']).timeoutMs).toBe(120_000);
  });

  it('rejects options a command does not take, with exit code 3', () => {
    const error = usageError(['history', '--set', 'a=b']);
    expect(error.code).toBe('USAGE');
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('printq history does not take --set');
  });

  it('rejects unknown commands, profiles, revisions and malformed durations', () => {
    expect(usageError(['deploy']).message).toContain('unknown command "deploy"');
    expect(usageError(['up', '--profile', 'staging']).message).toContain('kind, production');
    expect(usageError(['rollback', 'latest']).message).toContain('positive integer');
    expect(usageError(['up', '--timeout', 'soon']).message).toContain('duration');
    expect(usageError(['up', '--wait', '--no-wait']).message).toContain('contradict');
    expect(usageError(['up', '--bogus']).code).toBe('USAGE');
  });

  it('requires release and namespace names to be DNS labels', () => {
    expect(usageError(['status', '--release', 'My_Release']).message).toContain('DNS label');
    expect(parseCommandLine(['status', '-n', 'team-a']).namespace).toBe('team-a');
  });

  it('treats no command and --help as help', () => {
    expect(parseCommandLine([]).command).toBe('help');
    expect(parseCommandLine(['up', '--help']).command).toBe('help');
  });

  it('marks a missing command, and keeps the command whose help was asked for', () => {
    expect(parseCommandLine([])).toMatchObject({ command: 'help', commandMissing: true });
    expect(parseCommandLine(['status', '--help'])).toMatchObject({
      command: 'help',
      helpTopic: 'status',
      commandMissing: false,
    });
    expect(parseCommandLine(['help', 'upgrade']).helpTopic).toBe('upgrade');
    expect(parseCommandLine(['--help']).helpTopic).toBeUndefined();
    expect(usageError(['help', 'nope']).message).toBe('unknown command "nope"');
  });

  it('rephrases parseArgs failures as one clean line with a hint to the command help', () => {
    const unknown = usageError(['status', '--x']);
    expect(unknown.code).toBe('USAGE');
    expect(unknown.message).toBe('unknown option --x');
    expect(unknown.hints).toEqual(['run printq status --help for the options']);
    expect(usageError(['up', '--x=1']).message).toBe('unknown option --x');
    expect(usageError(['up', '--profile']).message).toBe('option --profile needs a value');
    expect(usageError(['up', '--atomic=yes']).message).toBe('option --atomic takes no value');
    expect(usageError(['-q']).hints).toEqual(['run printq help for the options']);
  });
});
