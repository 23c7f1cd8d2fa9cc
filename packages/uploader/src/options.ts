/**
 * The client's options as the user gives them, and their resolved, validated form. Bad options
 * throw `RangeError` at construction, in one form; the token is never echoed in one.
 */
import { optionError } from './errors.js';
import type { HttpsFetch, HttpsTransportOptions } from './https-fetch.js';
import type { ClientLimiter, ClientLogEntry } from './client-types.js';

/** This package's version, sent in the default User-Agent (a test keeps it equal to package.json's). */
export const UPLOADER_VERSION = '0.1.0';
export const DEFAULT_USER_AGENT = `optimo-import/${UPLOADER_VERSION}`;

export interface TimeoutOptions {
  /** TCP + TLS handshake of a new connection, ms. Default 10,000. */
  connectMs?: number;
  /** From the last byte of the request to the last byte of the answer, ms; also the longest stall while sending. Default 120,000. */
  answerMs?: number;
}

export interface RetryOptions {
  /** Repeats after the first attempt. Default 4. */
  retries?: number;
  /** Delay before the first repeat, ms. Default 500. */
  minDelayMs?: number;
  /** Longest delay between two attempts, ms. Default 10,000. */
  maxDelayMs?: number;
  /** Growth of the delay per repeat. Default 2. */
  factor?: number;
  /** No repeat starts later than this after the first attempt, ms. Default 60,000. */
  maxRetryTimeMs?: number;
}

export interface ClientOptions {
  /** The account's API entry point, `https://<account>.optimosport.com/api/2.1/xml-in`. https only. */
  endpoint: string;
  /** The API token of the admin or a coach. Sent only as basic auth, only over HTTPS. */
  token: string;
  /** Names the application and its version. Default `optimo-import/0.1.0`. */
  userAgent?: string;
  /** A label for logs and errors (never the token). Default the endpoint's host. */
  account?: string;
  /** Extra CA certificates (PEM) trusted besides the system's, e.g. the sandbox's `certPem`. */
  ca?: HttpsTransportOptions['ca'];
  timeouts?: TimeoutOptions;
  retry?: RetryOptions;
  /** The account's quota limiter; every attempt acquires from it first. Default none. */
  limiter?: ClientLimiter;
  /** The transport; default node:https with a keep-alive agent. Receives the Authorization header: never log it. */
  fetch?: HttpsFetch;
  /** Epoch ms; default Date.now. Drives the quota stop and log times. */
  clock?: () => number;
  /** Structured entries, one per request and per stop; never the token nor the Authorization header. */
  log?: (entry: ClientLogEntry) => void;
  /** Longest answer read, bytes. Default 64 MiB. */
  maxAnswerBytes?: number;
  /** Parallel connections of the default transport. Default 8. */
  maxSockets?: number;
}

export interface ResolvedClientOptions {
  endpoint: string;
  userAgent: string;
  account: string;
  connectMs: number;
  answerMs: number;
  retry: Required<RetryOptions>;
  maxAnswerBytes: number;
  maxSockets: number;
  clock: () => number;
}

function positive(name: string, value: unknown, fallback: number, { zero = false } = {}): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zero && value === 0)) {
    throw optionError(name, zero ? 'a finite number ≥ 0' : 'a finite number > 0', value);
  }
  return value;
}

/** A URL safe to show: no user name or password. */
export function safeUrl(text: string): string {
  try {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return '(not a URL)';
  }
}

export function resolveEndpoint(value: unknown): string {
  if (typeof value !== 'string') throw optionError('endpoint', 'an https:// URL', value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RangeError(`[uploader] option \`endpoint\` must be an https:// URL, got ${JSON.stringify(safeUrl(value))}`);
  }
  if (url.protocol !== 'https:') {
    throw new RangeError(`[uploader] option \`endpoint\` must be an https:// URL (the token is never sent over plain HTTP), got ${JSON.stringify(safeUrl(value))}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new RangeError('[uploader] option `endpoint` must not hold a user name or password: give the token as `token`');
  }
  if (url.hash !== '') throw new RangeError(`[uploader] option \`endpoint\` must have no #fragment, got ${JSON.stringify(safeUrl(value))}`);
  return url.toString();
}

/** Checks a token without ever echoing it. */
export function resolveToken(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new RangeError(`[uploader] option \`token\` must be a non-empty string, got ${typeof value === 'string' ? 'an empty string' : `a ${typeof value}`}`);
  // eslint-disable-next-line no-control-regex
  if (/[\s:\u0000-\u001f\u007f]/.test(value) || [...value].some((char) => char.codePointAt(0)! > 0x7e)) {
    throw new RangeError('[uploader] option `token` must be printable ASCII without spaces or `:` (the token is not shown)');
  }
  return value;
}

export function resolveUserAgent(value: unknown): string {
  if (value === undefined) return DEFAULT_USER_AGENT;
  if (typeof value !== 'string' || !/^[\x21-\x7e][\x20-\x7e]{0,254}$/.test(value) || !/\S\/\S/.test(value)) {
    throw optionError('userAgent', 'printable ASCII naming the application and its version (`my-app/1.2.3`)', value);
  }
  return value;
}

export function resolveClientOptions(options: ClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
  const endpoint = resolveEndpoint(options.endpoint);
  resolveToken(options.token);
  if (options.account !== undefined && (typeof options.account !== 'string' || options.account.trim() === '')) throw optionError('account', 'a non-blank string', options.account);
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw optionError('fetch', 'a function', options.fetch);
  if (options.clock !== undefined && typeof options.clock !== 'function') throw optionError('clock', 'a function returning epoch ms', options.clock);
  if (options.log !== undefined && typeof options.log !== 'function') throw optionError('log', 'a function', options.log);
  const limiter = options.limiter;
  if (limiter !== undefined && (typeof limiter !== 'object' || limiter === null || typeof limiter.acquire !== 'function' || typeof limiter.sync !== 'function' || typeof limiter.drain !== 'function')) {
    throw optionError('limiter', 'a QuotaLimiter (acquire, sync, drain)', limiter);
  }
  const timeouts = options.timeouts ?? {};
  const retry = options.retry ?? {};
  const retries = positive('retry.retries', retry.retries, 4, { zero: true });
  if (!Number.isInteger(retries)) throw optionError('retry.retries', 'a whole number ≥ 0', retry.retries);
  const minDelayMs = positive('retry.minDelayMs', retry.minDelayMs, 500, { zero: true });
  const maxDelayMs = positive('retry.maxDelayMs', retry.maxDelayMs, 10_000, { zero: true });
  if (maxDelayMs < minDelayMs) throw optionError('retry.maxDelayMs', `at least retry.minDelayMs (${minDelayMs})`, maxDelayMs);
  const maxSockets = positive('maxSockets', options.maxSockets, 8);
  if (!Number.isInteger(maxSockets)) throw optionError('maxSockets', 'a whole number > 0', options.maxSockets);
  return {
    endpoint,
    userAgent: resolveUserAgent(options.userAgent),
    account: options.account ?? new URL(endpoint).host,
    connectMs: positive('timeouts.connectMs', timeouts.connectMs, 10_000),
    answerMs: positive('timeouts.answerMs', timeouts.answerMs, 120_000),
    retry: {
      retries,
      minDelayMs,
      maxDelayMs,
      factor: positive('retry.factor', retry.factor, 2),
      maxRetryTimeMs: positive('retry.maxRetryTimeMs', retry.maxRetryTimeMs, 60_000, { zero: true }),
    },
    maxAnswerBytes: positive('maxAnswerBytes', options.maxAnswerBytes, 64 * 1024 * 1024),
    maxSockets,
    clock: options.clock ?? Date.now,
  };
}
