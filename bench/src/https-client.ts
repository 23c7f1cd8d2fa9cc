import { Agent, request } from 'node:https';

/** One answer as the client saw it. */
export interface HttpsAnswer {
  status: number;
  body: Buffer;
  /** From just before the request was written to the last byte of the answer. */
  ms: number;
}

export interface ApiClientOptions {
  url: string;
  /** PEM of the server's certificate, trusted as the only CA (no other CA, no verification off). */
  certPem: string;
  token: string;
  /** Sockets kept open to the server (keep-alive), at least the concurrency that will be used. */
  maxSockets: number;
  /** A request with no complete answer after this long fails; default 60 s. */
  timeoutMs?: number;
}

export interface ApiClient {
  /** POSTs one body; rejects on a network error or a timeout, resolves on any HTTP answer. */
  post(body: Buffer | string): Promise<HttpsAnswer>;
  close(): void;
}

const USER_AGENT = 'optimo-import-bench/0.1 (pnpm bench)';

/**
 * An HTTPS client of the API entry point over a keep-alive agent: every request reuses an open
 * TLS connection when one is free, as an uploader would. Loopback only: the URL must name
 * 127.0.0.1, ::1 or localhost.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const target = new URL(options.url);
  if (target.protocol !== 'https:' || !['127.0.0.1', '[::1]', 'localhost'].includes(target.hostname)) {
    throw new RangeError(`[bench] the API client talks to a loopback HTTPS address only, got ${options.url}`);
  }
  const agent = new Agent({ ca: options.certPem, keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets });
  const authorization = `Basic ${Buffer.from(`${options.token}:X`).toString('base64')}`;
  const timeoutMs = options.timeoutMs ?? 60_000;
  return {
    post(body) {
      return new Promise((resolve, reject) => {
        const started = performance.now();
        const headers = {
          'Content-Type': 'application/xml; charset=utf-8',
          'Content-Length': String(Buffer.byteLength(body)),
          'User-Agent': USER_AGENT,
          Authorization: authorization,
        };
        const req = request({ host: target.hostname.replace(/^\[|\]$/g, ''), port: target.port, path: target.pathname, method: 'POST', agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - started }));
          res.on('error', reject);
        });
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
