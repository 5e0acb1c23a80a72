import { randomBytes } from 'node:crypto';
import { labelsFor } from './context.js';
import { NAMES, REDIS_SECRET } from './names.js';
import type { ManifestObject } from './stack.js';

/** 32 random bytes, URL-safe: ~256 bits, and no character Redis or a shell would mangle. */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The Redis password Secret, built at deploy time (the CLI applies it with create-only
 * semantics so an existing password is kept). Never written to dist/ or charts/.
 */
export function redisSecret(namespace: string, password = generatePassword()): ManifestObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: REDIS_SECRET.name, namespace, labels: labelsFor(NAMES.redis, 'redis') },
    type: 'Opaque',
    stringData: { [REDIS_SECRET.key]: password },
  };
}
