#!/usr/bin/env node
/* global process, URL */
// Entry for `npx printq`. Runs the compiled CLI when the workspaces are built (`npm run build`);
// otherwise runs the TypeScript sources through tsx with the `printq-source` export condition,
// so a fresh `npm ci` checkout works without a build step.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const compiledEntry = new URL('../dist/main.js', import.meta.url);
const sourceEntry = fileURLToPath(new URL('../src/main.ts', import.meta.url));

async function runCompiled() {
  const { runFromProcess } = await import(compiledEntry.href);
  await runFromProcess();
}

function runSource() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=printq-source', sourceEntry, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, PRINTQ_SOURCE_ENTRY: '1' } },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    // A child killed by a signal exits as a shell reports it: 128 + the signal number.
    process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
  });
}

const preferSource = process.env.PRINTQ_FROM_SOURCE === '1';
if (!preferSource && existsSync(compiledEntry)) {
  try {
    await runCompiled();
  } catch (error) {
    // A built CLI whose sibling workspaces are not built cannot resolve them: use the sources.
    if (error && error.code === 'ERR_MODULE_NOT_FOUND') runSource();
    else throw error;
  }
} else {
  runSource();
}
