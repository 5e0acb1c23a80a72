import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlPlaneError, HarnessReason } from './errors.js';

/** Every component still running in this Node process, so a dying test run can kill them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * One control-plane component (etcd, kube-apiserver, ...) running as a child process with
 * its output in a log file.
 *
 * Children are started under `setpriv --pdeathsig KILL`, so the kernel kills them when the
 * Node process that started them dies for any reason (jest interrupted, worker crashed,
 * SIGKILL); an `exit` hook covers orderly exits too. No stray apiservers survive a test run.
 */
export class ComponentProcess {
  private child: ChildProcess | undefined;
  private exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;
  private spawnError: Error | undefined;

  constructor(
    readonly name: string,
    private readonly binary: string,
    private readonly args: string[],
    readonly logPath: string,
  ) {}

  get isRunning(): boolean {
    return this.child !== undefined;
  }

  /** OS process id while running (setpriv execs the binary, so it is the component's own). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.child) return;
    installExitHook();
    const log = openSync(this.logPath, 'a');
    try {
      const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', this.binary, ...this.args], {
        stdio: ['ignore', log, log],
      });
      this.exitCode = null;
      this.exitSignal = null;
      this.spawnError = undefined;
      this.child = child;
      running.add(child);
      child.once('exit', (code, signal) => {
        running.delete(child);
        this.exitCode = code;
        this.exitSignal = signal;
        if (this.child === child) this.child = undefined;
      });
      child.once('error', (error) => {
        // A failed spawn (setpriv or the binary missing) may never emit 'exit'.
        running.delete(child);
        this.spawnError = error;
        if (this.child === child) this.child = undefined;
      });
    } finally {
      closeSync(log);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(killTimer);
  }

  /**
   * Polls `isReady` until it answers true; fails fast with the log's tail when the process
   * exits, and after `timeoutMs` otherwise.
   */
  async waitUntilReady(
    isReady: () => Promise<boolean>,
    timeoutMs: number,
    pollIntervalMs = 200,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.child) throw this.failure(`exited while starting (${this.exitDescription()})`);
      if (await isReady()) return;
      await sleep(pollIntervalMs);
    }
    throw this.failure(`was not ready within ${timeoutMs} ms`);
  }

  /** The last lines of the component's log, for error messages. */
  logTail(lines = 30): string {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private exitDescription(): string {
    if (this.spawnError) return `could not start: ${this.spawnError.message}`;
    if (this.exitSignal) return `signal ${this.exitSignal}`;
    return `exit code ${this.exitCode ?? 'unknown'}`;
  }

  private failure(what: string): ControlPlaneError {
    return new ControlPlaneError(
      HarnessReason.ComponentFailed,
      `${this.name} ${what}; log ${this.logPath}:\n${this.logTail()}`,
    );
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}
