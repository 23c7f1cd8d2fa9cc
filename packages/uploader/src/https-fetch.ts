/**
 * The transport: one POST over node:https with a keep-alive agent, real connect and answer
 * timeouts, certificate checks always on (the system's roots plus an extra CA), no redirect
 * followed (node:https never follows one), and the fact the classifier needs most: whether the
 * request body was handed to the network in full before the connection failed.
 *
 * It never throws for a network failure: it answers `{ kind: 'no-answer', failure, bodySent }`.
 * It never logs and never puts the request (headers included) into what it returns.
 */
import { Agent, request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { TransportFailure } from './classify.js';

export interface HttpsRequest {
  /** The API endpoint, `https://…`. */
  url: string;
  /** Every header to send, Authorization included: a fetch must never log them. */
  headers: Record<string, string>;
  body: Uint8Array;
  /** TCP and TLS must be done within this (a reused keep-alive socket has none to do). */
  connectTimeoutMs: number;
  /** The whole answer must arrive within this after the body was sent; also the longest stall while sending. */
  answerTimeoutMs: number;
  /** A longer answer is dropped (`answer-too-large`). */
  maxAnswerBytes: number;
  signal?: AbortSignal;
}

export interface HttpsAnswer {
  kind: 'answer';
  status: number;
  /** Lower-case names, repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface HttpsNoAnswer {
  kind: 'no-answer';
  failure: TransportFailure | 'aborted';
  /** Whether the body was handed to the network in full before the failure. */
  bodySent: boolean;
  /** The underlying error (its message never holds a header). */
  error: Error;
}

export type HttpsResult = HttpsAnswer | HttpsNoAnswer;

/** What the client calls to send one request; inject another for tests or a proxy. */
export type HttpsFetch = (request: HttpsRequest) => Promise<HttpsResult>;

export interface HttpsTransportOptions {
  /** Extra certificate authorities (PEM) trusted besides the system's roots, e.g. the sandbox's. */
  ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array>;
  /** Parallel connections to the endpoint; default 8. */
  maxSockets?: number;
  /** An idle keep-alive socket is closed after this; default 4000 ms (below common server keep-alive timeouts). */
  idleSocketMs?: number;
}

export interface HttpsTransport {
  fetch: HttpsFetch;
  /** Closes the idle sockets; requests in flight finish. */
  close(): void;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

/** Maps a Node network error to a failure kind. */
export function failureOf(error: Error): TransportFailure {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND') return 'dns-unknown';
  if (code === 'EAI_AGAIN') return 'dns-retry';
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'connect-timeout';
  if (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT')) return 'tls';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE') return 'reset';
  return 'network';
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function transportError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function caList(ca: HttpsTransportOptions['ca']): Array<string | Buffer> | undefined {
  if (ca === undefined) return undefined;
  const extra = (typeof ca === 'string' || ca instanceof Uint8Array ? [ca] : [...ca]).map((item) => (typeof item === 'string' ? item : Buffer.from(item)));
  return [...rootCertificates, ...extra];
}

/** A keep-alive HTTPS transport. */
export function createHttpsTransport(options: HttpsTransportOptions = {}): HttpsTransport {
  const ca = caList(options.ca);
  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.maxSockets ?? 8,
    timeout: options.idleSocketMs ?? 4000,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(ca === undefined ? {} : { ca }),
  });
  return {
    fetch: (req) => send(agent, req),
    close: () => agent.destroy(),
  };
}

function send(agent: Agent, input: HttpsRequest): Promise<HttpsResult> {
  return new Promise((resolve) => {
    let bodySent = false;
    let settled = false;
    let connectTimer: NodeJS.Timeout | undefined;
    let answerTimer: NodeJS.Timeout | undefined;
    const settle = (result: HttpsResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(answerTimer);
      input.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const fail = (failure: HttpsNoAnswer['failure'], error: Error): void => {
      settle({ kind: 'no-answer', failure, bodySent, error });
      req.destroy(error);
    };
    const onAbort = (): void => fail('aborted', transportError('the call was aborted', 'ABORT_ERR'));
    const url = new URL(input.url);
    const req = request(
      {
        protocol: 'https:',
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port === '' ? 443 : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        agent,
        headers: { ...input.headers, 'Content-Length': String(input.body.byteLength) },
      },
      (res) => {
        clearTimeout(connectTimer);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > input.maxAnswerBytes) {
            fail('answer-too-large', transportError(`the answer is over ${input.maxAnswerBytes} bytes`, 'ANSWER_TOO_LARGE'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => settle({ kind: 'answer', status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(chunks) }));
        res.on('aborted', () => fail('reset', transportError('the connection dropped during the answer', 'ECONNRESET')));
        res.on('error', (error) => fail('reset', error));
      },
    );
    req.on('error', (error) => {
      if (!settled) fail(failureOf(error), error);
    });
    // 'finish' alone is not enough: before the TLS handshake, TLS takes the body into its own
    // buffer and reports it written. The body counts as sent once both happened.
    let finished = false;
    let secured = false;
    const markSent = (): void => {
      if (!finished || !secured || bodySent || settled) return;
      bodySent = true;
      answerTimer = setTimeout(() => fail('answer-timeout', transportError(`no whole answer within ${input.answerTimeoutMs} ms after the request was sent`, 'ANSWER_TIMEOUT')), input.answerTimeoutMs);
    };
    req.on('socket', (socket: Socket) => {
      if (req.reusedSocket) {
        secured = true;
        markSent();
        return;
      }
      connectTimer = setTimeout(() => fail('connect-timeout', transportError(`not connected within ${input.connectTimeoutMs} ms`, 'CONNECT_TIMEOUT')), input.connectTimeoutMs);
      socket.once('secureConnect', () => {
        clearTimeout(connectTimer);
        secured = true;
        markSent();
      });
    });
    req.on('finish', () => {
      finished = true;
      markSent();
    });
    req.setTimeout(input.answerTimeoutMs, () => {
      if (!bodySent) fail('send-timeout', transportError(`no progress sending the request for ${input.answerTimeoutMs} ms`, 'SEND_TIMEOUT'));
    });
    if (input.signal?.aborted) {
      onAbort();
      return;
    }
    input.signal?.addEventListener('abort', onAbort, { once: true });
    req.end(input.body);
  });
}
