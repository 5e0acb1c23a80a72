import { parseArgs } from 'node:util';
import { CliError } from './errors.js';
import { parseDurationMs } from './time.js';

export const COMMANDS = [
  'up',
  'upgrade',
  'diff',
  'history',
  'rollback',
  'status',
  'down',
  'help',
] as const;
export type CommandName = (typeof COMMANDS)[number];
export const PROFILES = ['kind', 'production'] as const;
export type ProfileName = (typeof PROFILES)[number];

/** The pinned cert-manager release `printq up` installs when its CRDs are missing. */
export const CERT_MANAGER_VERSION = 'v1.21.2';
export const DEFAULT_CERT_MANAGER_MANIFEST = `https://github.com/cert-manager/cert-manager/releases/download/${CERT_MANAGER_VERSION}/cert-manager.yaml`;

/** Everything a command may read from the command line, already validated. */
export interface CommandOptions {
  command: CommandName;
  /** `help`: the command whose help was asked for (`printq up --help`, `printq help up`). */
  helpTopic?: Exclude<CommandName, 'help'>;
  /** `help`: no command was given at all, a usage error that still shows the help. */
  commandMissing: boolean;
  /** Release name: labels, record Secrets. @default printq */
  release: string;
  /** Release namespace (also the app's `namespace` setting on up/upgrade). @default printq */
  namespace?: string;
  kubeconfigPath?: string;
  context?: string;
  /** @default kind on first install, the recorded profile afterwards */
  profile?: ProfileName;
  /** `--set key=value` pairs in order; a later key wins. */
  overrides: Record<string, string>;
  /** Upgrade from profile defaults instead of the recorded overrides. @default false */
  resetValues: boolean;
  /** Wait for rollouts. @default true */
  wait: boolean;
  /** Rollout (and cert-manager webhook) wait limit. @default 300000 */
  timeoutMs: number;
  atomic: boolean;
  forceConflicts: boolean;
  /** Take over a release left pending by an interrupted run. @default false */
  forceUnlock: boolean;
  certManagerManifest: string;
  skipCertManager: boolean;
  deleteData: boolean;
  deleteCrds: boolean;
  keepHistory: boolean;
  /** rollback target; undefined means the revision before the current one. */
  revision?: number;
  /** `diff` prints only the summary lines. @default false */
  summaryOnly: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/;

const OPTION_SPEC = {
  profile: { type: 'string' },
  set: { type: 'string', multiple: true },
  'reset-values': { type: 'boolean' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  release: { type: 'string' },
  wait: { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  timeout: { type: 'string' },
  atomic: { type: 'boolean' },
  'force-conflicts': { type: 'boolean' },
  'force-unlock': { type: 'boolean' },
  'cert-manager-manifest': { type: 'string' },
  'skip-cert-manager': { type: 'boolean' },
  'delete-data': { type: 'boolean' },
  'delete-crds': { type: 'boolean' },
  'keep-history': { type: 'boolean' },
  summary: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which options each command accepts beyond the cluster-selection ones. */
export const COMMAND_OPTIONS: Record<CommandName, readonly string[]> = {
  up: [
    'profile',
    'set',
    'wait',
    'no-wait',
    'timeout',
    'atomic',
    'force-conflicts',
    'force-unlock',
    'cert-manager-manifest',
    'skip-cert-manager',
  ],
  upgrade: [
    'profile',
    'set',
    'reset-values',
    'wait',
    'no-wait',
    'timeout',
    'atomic',
    'force-conflicts',
    'force-unlock',
  ],
  diff: ['profile', 'set', 'reset-values', 'summary'],
  history: [],
  rollback: ['wait', 'no-wait', 'timeout', 'force-conflicts', 'force-unlock'],
  status: [],
  down: ['delete-data', 'delete-crds', 'keep-history'],
  help: [],
};
export const COMMON_OPTIONS = ['context', 'kubeconfig', 'namespace', 'release', 'help'];

export function parseCommandLine(argv: readonly string[]): CommandOptions {
  let parsed;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw parseError(error, commandIn(argv));
  }
  const { values, positionals } = parsed;
  const named = positionals[0];
  if (named !== undefined && !isCommand(named)) throw usage(`unknown command "${named}"`);
  if (values.help || named === undefined || named === 'help') {
    return helpOptions(named === 'help' ? positionals[1] : named, named === undefined);
  }
  const command: CommandName = named;
  checkAllowed(command, Object.keys(values));
  checkPositionals(command, positionals.slice(1));
  return toOptions(command, values, positionals[1]);
}

type OptionValues = ReturnType<typeof parseOptions>['values'];

function parseOptions(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTION_SPEC, allowPositionals: true, strict: true });
}

function toOptions(
  command: CommandName,
  values: OptionValues,
  revision: string | undefined,
): CommandOptions {
  return {
    command,
    commandMissing: false,
    release: dnsLabel('--release', values.release ?? 'printq'),
    namespace:
      values.namespace === undefined ? undefined : dnsLabel('--namespace', values.namespace),
    kubeconfigPath: values.kubeconfig,
    context: values.context,
    profile: profileOf(values.profile),
    overrides: parseSetFlags(values.set ?? []),
    resetValues: values['reset-values'] ?? false,
    wait: waitOf(values.wait, values['no-wait']),
    timeoutMs: timeoutOf(values.timeout),
    atomic: values.atomic ?? false,
    forceConflicts: values['force-conflicts'] ?? false,
    forceUnlock: values['force-unlock'] ?? false,
    certManagerManifest: values['cert-manager-manifest'] ?? DEFAULT_CERT_MANAGER_MANIFEST,
    skipCertManager: values['skip-cert-manager'] ?? false,
    deleteData: values['delete-data'] ?? false,
    deleteCrds: values['delete-crds'] ?? false,
    keepHistory: values['keep-history'] ?? false,
    revision: command === 'rollback' ? revisionOf(revision) : undefined,
    summaryOnly: values.summary ?? false,
  };
}

/**
 * `--set a.b=c` pairs into a flat map. The value is kept as text: the settings schema coerces
 * numbers and booleans and names the field when a value is wrong.
 */
export function parseSetFlags(pairs: readonly string[]): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const key = equals === -1 ? '' : pair.slice(0, equals).trim();
    if (!/^[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)*$/.test(key)) {
      throw new CliError(
        'INVALID_SETTING',
        `--set ${pair}: expected key=value with a dotted key such as images.app.tag=v2`,
      );
    }
    overrides[key] = pair.slice(equals + 1);
  }
  return overrides;
}

function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}

/** The first known command word, so a parse error can point at that command's help. */
function commandIn(argv: readonly string[]): CommandName | undefined {
  return argv.find((word): word is CommandName => isCommand(word) && word !== 'help');
}

function helpOptions(topic: string | undefined, commandMissing: boolean): CommandOptions {
  if (topic !== undefined && (!isCommand(topic) || topic === 'help')) {
    throw usage(`unknown command "${topic}"`);
  }
  return { ...toOptions('help', {}, undefined), helpTopic: topic, commandMissing };
}

/** node:util's parseArgs messages, rephrased into printq's one-line form. */
function parseError(error: unknown, command: CommandName | undefined): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]*)/.exec(message)?.[1] ?? '';
  const hints = [`run printq ${command ? `${command} --help` : 'help'} for the options`];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return new CliError('USAGE', `unknown option ${option}`, { hints });
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && message.includes('argument missing')) {
    return new CliError('USAGE', `option ${option} needs a value`, { hints });
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return new CliError('USAGE', `option ${option} takes no value`, { hints });
  }
  return new CliError('USAGE', message, { hints });
}

function checkAllowed(command: CommandName, given: readonly string[]): void {
  const allowed = new Set([...COMMON_OPTIONS, ...COMMAND_OPTIONS[command]]);
  const rejected = given.filter((name) => !allowed.has(name));
  if (rejected.length > 0) {
    throw new CliError(
      'USAGE',
      `printq ${command} does not take ${rejected.map((name) => `--${name}`).join(', ')}`,
      { hints: [`run printq ${command} --help for its options`] },
    );
  }
}

function checkPositionals(command: CommandName, extra: readonly string[]): void {
  const max = command === 'rollback' ? 1 : 0;
  if (extra.length > max) throw usage(`unexpected argument "${extra[max]}" for printq ${command}`);
}

function profileOf(value: string | undefined): ProfileName | undefined {
  if (value === undefined) return undefined;
  if (!(PROFILES as readonly string[]).includes(value)) {
    throw usage(`--profile must be one of ${PROFILES.join(', ')} (got "${value}")`);
  }
  return value as ProfileName;
}

function waitOf(wait: boolean | undefined, noWait: boolean | undefined): boolean {
  if (wait && noWait) throw usage('--wait and --no-wait contradict each other');
  return !noWait;
}

function timeoutOf(value: string | undefined): number {
  if (value === undefined) return 300_000;
  const ms = parseDurationMs(value);
  if (ms === undefined || ms <= 0)
    throw usage(`--timeout ${value}: expected a duration such as 90s or 5m`);
  return ms;
}

function revisionOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value))
    throw usage(`revision must be a positive integer (got "${value}")`);
  return Number(value);
}

function dnsLabel(flag: string, value: string): string {
  if (!DNS_LABEL.test(value)) {
    throw usage(`${flag} ${value}: must be a lower-case DNS label of at most 53 characters`);
  }
  return value;
}

function usage(message: string): CliError {
  return new CliError('USAGE', message, { hints: ['run printq help for usage'] });
}
