import { isJobId } from '@printq/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { registerMethodNotAllowed } from '../errors.js';
import { parseIdempotencyKey, parseQuoteParams } from '../params.js';
import { ProblemError } from '../problems.js';
import type { JobView, QuoteProducer } from '../producer.js';
import { checkStlStructure } from '../stl-check.js';
import { readUpload } from '../upload.js';
import type { AppMetrics } from '../metrics.js';

export const QUOTES_PATH = '/api/quotes';

interface QuoteRoutesOptions {
  producer: QuoteProducer;
  metrics: AppMetrics;
}

export function registerQuoteRoutes(app: FastifyInstance, options: QuoteRoutesOptions): void {
  const { producer, metrics } = options;

  app.post(QUOTES_PATH, async (request, reply) => {
    const upload = await readUpload(request);
    const params = parseQuoteParams({ ...queryOf(request), ...upload.fields });
    const format = checkStlStructure(upload.mesh);
    const idempotencyKey = parseIdempotencyKey(request.headers['idempotency-key']);
    const { id, created } = await producer.enqueueQuote({
      mesh: upload.mesh,
      ...params,
      fileName: upload.fileName,
      idempotencyKey,
    });
    if (created) {
      metrics.jobsEnqueued.inc({ kind: 'quote' });
      request.log.debug({ jobId: id, format, sizeBytes: upload.mesh.length }, 'quote enqueued');
      return accepted(reply, { id, status: 'queued' });
    }
    const existing = await producer.getJob(id);
    reply.header('Idempotent-Replayed', 'true');
    return accepted(reply, { id, status: existing?.status ?? 'queued' });
  });

  app.get<{ Params: { id: string } }>(`${QUOTES_PATH}/:id`, async (request) => {
    // UUIDs are case-insensitive (RFC 9562); job ids are stored in lowercase.
    const id = request.params.id.toLowerCase();
    if (!isJobId(id)) {
      const shown = request.params.id.slice(0, 64);
      throw new ProblemError('invalid-job-id', `"${shown}" is not a job id (a UUID).`);
    }
    const job = await producer.getJob(id);
    if (!job) {
      throw new ProblemError('job-not-found', `No job ${id}; finished jobs are kept for a while.`);
    }
    return present(job);
  });

  registerMethodNotAllowed(app, QUOTES_PATH, ['POST']);
  registerMethodNotAllowed(app, `${QUOTES_PATH}/:id`, ['GET', 'HEAD']);
}

function queryOf(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

function selfLink(id: string): string {
  return `${QUOTES_PATH}/${id}`;
}

function accepted(reply: FastifyReply, job: { id: string; status: string }) {
  return reply
    .code(202)
    .header('Location', selfLink(job.id))
    .send({ ...job, links: { self: selfLink(job.id) } });
}

function present(job: JobView) {
  return { ...job, links: { self: selfLink(job.id) } };
}
