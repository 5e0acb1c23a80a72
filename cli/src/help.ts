import type { CommandName } from './args.js';
import { COMMAND_OPTIONS, COMMON_OPTIONS } from './args.js';
import { DIFF_EXIT, ERRORS } from './errors.js';

type HelpTopic = Exclude<CommandName, 'help'>;

interface CommandHelp {
  usage: string;
  summary: string;
  example: string;
}

const COMMAND_HELP: Record<HelpTopic, CommandHelp> = {
  up: {
    usage: 'printq up [options]',
    summary: 'install or upgrade: cert-manager if missing, then all of printq; records a revision',
    example: 'printq up --profile kind --context kind-printq',
  },
  diff: {
    usage: 'printq diff [options]',
    summary: `what an upgrade would change (server-side dry run); exit ${DIFF_EXIT.noChanges} none, ${DIFF_EXIT.changes} changes, ${DIFF_EXIT.error} error`,
    example: 'printq diff --set images.app.tag=v2',
  },
  upgrade: {
    usage: 'printq upgrade [options]',
    summary: 'apply a new revision, prune what it dropped, record it',
    example: 'printq upgrade --set images.app.tag=v2 --atomic',
  },
  history: {
    usage: 'printq history [options]',
    summary: 'list the recorded revisions',
    example: 'printq history --release printq -n printq',
  },
  rollback: {
    usage: 'printq rollback [REV] [options]',
    summary: 're-apply revision REV (default: the one before the current) as a new revision',
    example: 'printq rollback 3 --timeout 90s',
  },
  status: {
    usage: 'printq status [options]',
    summary: 'the current revision and the state of its workloads',
    example: 'printq status --context kind-printq',
  },
  down: {
    usage: 'printq down [options]',
    summary: 'delete the release (keeps PVCs, namespaces and CRDs unless asked)',
    example: 'printq down --keep-history',
  },
};

/** One line per option; `wait` is the default and only exists to pair with --no-wait. */
const OPTION_HELP: Record<string, string> = {
  kubeconfig: '--kubeconfig PATH            kubeconfig file (default $KUBECONFIG, ~/.kube/config)',
  context: '--context NAME               kubeconfig context (default: current-context)',
  namespace:
    '-n, --namespace NS           release namespace, also the app namespace (default printq)',
  release: '--release NAME               release name (default printq)',
  profile: '--profile kind|production    settings profile (default: recorded, else kind)',
  set: '--set key=value              override one setting, e.g. images.app.tag=v2 (repeatable)',
  'reset-values':
    '--reset-values               start from profile defaults, not the recorded --set values',
  'no-wait': '--no-wait                    do not wait for rollouts',
  timeout: '--timeout DURATION           rollout wait limit, e.g. 90s, 5m (default 5m)',
  atomic: '--atomic                     roll back automatically when the rollout fails',
  'force-conflicts': '--force-conflicts            take over fields owned by another field manager',
  'force-unlock':
    '--force-unlock               take over a release an interrupted run left pending',
  'cert-manager-manifest':
    '--cert-manager-manifest SRC  cert-manager release manifest, path or URL',
  'skip-cert-manager': '--skip-cert-manager          do not install cert-manager',
  summary: '--summary                    print only the summary lines',
  'delete-data':
    '--delete-data                also delete PersistentVolumeClaims and the namespaces',
  'delete-crds':
    "--delete-crds                also delete printq's CRDs (deletes every QueueScaler)",
  'keep-history': '--keep-history               keep the release records',
  help: '-h, --help                   this help',
};

function optionLines(names: readonly string[]): string[] {
  return names.flatMap((name) => {
    const line = OPTION_HELP[name];
    return line === undefined ? [] : [`  ${line}`];
  });
}

/** The exit status table, generated from the error catalog so the two cannot drift apart. */
export function exitCodeLines(): string[] {
  const lines = [`  0   success (diff: no changes)`];
  for (const [code, entry] of Object.entries(ERRORS)) {
    lines.push(`  ${String(entry.exitCode).padEnd(3)} ${code}: ${entry.summary}`);
  }
  lines.push(
    `  printq diff exits ${DIFF_EXIT.changes} on changes and ${DIFF_EXIT.error} on any error`,
  );
  return lines;
}

function maxExitCode(): number {
  return Math.max(...Object.values(ERRORS).map((entry) => entry.exitCode));
}

/** `printq help`: every command, the cluster options and the exit codes. */
export function globalHelp(): string {
  const commands = (Object.keys(COMMAND_HELP) as HelpTopic[]).map(
    (name) =>
      `  ${COMMAND_HELP[name].usage.replace(/^printq | \[options\]$/g, '').padEnd(16)} ${COMMAND_HELP[name].summary}`,
  );
  return [
    'printq: deploy and upgrade printq on Kubernetes',
    '',
    'Usage: printq <command> [options]',
    '       printq <command> --help    options and an example for one command',
    '',
    'Commands:',
    ...commands,
    '',
    'Options of every command:',
    ...optionLines(COMMON_OPTIONS),
    '',
    'Options of one command (printq <command> --help explains them):',
    ...(Object.keys(COMMAND_HELP) as HelpTopic[]).flatMap((name) => {
      const own = COMMAND_OPTIONS[name].filter((option) => option !== 'wait');
      return own.length > 0 ? [`  ${name.padEnd(9)} ${own.map((o) => `--${o}`).join(' ')}`] : [];
    }),
    '',
    'Exit codes:',
    ...exitCodeLines(),
    '',
  ].join('\n');
}

/** `printq <command> --help`: its usage, the options it accepts and an example. */
export function commandHelp(command: HelpTopic): string {
  const help = COMMAND_HELP[command];
  const own = optionLines(COMMAND_OPTIONS[command]);
  return [
    `Usage: ${help.usage}`,
    '',
    help.summary,
    '',
    ...(own.length > 0 ? ['Options:', ...own, ''] : []),
    'Cluster options:',
    ...optionLines(COMMON_OPTIONS),
    '',
    'Example:',
    `  ${help.example}`,
    '',
    `Exit codes: printq help lists them (0 success, ${ERRORS.USAGE.exitCode} usage error, one per failure up to ${maxExitCode()}).`,
    '',
  ].join('\n');
}
