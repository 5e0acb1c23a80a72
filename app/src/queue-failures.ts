import { DeadlineExceededError } from './deadline.js';
import { ProblemError } from './problems.js';

/**
 * Why an enqueue or a status read could not be served by Redis: the one catalog of
 * reasons, used as the `reason` label of printq_app_enqueue_failures_total and in the 503
 * problem. Each reason says what the client may conclude about its request.
 */
export const QUEUE_FAILURES = {
  /** No answer within ENQUEUE_DEADLINE_MS; the commands may still run later. */
  deadline: { problem: 'queue-unavailable', cause: 'The job queue did not answer in time.' },
  /** The producer connection is down (no offline queue), or dropped mid-command. */
  disconnected: {
    problem: 'queue-unavailable',
    cause: 'The app is not connected to the job queue.',
  },
  /** Connected, but a single command exceeded the command timeout. */
  'command-timeout': {
    problem: 'queue-unavailable',
    cause: 'The job queue did not answer in time.',
  },
  /** Redis refused a write: maxmemory reached under noeviction. Nothing was written. */
  'redis-oom': {
    problem: 'queue-full',
    cause: 'The job queue is full (Redis is out of memory).',
  },
  /** Any other error reply from Redis. */
  'redis-error': { problem: 'queue-unavailable', cause: 'The job queue answered with an error.' },
} as const satisfies Record<string, { problem: 'queue-unavailable' | 'queue-full'; cause: string }>;

export type QueueFailureReason = keyof typeof QUEUE_FAILURES;
export const QUEUE_FAILURE_REASONS = Object.keys(QUEUE_FAILURES) as QueueFailureReason[];

/** What the client asked for when Redis failed: it decides what the client may conclude. */
export type QueueOperation = 'enqueue' | 'read';

/** Redis is down, full, paused, slow or unreachable: transient, retry later. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
  constructor(
    readonly reason: QueueFailureReason,
    readonly operation: QueueOperation,
    override readonly cause: unknown,
  ) {
    super(`queue unavailable (${reason}, ${operation})`);
  }
}

export function classifyFailure(error: unknown): QueueFailureReason {
  if (error instanceof DeadlineExceededError) return 'deadline';
  const message = error instanceof Error ? error.message : String(error);
  if (/^OOM |OOM command not allowed/.test(message)) return 'redis-oom';
  if (/enableOfflineQueue|Connection is closed|not connected|ECONNREFUSED/i.test(message)) {
    return 'disconnected';
  }
  if (/Command timed out/i.test(message)) return 'command-timeout';
  return 'redis-error';
}

/** The 503 problem for a failure: what happened, and what the client may assume. */
export function queueFailureProblem(
  error: QueueUnavailableError,
  retryAfterSeconds: number,
): ProblemError {
  const { problem, cause } = QUEUE_FAILURES[error.reason];
  return new ProblemError(
    problem,
    `${cause} ${consequence(error)}`,
    { reason: error.reason },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

function consequence(error: QueueUnavailableError): string {
  if (error.operation === 'read') return 'Retry later.';
  // An OOM refusal happens before the write; any other failure may hide a write that
  // reached Redis (a late answer, a reply lost with the connection).
  if (error.reason === 'redis-oom') return 'The quote was not accepted; retry later.';
  return (
    'The quote may not have been accepted; retry later with the same Idempotency-Key ' +
    'to avoid a duplicate job.'
  );
}
