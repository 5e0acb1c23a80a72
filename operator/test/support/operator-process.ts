import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../test/helpers/ports.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A log line of the operator (pino JSON). */
export interface LogLine {
  msg: string;
  [field: string]: unknown;
}

/** The operator as a real child process (`operator/src/main.ts` under tsx), for kill tests. */
export class OperatorProcess {
  readonly logs: LogLine[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly metricsPort: number,
    env: Record<string, string>,
  ) {
    // node itself with tsx as a loader (not the tsx CLI, which forks a second process that a
    // SIGKILL to the first would orphan), so kill -9 really kills the operator.
    this.child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=printq-source',
        join(repoRoot, 'operator', 'src', 'main.ts'),
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, ...env, POD_NAME: name, METRICS_PORT: String(metricsPort) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let buffered = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) this.parse(line);
    });
    this.child.stderr?.on('data', (chunk: Buffer) =>
      this.logs.push({ msg: 'stderr', text: chunk.toString('utf8') }),
    );
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  static async start(name: string, env: Record<string, string>): Promise<OperatorProcess> {
    return new OperatorProcess(name, await freePort(), env);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  logged(msg: string): LogLine[] {
    return this.logs.filter((line) => line.msg === msg);
  }

  /** `printq_operator_leader` from /metrics, or undefined while the server is not up. */
  async leaderGauge(): Promise<number | undefined> {
    try {
      const text = await (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
      const match = /^printq_operator_leader (\d+)/m.exec(text);
      return match ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Exit code, after the process ended. */
  waitForExit(): Promise<number | null> {
    return this.exited;
  }

  async dispose(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  private parse(line: string): void {
    try {
      this.logs.push(JSON.parse(line) as LogLine);
    } catch {
      this.logs.push({ msg: line });
    }
  }
}
