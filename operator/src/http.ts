import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OperatorMetrics } from './metrics.js';

/** What /healthz and /readyz report; each check names itself when it fails. */
export interface HealthSource {
  /** Liveness: the process is making progress (poll loops tick, informers fresh). */
  liveness(): HealthReport;
  /** Readiness: started and able to act (informers synced). */
  readiness(): HealthReport;
}

export interface HealthReport {
  ok: boolean;
  checks: Record<string, boolean>;
}

/** /metrics, /healthz and /readyz on one small HTTP server. */
export class OperatorHttpServer {
  private readonly server: Server;

  constructor(
    private readonly metrics: OperatorMetrics,
    private readonly health: HealthSource,
  ) {
    this.server = createServer((request, response) => {
      void this.route(request.url ?? '/').then(({ status, type, body }) => {
        response.writeHead(status, { 'content-type': type });
        response.end(body);
      });
    });
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(url: string): Promise<{ status: number; type: string; body: string }> {
    const path = url.split('?')[0];
    if (path === '/metrics') {
      return {
        status: 200,
        type: this.metrics.registry.contentType,
        body: await this.metrics.registry.metrics(),
      };
    }
    if (path === '/healthz') return healthResponse(this.health.liveness());
    if (path === '/readyz') return healthResponse(this.health.readiness());
    return { status: 404, type: 'text/plain', body: 'not found\n' };
  }
}

function healthResponse(report: HealthReport): { status: number; type: string; body: string } {
  return {
    status: report.ok ? 200 : 503,
    type: 'application/json',
    body: `${JSON.stringify(report)}\n`,
  };
}
