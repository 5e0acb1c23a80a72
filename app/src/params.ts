import { INFILL_PERCENT, MATERIAL_IDS, isMaterialId, type MaterialId } from '@printq/shared';
import { ProblemError, type InvalidParam } from './problems.js';

export interface QuoteParams {
  material: MaterialId;
  infillPercent: number;
}

export const DEFAULT_MATERIAL: MaterialId = 'pla';
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Reads `material` and `infill` (query string or multipart fields). Every invalid value is
 * reported at once, each with the values that would be accepted.
 */
export function parseQuoteParams(raw: Record<string, unknown>): QuoteParams {
  const invalid: InvalidParam[] = [];
  const material = parseMaterial(raw.material, invalid);
  const infillPercent = parseInfill(raw.infill, invalid);
  if (invalid.length > 0 || material === undefined || infillPercent === undefined) {
    const detail = invalid.map((param) => `${param.name}: ${param.reason}`).join('; ');
    throw new ProblemError('invalid-parameter', detail, { 'invalid-params': invalid });
  }
  return { material, infillPercent };
}

function parseMaterial(value: unknown, invalid: InvalidParam[]): MaterialId | undefined {
  if (value === undefined || value === '') return DEFAULT_MATERIAL;
  const text = String(value).toLowerCase();
  if (isMaterialId(text)) return text;
  invalid.push({
    name: 'material',
    reason: `"${String(value).slice(0, 40)}" is not offered; allowed: ${MATERIAL_IDS.join(', ')}`,
  });
  return undefined;
}

function parseInfill(value: unknown, invalid: InvalidParam[]): number | undefined {
  if (value === undefined || value === '') return INFILL_PERCENT.default;
  const text = String(value).trim();
  const number = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (number >= INFILL_PERCENT.min && number <= INFILL_PERCENT.max) return number;
  invalid.push({
    name: 'infill',
    reason:
      `"${text.slice(0, 40)}" is not a percentage; allowed: a number from ` +
      `${INFILL_PERCENT.min} to ${INFILL_PERCENT.max}`,
  });
  return undefined;
}

/** The optional Idempotency-Key header: 1–255 visible ASCII characters. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (IDEMPOTENCY_KEY_PATTERN.test(value)) return value;
  throw new ProblemError(
    'invalid-idempotency-key',
    'Idempotency-Key must be 1 to 255 visible ASCII characters without spaces.',
  );
}
