/**
 * The catalog of problem types the API answers with (RFC 9457 application/problem+json).
 * Every error response is built from one of these entries, so a type URI always means the
 * same status and title.
 */
export const PROBLEM_BASE_URI = 'https://printq.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const PROBLEMS = {
  'empty-body': { status: 400, title: 'The request has no STL file' },
  'invalid-parameter': { status: 400, title: 'A request parameter is invalid' },
  'invalid-job-id': { status: 400, title: 'The job id is malformed' },
  'invalid-idempotency-key': { status: 400, title: 'The Idempotency-Key header is invalid' },
  'bad-request': { status: 400, title: 'The request is malformed' },
  'job-not-found': { status: 404, title: 'No such job' },
  'not-found': { status: 404, title: 'No such resource' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'payload-too-large': { status: 413, title: 'The upload is too large' },
  'uri-too-long': { status: 414, title: 'The URL is too long' },
  'unsupported-media-type': { status: 415, title: 'Unsupported content type' },
  'not-stl': { status: 422, title: 'The upload is not a valid STL file' },
  'idempotency-key-reused': {
    status: 422,
    title: 'The Idempotency-Key was already used with a different request',
  },
  'queue-unavailable': { status: 503, title: 'The job queue is unavailable' },
  'queue-full': { status: 503, title: 'The job queue is full' },
  'shutting-down': { status: 503, title: 'This app instance is shutting down' },
  internal: { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof PROBLEMS;

/** One invalid input, as in RFC 9457's `invalid-params` extension example. */
export interface InvalidParam {
  name: string;
  reason: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

/** Thrown by handlers; the error handler turns it into a problem response. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';

  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  get status(): number {
    return PROBLEMS[this.kind].status;
  }

  toBody(instance?: string): ProblemBody {
    return problemBody(this.kind, this.detail, { ...this.extensions, instance });
  }
}

export function problemBody(
  kind: ProblemKind,
  detail: string,
  extensions: Record<string, unknown> = {},
): ProblemBody {
  const { status, title } = PROBLEMS[kind];
  const defined = Object.entries(extensions).filter(([, value]) => value !== undefined);
  return { type: PROBLEM_BASE_URI + kind, title, status, detail, ...Object.fromEntries(defined) };
}
