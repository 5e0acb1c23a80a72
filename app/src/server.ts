import multipart from '@fastify/multipart';
import type { Logger } from '@printq/shared';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { AppConfig } from './config.js';
import { answerRoutingError, registerErrorHandling, registerShutdownRefusal } from './errors.js';
import { createAppMetrics, type AppMetrics } from './metrics.js';
import { QuoteProducer } from './producer.js';
import { RedisReadiness } from './readiness.js';
import { createProducerConnection } from './redis.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerQuoteRoutes } from './routes/quotes.js';
import { STL_MEDIA_TYPES } from './upload.js';

/** Form text fields are tiny (material, infill); anything larger is not ours. */
const MAX_FIELD_BYTES = 1024;

export interface PrintqApp {
  server: FastifyInstance;
  producer: QuoteProducer;
  metrics: AppMetrics;
  /** Stops accepting requests, finishes in-flight ones, then closes Redis. */
  close(): Promise<void>;
}

export async function buildApp(config: AppConfig, log: Logger): Promise<PrintqApp> {
  const connection = createProducerConnection(config);
  connection.on('error', (err) => log.debug({ err }, 'redis connection error'));
  const producer = new QuoteProducer(connection, producerOptions(config));
  const metrics = createAppMetrics(producer.queue);
  const readiness = new RedisReadiness(connection, {
    cacheMs: config.READINESS_CACHE_MS,
    timeoutMs: config.ENQUEUE_DEADLINE_MS,
  });

  const server: FastifyInstance = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast only widens the generic parameter.
    loggerInstance: log as FastifyBaseLogger,
    // Per-request lines would flood the logs at load; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.MAX_UPLOAD_BYTES,
    // registerShutdownRefusal answers with a problem instead.
    return503OnClosing: false,
    frameworkErrors: answerRoutingError,
  });
  registerBodyParsers(server, config);
  await server.register(multipart, {
    limits: { files: 1, fileSize: config.MAX_UPLOAD_BYTES, fields: 10, fieldSize: MAX_FIELD_BYTES },
  });
  registerRequestMetrics(server, metrics);
  const shutdown = { closing: false };
  registerConnectionDraining(server, shutdown);
  registerShutdownRefusal(server, shutdown, config.RETRY_AFTER_SECONDS);
  registerErrorHandling(server, {
    metrics,
    retryAfterSeconds: config.RETRY_AFTER_SECONDS,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
  });
  registerQuoteRoutes(server, { producer, metrics });
  registerOpsRoutes(server, { readiness, metrics, retryAfterSeconds: config.RETRY_AFTER_SECONDS });

  return {
    server,
    producer,
    metrics,
    async close() {
      shutdown.closing = true;
      await server.close();
      await producer.close();
      await closeConnection(connection);
    },
  };
}

function producerOptions(config: AppConfig) {
  return {
    deadlineMs: config.ENQUEUE_DEADLINE_MS,
    meshTtlSeconds: config.MESH_TTL_SECONDS,
    pendingMeshTtlSeconds: config.MESH_PENDING_TTL_SECONDS,
    resultTtlSeconds: config.RESULT_TTL_SECONDS,
    idempotencyTtlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
    attempts: config.JOB_ATTEMPTS,
    backoffMs: config.JOB_BACKOFF_MS,
  };
}

/** Only STL bodies are parsed; JSON, text and anything else get 415 from fastify. */
function registerBodyParsers(server: FastifyInstance, config: AppConfig): void {
  server.removeAllContentTypeParsers();
  server.addContentTypeParser(
    [...STL_MEDIA_TYPES],
    { parseAs: 'buffer', bodyLimit: config.MAX_UPLOAD_BYTES },
    (_request, body, done) => done(null, body),
  );
}

function registerRequestMetrics(server: FastifyInstance, metrics: AppMetrics): void {
  server.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route };
    metrics.requests.inc({ ...labels, status: String(reply.statusCode) });
    metrics.requestDuration.observe(labels, reply.elapsedTime / 1000);
  });
}

/**
 * server.close() closes idle keep-alive connections once; a connection busy with an upload
 * at that moment would stay open after its response and hold the shutdown until the grace
 * period ends. Answers sent while closing therefore carry `Connection: close`.
 */
function registerConnectionDraining(server: FastifyInstance, shutdown: { closing: boolean }) {
  server.addHook('onSend', async (_request, reply) => {
    if (shutdown.closing) reply.header('connection', 'close');
  });
}

async function closeConnection(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    await connection.quit().catch(() => connection.disconnect());
  } else {
    connection.disconnect();
  }
}
