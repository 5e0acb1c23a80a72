import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NAMES } from '../src/index.js';
import { microcacheHttpSnippet, microcacheLocationSnippet } from '../src/constructs/ingress.js';
import { BOTH, find, objectsOf, type PodSpec } from './helpers/manifests.js';
import { itWithTool, run } from './helpers/tools.js';

const UUID = '3f2a8c1e-9b7d-4e6f-a5c4-1d2e3f4a5b6c';

const controllerConfig = (objects: ReturnType<typeof objectsOf>) =>
  find(objects, 'ConfigMap', NAMES.ingressController).data as Record<string, string>;

/** The `map` in the http-snippet, evaluated like nginx does: first matching regex wins. */
function cacheableBySnippet(httpSnippet: string): (method: string, uri: string) => boolean {
  const regexes = [...httpSnippet.matchAll(/"~(.+)" 0;/g)].map((m) => new RegExp(m[1] ?? '$^'));
  expect(httpSnippet).toMatch(/default 1;/);
  return (method, uri) => regexes.some((re) => re.test(`${method}:${uri}`));
}

describe.each(BOTH)('ingress microcache (%s profile)', (profile) => {
  const objects = objectsOf(profile);
  const config = controllerConfig(objects);
  const httpSnippet = config['http-snippet'] ?? '';
  const locationSnippet = config['location-snippet'] ?? '';

  it('microcache only for GET quote results', () => {
    const cacheable = cacheableBySnippet(httpSnippet);
    expect(cacheable('GET', `/api/quotes/${UUID}`)).toBe(true);
    expect(cacheable('HEAD', `/api/quotes/${UUID.toUpperCase()}`)).toBe(true);
    expect(cacheable('POST', `/api/quotes/${UUID}`)).toBe(false);
    expect(cacheable('POST', '/api/quotes')).toBe(false);
    expect(cacheable('GET', '/api/quotes')).toBe(false);
    expect(cacheable('GET', `/api/quotes/${UUID}/extra`)).toBe(false);
    expect(cacheable('GET', '/healthz')).toBe(false);
    expect(cacheable('GET', '/metrics')).toBe(false);
    // Everything else neither reads from nor writes to the cache.
    expect(locationSnippet).toMatch(/^proxy_cache_bypass \$printq_skip_microcache;$/m);
    expect(locationSnippet).toMatch(/^proxy_no_cache \$printq_skip_microcache;$/m);
  });

  it('stores 200s only, for 1 s, keyed on host and path, one upstream read per key at a time', () => {
    const validity = [...locationSnippet.matchAll(/^proxy_cache_valid (.+);$/gm)].map((m) => m[1]);
    expect(validity).toEqual(['200 1s']);
    expect(locationSnippet).toMatch(/^proxy_cache_key \$host\$uri;$/m);
    expect(locationSnippet).toMatch(/^proxy_cache_lock on;$/m);
    expect(locationSnippet).toMatch(/^proxy_cache_use_stale updating;$/m);
  });

  it('turns proxy buffering on, without which nginx stores nothing in a cache', () => {
    expect(config['proxy-buffering']).toBe('on');
  });

  it('keeps the cache on a size-limited emptyDir mounted where proxy_cache_path points', () => {
    const pod = (
      find(objects, 'Deployment', NAMES.ingressController).spec as {
        template: { spec: PodSpec };
      }
    ).template.spec;
    const cachePath = /proxy_cache_path (\S+) /.exec(httpSnippet)?.[1];
    const mount = pod.containers[0]?.volumeMounts?.find((m) => m.mountPath === cachePath);
    expect(mount).toBeDefined();
    const volume = pod.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.emptyDir).toMatchObject({ sizeLimit: expect.stringMatching(/Mi$/) });
    const maxSize = /max_size=(\d+)m/.exec(httpSnippet)?.[1];
    const sizeLimit = /^(\d+)Mi$/.exec(
      String((volume?.emptyDir as { sizeLimit: string }).sizeLimit),
    );
    expect(Number(maxSize)).toBeLessThan(Number(sizeLimit?.[1]));
  });

  it('snippet annotations still disabled', () => {
    expect(config).toMatchObject({
      'allow-snippet-annotations': 'false',
      'annotations-risk-level': 'High',
    });
    for (const object of objects) {
      const annotations = Object.keys(object.metadata.annotations ?? {});
      expect(annotations.filter((a) => a.endsWith('-snippet'))).toEqual([]);
    }
  });
});

describe('the microcache snippets in a real nginx', () => {
  // Where ingress-nginx puts them: http-snippet at http level, location-snippet after the
  // location's own proxy_buffering and proxy_http_version (see upstream nginx.tmpl).
  itWithTool('nginx', 'apt-get install -y nginx-light')('pass nginx -t', () => {
    const dir = mkdtempSync(join(tmpdir(), 'printq-nginx-t-'));
    try {
      const conf = join(dir, 'nginx.conf');
      writeFileSync(
        conf,
        [
          `pid ${join(dir, 'nginx.pid')};`,
          'events {}',
          'http {',
          microcacheHttpSnippet(join(dir, 'cache')),
          '  server {',
          '    listen 127.0.0.1:8080;',
          '    location / {',
          '      proxy_buffering on;',
          '      proxy_http_version 1.1;',
          microcacheLocationSnippet(),
          '      proxy_pass http://127.0.0.1:9;',
          '    }',
          '  }',
          '}',
        ].join('\n'),
      );
      const result = run('nginx', ['-t', '-p', dir, '-c', conf, '-e', join(dir, 'error.log')]);
      expect(result.stderr).toMatch(/syntax is ok/);
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
