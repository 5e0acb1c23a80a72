import { INFILL_PERCENT, JOB_STATUSES, MATERIAL_IDS } from '@printq/shared';
import { PROBLEM_CONTENT_TYPE, PROBLEMS, PROBLEM_BASE_URI, type ProblemKind } from './problems.js';
import { STL_MEDIA_TYPES } from './upload.js';

const problemRef = { $ref: '#/components/schemas/Problem' };

function problemResponse(description: string, kinds: ProblemKind[]) {
  const types = kinds.map((kind) => `\`${PROBLEM_BASE_URI}${kind}\``).join(', ');
  return {
    description: `${description} (${types})`,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: problemRef } },
  };
}

const unavailable = {
  ...problemResponse(
    'Redis is unreachable, did not answer within the deadline, or is out of memory; the ' +
      '`reason` member says which',
    ['queue-unavailable', 'queue-full'],
  ),
  headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } },
};

const binaryStl = { schema: { type: 'string', contentMediaType: 'model/stl' } };

/** The OpenAPI 3.1 description of the public API, served at /openapi.json. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'printq',
      version: '0.1.0',
      description:
        'Instant 3D-print quotes. Upload an STL (units: mm), get a job id, poll for the quote.',
    },
    paths: {
      '/api/quotes': {
        post: {
          operationId: 'createQuote',
          summary: 'Upload an STL file and queue a quote job',
          parameters: [
            {
              name: 'material',
              in: 'query',
              schema: { type: 'string', enum: [...MATERIAL_IDS], default: 'pla' },
            },
            {
              name: 'infill',
              in: 'query',
              description: 'Infill percentage',
              schema: {
                type: 'number',
                minimum: INFILL_PERCENT.min,
                maximum: INFILL_PERCENT.max,
                default: INFILL_PERCENT.default,
              },
            },
            {
              name: 'Idempotency-Key',
              in: 'header',
              description:
                'Same key and same request → same job, no duplicate. Same key with a ' +
                'different file or parameters → 422.',
              schema: { type: 'string', minLength: 1, maxLength: 255 },
            },
          ],
          requestBody: {
            required: true,
            content: {
              ...Object.fromEntries(STL_MEDIA_TYPES.map((type) => [type, binaryStl])),
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file'],
                  properties: {
                    file: { type: 'string', contentMediaType: 'model/stl' },
                    material: { type: 'string', enum: [...MATERIAL_IDS] },
                    infill: { type: 'number' },
                  },
                },
              },
            },
          },
          responses: {
            '202': {
              description: 'Queued (or replayed for a known Idempotency-Key)',
              headers: { Location: { schema: { type: 'string' } } },
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/Accepted' } },
              },
            },
            '400': problemResponse('Bad parameter or empty body', [
              'empty-body',
              'invalid-parameter',
              'invalid-idempotency-key',
              'bad-request',
            ]),
            '413': problemResponse('Upload over the size limit', ['payload-too-large']),
            '415': problemResponse('Not an STL content type', ['unsupported-media-type']),
            '422': problemResponse('Not an STL file, or a reused Idempotency-Key', [
              'not-stl',
              'idempotency-key-reused',
            ]),
            '503': unavailable,
          },
        },
      },
      '/api/quotes/{id}': {
        get: {
          operationId: 'getQuote',
          summary: 'Read a quote job: status, and the result or the failure reason',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          ],
          responses: {
            '200': {
              description: 'The job',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Job' } } },
            },
            '400': problemResponse('Malformed id', ['invalid-job-id']),
            '404': problemResponse('Unknown or expired job', ['job-not-found']),
            '503': unavailable,
          },
        },
      },
      '/healthz': {
        get: { summary: 'Process alive', responses: { '200': { description: 'ok' } } },
      },
      '/readyz': {
        get: {
          summary: 'Redis reachable (ready to accept quotes)',
          responses: { '200': { description: 'ready' }, '503': unavailable },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'text exposition format' } },
        },
      },
    },
    components: {
      schemas: {
        Accepted: {
          type: 'object',
          required: ['id', 'status', 'links'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            status: { type: 'string', enum: [...JOB_STATUSES] },
            links: { type: 'object', properties: { self: { type: 'string' } } },
          },
        },
        Job: {
          type: 'object',
          required: ['id', 'status', 'kind', 'createdAt', 'attemptsMade'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            status: { type: 'string', enum: [...JOB_STATUSES] },
            kind: { type: 'string', enum: ['quote', 'simulate'] },
            result: { type: 'object', description: 'The quote (units mm, g, EUR) when done' },
            error: {
              type: 'object',
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
            createdAt: { type: 'string', format: 'date-time' },
            finishedAt: { type: 'string', format: 'date-time' },
            attemptsMade: { type: 'integer' },
            links: { type: 'object', properties: { self: { type: 'string' } } },
          },
        },
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: {
              type: 'string',
              enum: Object.keys(PROBLEMS).map((kind) => PROBLEM_BASE_URI + kind),
            },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            'invalid-params': {
              type: 'array',
              items: {
                type: 'object',
                properties: { name: { type: 'string' }, reason: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}
