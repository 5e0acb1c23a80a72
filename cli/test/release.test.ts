import { randomBytes } from 'node:crypto';
import { CliError } from '../src/errors.js';
import type { ReleaseRecord } from '../src/release.js';
import {
  decodeRelease,
  encodeRelease,
  GZIP_THRESHOLD_BYTES,
  RELEASE_SECRET_TYPE,
} from '../src/release.js';

function record(overrides: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    name: 'printq',
    revision: 2,
    status: 'deployed',
    profile: 'kind',
    overrides: { 'images.app.tag': 'v2' },
    description: 'Upgrade complete',
    createdAt: '2026-12-04T16:00:00.000Z',
    inventory: [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'printq', name: 'cfg' }],
    manifest: [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cfg', namespace: 'printq' },
        data: { a: 'b' },
      },
    ],
    ...overrides,
  };
}

describe('release records', () => {
  it('encode into a typed, labelled Secret and decode back unchanged', () => {
    const secret = encodeRelease(record(), 'printq');
    expect(secret.type).toBe(RELEASE_SECRET_TYPE);
    expect(secret.metadata).toEqual({
      name: 'printq.release.v1.printq.v2',
      namespace: 'printq',
      labels: { owner: 'printq', name: 'printq', version: '2', status: 'deployed' },
    });
    expect(Object.keys(secret.data)).toEqual(['release.json']);
    expect(decodeRelease(secret)).toEqual(record());
  });

  it('gzip large records and still decode them', () => {
    const big = 'x'.repeat(GZIP_THRESHOLD_BYTES * 2);
    const large = record({
      manifest: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { big } }],
    });
    const secret = encodeRelease(large, 'printq');
    expect(Object.keys(secret.data)).toEqual(['release.json.gz']);
    expect((secret.data['release.json.gz'] ?? '').length).toBeLessThan(big.length / 10);
    expect(decodeRelease(secret)).toEqual(large);
  });

  it('refuse a record that would not fit in a Secret', () => {
    const noise = randomBytes(1200 * 1024).toString('base64');
    const huge = record({
      manifest: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'h' }, data: { noise } }],
    });
    expect(() => encodeRelease(huge, 'printq')).toThrow(/over the \d+-byte limit/);
  });

  it('report a corrupt record with RELEASE_RECORD_INVALID naming the Secret', () => {
    const secret = {
      metadata: { name: 'printq.release.v1.printq.v9' },
      data: { 'release.json': Buffer.from('{"name":1}').toString('base64') },
    };
    let caught: unknown;
    try {
      decodeRelease(secret);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).code).toBe('RELEASE_RECORD_INVALID');
    expect((caught as CliError).message).toContain('printq.release.v1.printq.v9');
  });
});
