import type { KubeObject } from './objects.js';

interface IngressFields {
  spec?: { rules?: { host?: string }[]; tls?: { hosts?: string[] }[] };
}

interface ServiceFields {
  spec?: { ports?: { port: number; name?: string }[]; type?: string };
}

const API_COMPONENT = 'api';

/**
 * How to reach the app after `up`: the Ingress URL when there is one, and always the exact
 * `kubectl port-forward` command (it works even before DNS or certificates do).
 */
export function accessInstructions(objects: readonly KubeObject[], context: string): string[] {
  const lines: string[] = [];
  for (const ingress of objects.filter((object) => object.kind === 'Ingress')) {
    const spec = (ingress as IngressFields).spec;
    const tlsHosts = new Set(spec?.tls?.flatMap((entry) => entry.hosts ?? []) ?? []);
    for (const host of spec?.rules?.flatMap((rule) => (rule.host ? [rule.host] : [])) ?? []) {
      lines.push(`open ${tlsHosts.has(host) ? 'https' : 'http'}://${host}/`);
    }
  }
  const service = apiService(objects);
  if (service) {
    const port = (service as ServiceFields).spec?.ports?.[0]?.port ?? 80;
    const namespace = service.metadata.namespace ?? 'default';
    lines.push(
      `or forward a local port: kubectl --context ${context} -n ${namespace} port-forward svc/${service.metadata.name} 8080:${port}`,
      '  then: curl http://127.0.0.1:8080/healthz',
    );
  }
  return lines;
}

function apiService(objects: readonly KubeObject[]): KubeObject | undefined {
  const services = objects.filter(
    (object) => object.kind === 'Service' && object.apiVersion === 'v1',
  );
  return (
    services.find(
      (service) => service.metadata.labels?.['app.kubernetes.io/component'] === API_COMPONENT,
    ) ?? services.find((service) => /(^|-)(api|app)$/.test(service.metadata.name))
  );
}
