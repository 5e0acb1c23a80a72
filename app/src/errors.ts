import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HTTPMethods,
} from 'fastify';
import type { AppMetrics } from './metrics.js';
import { PROBLEM_CONTENT_TYPE, ProblemError } from './problems.js';
import { IdempotencyConflictError } from './producer.js';
import { QueueUnavailableError, queueFailureProblem } from './queue-failures.js';

interface ErrorHandlingOptions {
  metrics: AppMetrics;
  retryAfterSeconds: number;
  maxUploadBytes: number;
}

/** Every error leaves the app as application/problem+json from the one catalog. */
export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error, options);
    if (error instanceof QueueUnavailableError) {
      options.metrics.enqueueFailures.inc({ reason: error.reason });
      request.log.warn(
        { reason: error.reason, operation: error.operation, err: error.cause },
        'queue unavailable',
      );
    } else if (!(error instanceof ProblemError) && problem.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    }
    return sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new ProblemError('not-found', `No route for ${request.method} ${request.url}.`),
    ),
  );
}

/** Longer request URLs are not echoed as the problem's `instance`: they are the problem. */
const MAX_INSTANCE_CHARS = 256;

function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemError) {
  const instance = request.url.length <= MAX_INSTANCE_CHARS ? request.url : undefined;
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problem.toBody(instance));
}

/**
 * Fastify's `frameworkErrors` option: errors raised before routing (an undecodable URL, a
 * path parameter over maxParamLength) would otherwise be answered as plain JSON.
 */
export function answerRoutingError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  return sendProblem(request, reply, routingProblem(error));
}

function routingProblem(error: FastifyError): ProblemError {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return new ProblemError('bad-request', 'The URL path is not valid percent-encoded UTF-8.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ProblemError('uri-too-long', 'A path segment of the URL is too long.');
    default:
      return new ProblemError('internal', 'An unexpected error occurred; it has been logged.');
  }
}

/** Methods other than `allowed` on `url` answer 405 with Allow instead of 404. */
export function registerMethodNotAllowed(
  app: FastifyInstance,
  url: string,
  allowed: readonly HTTPMethods[],
): void {
  const allow = allowed.join(', ');
  const refused = REFUSABLE_METHODS.filter((method) => !allowed.includes(method));
  app.route({
    method: refused,
    url,
    handler: async (request) => {
      throw new ProblemError(
        'method-not-allowed',
        `${request.method} is not supported here; allowed: ${allow}.`,
        {},
        { Allow: allow },
      );
    },
  });
}

const REFUSABLE_METHODS: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * While the server closes, new requests get a 503 problem with `Connection: close`
 * (replacing fastify's plain-JSON `return503OnClosing` answer), so the client retries on
 * another instance.
 */
export function registerShutdownRefusal(
  app: FastifyInstance,
  shutdown: { closing: boolean },
  retryAfterSeconds: number,
): void {
  app.addHook('onRequest', async () => {
    if (!shutdown.closing) return;
    throw new ProblemError(
      'shutting-down',
      'This instance is shutting down; retry the request, another instance will answer.',
      {},
      { 'Retry-After': String(retryAfterSeconds), Connection: 'close' },
    );
  });
}

function toProblem(error: FastifyError, options: ErrorHandlingOptions): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof QueueUnavailableError) {
    return queueFailureProblem(error, options.retryAfterSeconds);
  }
  if (error instanceof IdempotencyConflictError) {
    return new ProblemError(
      'idempotency-key-reused',
      'This Idempotency-Key was first used with a different file or parameters; ' +
        'use a new key for a new request.',
      { jobId: error.jobId },
    );
  }
  return fromFrameworkError(error, options);
}

function fromFrameworkError(error: FastifyError, options: ErrorHandlingOptions): ProblemError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new ProblemError(
        'payload-too-large',
        `The upload exceeds the limit of ${options.maxUploadBytes} bytes.`,
        { limitBytes: options.maxUploadBytes },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new ProblemError(
        'unsupported-media-type',
        'Send the STL as model/stl or application/octet-stream, or as one file in ' +
          'multipart/form-data.',
      );
    case 'FST_FILES_LIMIT':
      return new ProblemError('bad-request', 'Send exactly one file per request.');
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new ProblemError('bad-request', 'The multipart form has too many fields.');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ProblemError('bad-request', error.message);
  return new ProblemError('internal', 'An unexpected error occurred; it has been logged.');
}
