/**
 * The worker's health and metrics endpoint, on plain HTTP (bind it to a private address).
 *
 * | request         | answer                                                                        |
 * | --------------- | ----------------------------------------------------------------------------- |
 * | `GET /healthz`  | the `health()` report as JSON: 200 when `ok`, 503 when not or when it threw   |
 * | `GET /metrics`  | the Prometheus text of `metrics` (`text/plain; version=0.0.4`)                |
 * | other methods   | 405 with `Allow: GET, HEAD` (HEAD answers as GET, without the body)           |
 * | other paths     | 404                                                                           |
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkerMetrics } from './metrics.js';

export interface HealthReport {
  ok: boolean;
  redis: 'up' | 'down';
  /** Anything else worth showing (workers running, accounts held, …). */
  [detail: string]: unknown;
}

export interface HealthServerOptions {
  /** 0 picks a free port (see `port` of the result). Required. */
  port: number;
  /** Default `127.0.0.1`. */
  host?: string;
  metrics: Pick<WorkerMetrics, 'metrics' | 'contentType'>;
  health: () => Promise<HealthReport>;
}

export interface HealthServer {
  /** The port listened on. */
  port: number;
  /** `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
  response.end(body);
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { port, metrics, health } = options;
  const host = options.host ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`[health] option \`port\` must be a whole number from 0 to 65535, got ${String(port)}`);
  if (typeof metrics?.metrics !== 'function') throw new TypeError('[health] option `metrics` must be the worker metrics (createWorkerMetrics)');
  if (typeof health !== 'function') throw new TypeError('[health] option `health` must be a function returning a promise of { ok, redis }');

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== '/healthz' && path !== '/metrics') {
      send(response, 404, TEXT_TYPE, `not found: ${path} (try /healthz or /metrics)\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, TEXT_TYPE, `method ${request.method ?? '?'} not allowed on ${path}\n`, { allow: 'GET, HEAD' });
      return;
    }
    if (path === '/metrics') {
      try {
        send(response, 200, metrics.contentType, await metrics.metrics());
      } catch (error) {
        send(response, 500, TEXT_TYPE, `metrics failed: ${(error as Error)?.message ?? String(error)}\n`);
      }
      return;
    }
    let report: HealthReport;
    try {
      report = await health();
    } catch (error) {
      report = { ok: false, redis: 'down', error: (error as Error)?.message ?? String(error) };
    }
    send(response, report.ok ? 200 : 503, JSON_TYPE, `${JSON.stringify(report)}\n`);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, TEXT_TYPE, `${(error as Error)?.message ?? String(error)}\n`);
      else response.destroy(error as Error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    port: bound,
    url: `http://${shownHost}:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
