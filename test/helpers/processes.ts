import { freePort, ProgramProcess } from '../../scripts/lib/processes.js';
import type { RedisServer } from './redis.js';

export { ProgramProcess, REPO_ROOT, type ExitInfo } from '../../scripts/lib/processes.js';

/** Startup of a program from sources takes a few seconds on a loaded 2-core machine. */
const START_TIMEOUT_MS = 60_000;

export interface RunningApp {
  process: ProgramProcess;
  baseUrl: string;
}

export interface RunningWorker {
  process: ProgramProcess;
  metricsUrl: string;
}

function redisEnv(redis: RedisServer): Record<string, string> {
  return { REDIS_URL: redis.url };
}

/** The real app (app/src/main.ts) as a child process, ready when /readyz says so. */
export async function startApp(
  redis: RedisServer,
  env: Record<string, string> = {},
  options: { waitReady?: boolean } = {},
): Promise<RunningApp> {
  const port = await freePort();
  const process = ProgramProcess.spawn('app', {
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    ...redisEnv(redis),
    ...env,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const url = `${baseUrl}/${options.waitReady === false ? 'healthz' : 'readyz'}`;
  await process.waitForHttp(url, START_TIMEOUT_MS);
  return { process, baseUrl };
}

/** The real worker (worker/src/main.ts) as a child process, ready when /readyz says so. */
export async function startWorker(
  redis: RedisServer,
  env: Record<string, string> = {},
): Promise<RunningWorker> {
  const port = await freePort();
  const process = ProgramProcess.spawn('worker', {
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(port),
    LOG_LEVEL: 'info',
    ...redisEnv(redis),
    ...env,
  });
  const metricsUrl = `http://127.0.0.1:${port}`;
  await process.waitForHttp(`${metricsUrl}/readyz`, START_TIMEOUT_MS);
  return { process, metricsUrl };
}

/** Stops every process still running (afterAll), SIGKILL if one does not stop in time. */
export async function stopAll(processes: Iterable<ProgramProcess | undefined>): Promise<void> {
  await Promise.all([...processes].map((p) => p?.stop('SIGTERM', 10_000)));
}
