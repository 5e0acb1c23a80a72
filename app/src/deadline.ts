/** Raised when an operation does not settle within its deadline. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  constructor(readonly deadlineMs: number) {
    super(`operation did not finish within ${deadlineMs} ms`);
  }
}

/**
 * Settles with `work` or rejects with DeadlineExceededError after `deadlineMs`, whichever
 * comes first. The work itself is not cancelled (Redis commands cannot be), so callers must
 * make a late completion harmless.
 */
export async function withDeadline<T>(work: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(deadlineMs)), deadlineMs);
  });
  try {
    return await Promise.race([work, expiry]);
  } finally {
    clearTimeout(timer);
    // A rejection arriving after the deadline must not become an unhandled rejection.
    work.catch(() => undefined);
  }
}
