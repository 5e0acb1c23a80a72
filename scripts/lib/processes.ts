import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Lines of output kept per process, enough for assertions without unbounded memory. */
const MAX_OUTPUT_LINES = 5000;
const POLL_INTERVAL_MS = 50;

export type Program = 'app' | 'worker';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Asks the kernel for a free loopback TCP port. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

/**
 * One printq program (app or worker) as a real child process, run from its TypeScript
 * sources by node itself (`--import tsx`): no wrapper process in between, so a signal,
 * SIGKILL included, reaches the program.
 */
export class ProgramProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  private constructor(
    readonly program: Program,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      let pending = '';
      stream?.on('data', (chunk: string) => {
        const parts = (pending + chunk).split('\n');
        pending = parts.pop() ?? '';
        this.lines.push(...parts);
        if (this.lines.length > MAX_OUTPUT_LINES)
          this.lines.splice(0, this.lines.length - MAX_OUTPUT_LINES);
      });
    }
  }

  static spawn(program: Program, env: Record<string, string>): ProgramProcess {
    const entry = join(REPO_ROOT, program, 'src', 'main.ts');
    const child = spawn(
      process.execPath,
      ['--conditions=printq-source', '--import', 'tsx', entry],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return new ProgramProcess(program, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Sends `signal`, waits for the exit, SIGKILLs after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Parsed JSON log lines (pino) of this process. */
  logs(): Array<Record<string, unknown>> {
    return this.lines.flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** Polls `url` until it answers 200; fails early if the process exits. */
  async waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`${this.program} exited before ${url} was ready:\n${this.tail()}`);
      }
      const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ok) return;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(`${this.program} not ready at ${url} within ${timeoutMs} ms:\n${this.tail()}`);
  }

  tail(count = 20): string {
    return this.lines.slice(-count).join('\n');
  }
}

/** A throwaway redis-server on a free loopback port, for the demo. */
export class RedisProcess {
  private readonly dir = mkdtempSync(join(tmpdir(), 'printq-demo-redis-'));
  private readonly child: ChildProcess;

  private constructor(readonly port: number) {
    this.child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''],
      { stdio: 'ignore' },
    );
  }

  static async start(): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort());
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const ping = spawnSync('redis-cli', ['-p', String(redis.port), 'PING'], { encoding: 'utf8' });
      if (ping.stdout.trim() === 'PONG') return redis;
      await sleep(POLL_INTERVAL_MS);
    }
    await redis.stop();
    throw new Error(`redis-server did not start on port ${redis.port}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** True when `command` is on the PATH. */
export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}
