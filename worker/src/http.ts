import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface ProbeServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Ready = taking jobs and Redis reachable. */
  isReady: () => Promise<boolean>;
}

/** /healthz, /readyz and /metrics on the worker's own port. */
export async function startProbeServer(options: ProbeServerOptions): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': type }).end(body);
    };
    const json = (status: number, body: object) =>
      send(status, 'application/json', JSON.stringify(body));
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      void options.isReady().then(
        (ready) => json(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' }),
        () => json(503, { status: 'not ready' }),
      );
      return;
    }
    if (path === '/metrics') {
      void options.registry.metrics().then(
        (text) => send(200, options.registry.contentType, text),
        () => send(500, 'text/plain', 'metrics unavailable\n'),
      );
      return;
    }
    json(404, { status: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
