import type { FastifyInstance } from 'fastify';
import type { AppMetrics } from '../metrics.js';
import { openApiDocument } from '../openapi.js';
import { ProblemError } from '../problems.js';
import type { RedisReadiness } from '../readiness.js';

interface OpsRoutesOptions {
  readiness: RedisReadiness;
  metrics: AppMetrics;
  retryAfterSeconds: number;
}

/** Probes, metrics and the API description. */
export function registerOpsRoutes(app: FastifyInstance, options: OpsRoutesOptions): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async () => {
    const health = await options.readiness.check();
    if (health === 'ok') return { status: 'ready', redis: 'ok' };
    const retryAfter = { 'Retry-After': String(options.retryAfterSeconds) };
    if (health === 'full') {
      throw new ProblemError(
        'queue-full',
        'Redis is out of memory (maxmemory reached); new quotes cannot be accepted.',
        { redis: 'full' },
        retryAfter,
      );
    }
    throw new ProblemError(
      'queue-unavailable',
      'Redis is not reachable; new quotes cannot be accepted.',
      { redis: 'unreachable' },
      retryAfter,
    );
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(body);
  });

  app.get('/openapi.json', async () => openApiDocument());
}
