import { pathToFileURL } from 'node:url';
import type { CommandOptions } from './args.js';
import { parseCommandLine } from './args.js';
import * as commands from './commands.js';
import type { Session } from './engine.js';
import { CliError, DIFF_EXIT, ERRORS, formatCliError, toCliError } from './errors.js';
import { commandHelp, globalHelp } from './help.js';
import { ApiError, KubeClient } from './kube.js';
import type { Io } from './progress.js';
import { ReleaseStore } from './release.js';
import { validateSettings } from './synth.js';
import type { Now, Sleep } from './time.js';
import { realNow, realSleep } from './time.js';

/** Seams for tests: the clock, and where output goes. */
export interface RunDependencies {
  io: Io;
  sleep?: Sleep;
  now?: Now;
  /** Per-request limit towards the API server. @default 30000 */
  requestTimeoutMs?: number;
}

/** Runs one printq command line and returns its exit status; never throws. */
export async function run(argv: readonly string[], deps: RunDependencies): Promise<number> {
  let options: CommandOptions | undefined;
  try {
    options = parseCommandLine(argv);
    if (options.command === 'help') return printHelp(options, deps.io);
    // Catch bad settings (a --set, production's missing ACME e-mail) before touching the
    // cluster when the profile is known up front.
    if (options.profile) {
      await validateSettings(options.profile, options.overrides);
    }
    const session = await openSession(options, deps);
    return await dispatch(session, options);
  } catch (error) {
    const cliError = toCliError(explainApiError(error));
    deps.io.stderr.write(`${formatCliError(cliError)}\n`);
    if (cliError.code === 'UNEXPECTED' && error instanceof Error && error.stack) {
      deps.io.stderr.write(`${error.stack}\n`);
    }
    return options?.command === 'diff' ? DIFF_EXIT.error : cliError.exitCode;
  }
}

/** Help asked for goes to stdout (exit 0); help shown because no command was given is a
 * usage error (stderr, exit 3), so a script calling bare `printq` does not pass silently. */
function printHelp(options: CommandOptions, io: Io): number {
  const text = options.helpTopic ? commandHelp(options.helpTopic) : globalHelp();
  if (!options.commandMissing) {
    io.stdout.write(text);
    return 0;
  }
  io.stderr.write(`${text}\nerror[USAGE]: no command given\n`);
  return ERRORS.USAGE.exitCode;
}

/** An API answer no command handled itself: refused credentials get their own code. */
function explainApiError(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  const detail = error.body?.message ?? error.message;
  if (error.statusCode === 401 || error.statusCode === 403) {
    return new CliError('UNAUTHORIZED', `the cluster refused ${error.requestLine}: ${detail}`, {
      hints: ['printq needs cluster-admin-like rights: it creates CRDs, namespaces and RBAC'],
    });
  }
  return new CliError(
    'UNEXPECTED',
    `${error.requestLine} failed with HTTP ${error.statusCode}: ${detail}`,
  );
}

async function openSession(options: CommandOptions, deps: RunDependencies): Promise<Session> {
  const client = KubeClient.connect(
    { kubeconfigPath: options.kubeconfigPath, context: options.context },
    deps.requestTimeoutMs,
  );
  await client.checkReachable();
  const namespace = options.namespace ?? options.overrides['namespace'] ?? 'printq';
  return {
    client,
    store: new ReleaseStore(client, namespace, options.release),
    io: deps.io,
    sleep: deps.sleep ?? realSleep,
    now: deps.now ?? realNow,
    log: (line) => deps.io.stderr.write(`${line}\n`),
  };
}

function dispatch(session: Session, options: CommandOptions): Promise<number> {
  switch (options.command) {
    case 'up':
      return commands.up(session, options);
    case 'upgrade':
      return commands.upgrade(session, options);
    case 'diff':
      return commands.diff(session, options);
    case 'history':
      return commands.history(session);
    case 'rollback':
      return commands.rollback(session, options);
    case 'status':
      return commands.status(session);
    case 'down':
      return commands.down(session, options);
    default:
      throw new CliError('USAGE', `unhandled command ${options.command}`);
  }
}

/** Entry of bin/printq.js: runs with the process's arguments and sets its exit code. */
export async function runFromProcess(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2), {
    io: { stdout: process.stdout, stderr: process.stderr },
  });
}

// Run when executed directly (tsx from bin/printq.js), not when imported by tests or bin.
if (
  process.env['PRINTQ_SOURCE_ENTRY'] === '1' &&
  import.meta.url === pathToFileURL(process.argv[1] ?? '').href
) {
  await runFromProcess();
}
