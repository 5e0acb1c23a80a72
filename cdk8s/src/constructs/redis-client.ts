import type { k8s } from 'cdk8s-plus-33';
import { NAMES, PORTS, REDIS_PASSWORD_DIR, REDIS_PASSWORD_FILE, REDIS_SECRET } from '../names.js';
import { env } from '../pod.js';

/** Env vars of a Redis client (app, worker): host, port and the mounted password file. */
export function redisClientEnv(): k8s.EnvVar[] {
  return [
    env('REDIS_HOST', NAMES.redis),
    env('REDIS_PORT', PORTS.redis),
    env('REDIS_PASSWORD_FILE', REDIS_PASSWORD_FILE),
  ];
}

/** The password Secret as a read-only file volume (not an env var: env leaks into dumps). */
export function redisPasswordVolume(): k8s.Volume {
  return {
    name: 'redis-password',
    secret: {
      secretName: REDIS_SECRET.name,
      items: [{ key: REDIS_SECRET.key, path: REDIS_SECRET.key }],
      defaultMode: 0o440,
    },
  };
}

export function redisPasswordMount(): k8s.VolumeMount {
  return { name: 'redis-password', mountPath: REDIS_PASSWORD_DIR, readOnly: true };
}
