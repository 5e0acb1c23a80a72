import { REDIS_SECRET, generatePassword, redisSecret } from '../src/index.js';

describe('the Redis password Secret', () => {
  it('is generated fresh each time, 256 bits, URL-safe', () => {
    const passwords = new Set(Array.from({ length: 50 }, () => generatePassword()));
    expect(passwords.size).toBe(50);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is a Secret with the name and key the workloads mount', () => {
    const secret = redisSecret('printq', 'given-password');
    expect(secret).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: REDIS_SECRET.name, namespace: 'printq' },
      stringData: { [REDIS_SECRET.key]: 'given-password' },
    });
    expect(redisSecret('printq').stringData).not.toEqual(redisSecret('printq').stringData);
  });
});
