import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';

export interface RedisServerOptions {
  /** requirepass for the server; none by default. */
  password?: string;
  /** Extra `redis-server` arguments, e.g. `['--appendonly', 'yes']`. */
  args?: string[];
}

/**
 * A real `redis-server` process on a free loopback port, with its own data directory.
 * Tests use it for everything that talks to Redis; stop() and start() again keep the port,
 * so clients see an outage and a recovery as they would in production.
 */
export class RedisServer {
  readonly host = '127.0.0.1';
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'printq-redis-'));

  private constructor(
    readonly port: number,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options);
    await server.start();
    return server;
  }

  get url(): string {
    const auth = this.options.password ? `:${encodeURIComponent(this.options.password)}@` : '';
    return `redis://${auth}${this.host}:${this.port}`;
  }

  get password(): string | undefined {
    return this.options.password;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const args = [
      '--port',
      String(this.port),
      '--bind',
      this.host,
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      ...(this.options.password ? ['--requirepass', this.options.password] : []),
      ...(this.options.args ?? []),
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    await this.waitUntil(() => this.ping() === 'PONG', 'redis-server did not start');
  }

  /** Stops the server; SIGKILL when `hard`, to simulate a crash. */
  async stop(hard = false): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Runs one redis-cli command synchronously against this server and returns its output. */
  cli(...command: string[]): string {
    const auth = this.options.password ? ['--no-auth-warning', '-a', this.options.password] : [];
    const result = spawnSync(
      'redis-cli',
      ['-h', this.host, '-p', String(this.port), ...auth, ...command],
      { encoding: 'utf8', timeout: 5000 },
    );
    return (result.stdout ?? '').trim();
  }

  async dispose(): Promise<void> {
    await this.stop(true);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private ping(): string {
    return this.cli('PING');
  }

  private async waitUntil(
    ready: () => boolean,
    message: string,
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (ready()) return;
      await sleep(25);
    }
    throw new Error(`${message} on port ${this.port}`);
  }
}
