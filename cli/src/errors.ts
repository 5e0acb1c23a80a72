/**
 * The one catalog of printq CLI failures. Each code has a distinct exit status so scripts can
 * branch on the cause; `printq diff` alone folds every error into 1 (see {@link DIFF_EXIT}).
 */
export const ERRORS = {
  UNEXPECTED: { exitCode: 1, summary: 'unexpected error' },
  USAGE: { exitCode: 3, summary: 'invalid command line' },
  INVALID_SETTING: { exitCode: 4, summary: 'invalid setting' },
  KUBECONFIG_INVALID: { exitCode: 5, summary: 'kubeconfig missing or unreadable' },
  CONTEXT_NOT_FOUND: { exitCode: 6, summary: 'kubeconfig context not found' },
  CLUSTER_UNREACHABLE: { exitCode: 7, summary: 'no cluster reachable' },
  UNAUTHORIZED: { exitCode: 8, summary: 'the cluster refused the credentials' },
  MISSING_CRD: { exitCode: 9, summary: 'a custom resource type is not installed' },
  FIELD_CONFLICT: { exitCode: 10, summary: 'fields are owned by another field manager' },
  APPLY_REJECTED: { exitCode: 11, summary: 'the cluster rejected an object' },
  CERT_MANAGER_NOT_READY: { exitCode: 12, summary: 'cert-manager is not ready' },
  ROLLOUT_FAILED: { exitCode: 13, summary: 'rollout did not complete' },
  RELEASE_NOT_FOUND: { exitCode: 14, summary: 'release not found' },
  REVISION_NOT_FOUND: { exitCode: 15, summary: 'revision not found' },
  RELEASE_RECORD_INVALID: { exitCode: 16, summary: 'release record unreadable or too large' },
  RELEASE_PENDING: { exitCode: 17, summary: 'another printq run is changing the release' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** Exit statuses of `printq diff`, the same convention as diff(1). */
export const DIFF_EXIT = { noChanges: 0, error: 1, changes: 2 } as const;

/** A failure the user can act on: a code from {@link ERRORS}, a message and optional hints. */
export class CliError extends Error {
  readonly code: ErrorCode;
  readonly hints: readonly string[];

  constructor(
    code: ErrorCode,
    message: string,
    options: { hints?: string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.hints = options.hints ?? [];
  }

  get exitCode(): number {
    return ERRORS[this.code].exitCode;
  }
}

/** Wraps anything thrown into a CliError so the top level prints one consistent message. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CliError('UNEXPECTED', message, { cause: error });
}

/** `error[CODE]: message` plus indented hints: the format every command prints on failure. */
export function formatCliError(error: CliError): string {
  const lines = [`error[${error.code}]: ${error.message}`];
  for (const hint of error.hints) lines.push(`  hint: ${hint}`);
  return lines.join('\n');
}
