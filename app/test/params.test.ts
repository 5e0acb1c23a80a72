import { parseIdempotencyKey, parseQuoteParams } from '../src/params.js';
import { ProblemError } from '../src/problems.js';

describe('parseQuoteParams', () => {
  it('defaults to PLA at 20 % infill', () => {
    expect(parseQuoteParams({})).toEqual({ material: 'pla', infillPercent: 20 });
  });

  it('accepts materials in any case and decimal infill within 0–100', () => {
    expect(parseQuoteParams({ material: 'PETG', infill: '12.5' })).toEqual({
      material: 'petg',
      infillPercent: 12.5,
    });
    expect(parseQuoteParams({ infill: '0' }).infillPercent).toBe(0);
    expect(parseQuoteParams({ infill: '100' }).infillPercent).toBe(100);
  });

  it.each(['101', '-1', '1e2', 'NaN', '20%', ' '])('refuses infill %p', (infill) => {
    expect(() => parseQuoteParams({ infill })).toThrow(ProblemError);
  });
});

describe('parseIdempotencyKey', () => {
  it('passes visible ASCII keys through and treats a missing header as no key', () => {
    expect(parseIdempotencyKey('7f0c-order:42')).toBe('7f0c-order:42');
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each(['', 'with space', 'ü', 'x'.repeat(256)])('refuses %p', (key) => {
    expect(() => parseIdempotencyKey(key)).toThrow(/Idempotency-Key must be/);
  });
});
