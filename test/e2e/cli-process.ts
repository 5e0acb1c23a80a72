import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** bin/printq.js: what `npx printq` runs. */
export const PRINTQ_BIN = fileURLToPath(new URL('../../cli/bin/printq.js', import.meta.url));

export interface CliResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the printq CLI as a real child process, from the TypeScript sources (as after a fresh
 * `npm ci`), with a hard time limit so a hung command fails the test instead of jest. `env`
 * overrides variables of the test's environment; one set to undefined is removed.
 */
export function runPrintq(
  args: readonly string[],
  timeoutMs = 120_000,
  env: NodeJS.ProcessEnv = { KUBECONFIG: '/nonexistent/kubeconfig' },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PRINTQ_BIN, ...args], {
      env: withoutUndefined({ ...process.env, PRINTQ_FROM_SOURCE: '1', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`printq ${args.join(' ')} ran longer than ${timeoutMs} ms\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

function withoutUndefined(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
