import { readFileSync } from 'node:fs';
import type { z } from 'zod';

/** Raised when a program's settings are invalid; the message names every bad setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly string[]) {
    super(`invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the settings a program declares from the environment. For each declared `NAME`, a
 * mounted secret file named by `NAME_FILE` supplies the value (trailing newline removed), the
 * way Kubernetes mounts Secrets; a direct `NAME` wins so an operator can override it. Variables
 * the program does not declare are never read, so an unrelated `*_FILE` (say
 * TF_CLI_CONFIG_FILE) cannot fail startup.
 */
export function readSettings(names: readonly string[], env: Env): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const name of names) {
    const direct = env[name];
    const file = env[`${name}_FILE`];
    if (direct !== undefined && direct !== '') settings[name] = direct;
    else if (file !== undefined && file !== '') settings[name] = readSecretFile(name, file);
  }
  return settings;
}

function readSecretFile(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([`${name}_FILE: cannot read secret file ${path} (${reason})`]);
  }
}

/**
 * Parses a program's settings with a zod object schema whose keys are the variable names.
 * Empty strings count as unset so `.env` files can list a setting without a value.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.output<S> {
  const result = schema.safeParse(readSettings(Object.keys(schema.shape), env));
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  );
}
