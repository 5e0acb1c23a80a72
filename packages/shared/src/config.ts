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
 * Resolves `NAME_FILE` indirections: for every `X_FILE` variable the file's content
 * (trailing newline removed) becomes `X`, the way Kubernetes mounts Secrets as files.
 * A direct `X` wins over `X_FILE` so an operator can override a mounted secret.
 */
export function resolveSecretFiles(env: Env): Record<string, string | undefined> {
  const resolved: Record<string, string | undefined> = { ...env };
  for (const [key, path] of Object.entries(env)) {
    if (!key.endsWith('_FILE') || path === undefined || path === '') continue;
    const target = key.slice(0, -'_FILE'.length);
    if (env[target] !== undefined && env[target] !== '') continue;
    try {
      resolved[target] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigError([`${key}: cannot read secret file ${path} (${reason})`]);
    }
  }
  return resolved;
}

/**
 * Parses the environment with a zod object schema whose keys are the variable names.
 * Empty strings count as unset so `.env` files can list a setting without a value.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): z.output<S> {
  const resolved = resolveSecretFiles(env);
  const cleaned = Object.fromEntries(Object.entries(resolved).filter(([, value]) => value !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  );
}
