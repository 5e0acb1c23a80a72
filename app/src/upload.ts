import type { FastifyRequest } from 'fastify';
import { ProblemError } from './problems.js';

/** Content types accepted as a raw STL body. */
export const STL_MEDIA_TYPES = [
  'model/stl',
  'model/x.stl-binary',
  'model/x.stl-ascii',
  'application/sla',
  'application/vnd.ms-pki.stl',
  'application/octet-stream',
] as const;

export interface Upload {
  mesh: Buffer;
  fileName?: string;
  /** Multipart text fields (material, infill). */
  fields: Record<string, string>;
}

/** The uploaded STL: the raw body, or the single file of a multipart form. */
export async function readUpload(request: FastifyRequest): Promise<Upload> {
  if (request.isMultipart()) return readMultipart(request);
  const body = request.body;
  return { mesh: Buffer.isBuffer(body) ? body : Buffer.alloc(0), fields: {} };
}

/**
 * The multipart parser (busboy) reports a malformed body with plain errors that carry no
 * code or status ("Boundary not found", "Unexpected end of form"); left alone they would
 * become 500s. Framework errors (size and count limits) and our own problems keep their
 * meaning.
 */
async function readMultipart(request: FastifyRequest): Promise<Upload> {
  try {
    return await readParts(request);
  } catch (error) {
    if (error instanceof ProblemError || hasFrameworkCode(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProblemError('bad-request', `The multipart body is malformed: ${reason}.`);
  }
}

function hasFrameworkCode(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('FST_');
}

async function readParts(request: FastifyRequest): Promise<Upload> {
  const fields: Record<string, string> = {};
  let file: { mesh: Buffer; fileName: string } | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      fields[part.fieldname] = String(part.value);
      continue;
    }
    if (file) throw new ProblemError('bad-request', 'Send exactly one file per request.');
    file = { mesh: await part.toBuffer(), fileName: part.filename.slice(0, 255) };
  }
  if (!file) {
    throw new ProblemError('empty-body', 'The multipart form has no file part.');
  }
  return { ...file, fields };
}
