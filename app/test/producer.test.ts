import { isJobId } from '@printq/shared';
import { DeadlineExceededError, withDeadline } from '../src/deadline.js';
import { classifyFailure, idempotentJobId } from '../src/producer.js';

describe('idempotentJobId', () => {
  it('maps one key to one stable UUIDv8 and different keys to different ids', () => {
    const id = idempotentJobId('order-1');
    expect(idempotentJobId('order-1')).toBe(id);
    expect(idempotentJobId('order-2')).not.toBe(id);
    expect(isJobId(id)).toBe(true);
    expect(id[14]).toBe('8');
  });
});

describe('withDeadline', () => {
  it('returns the result of work that finishes in time', async () => {
    await expect(withDeadline(Promise.resolve(7), 50)).resolves.toBe(7);
  });

  it('rejects at the deadline when the work hangs', async () => {
    const started = Date.now();
    await expect(withDeadline(new Promise(() => undefined), 50)).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('classifyFailure', () => {
  it('names why Redis could not take the job', () => {
    expect(classifyFailure(new DeadlineExceededError(1000))).toBe('deadline');
    expect(
      classifyFailure(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    ).toBe('disconnected');
    expect(classifyFailure(new Error('Command timed out'))).toBe('command-timeout');
    expect(classifyFailure(new Error('OOM command not allowed when used memory'))).toBe(
      'redis-oom',
    );
    expect(classifyFailure(new Error('ERR unknown command'))).toBe('redis-error');
  });
});
