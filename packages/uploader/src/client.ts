/**
 * The Optimo Sport API client: `createClient(options)` → `{ call, system, timeZone, setToken, … }`.
 *
 * One call = attempts under the retry policy (./retry.ts). One attempt:
 * 1. refuse at once, without a request, when the account is stopped: a 40100 met with the current
 *    token (`token-stopped`), or a 429 whose `Retry-After` has not passed (`quota-spent`);
 * 2. `limiter.acquire({ priority })`; on `needs-sync` send `system.current` through
 *    `acquire({ sync: true })` (granted without a count to check against, held back only by a
 *    drain; Optimo and the sandbox count it, and its `<requests>` includes itself, so
 *    `limiter.sync({ used: requests, … })` takes it in), then acquire again, at most twice;
 * 3. POST the body (basic auth `token:X`, the User-Agent) and classify the outcome once (./classify.ts);
 * 4. on 40100 stop the token; on 429 call `limiter.drain(Retry-After)` and stop until then.
 *
 * The token lives in this closure only: not in the returned object, a log entry, an error's
 * message or fields. Texts from the server are redacted of it before they go anywhere.
 */
import { buildSystemCurrent, readResponse, readSystemCurrent } from '@optimo-import/mapper';
import type { ApiResponse, OkAnswer, SystemInfo } from '@optimo-import/mapper';
import { classifyExchange, isReadMethod, methodOf, REPEAT_SAFE_WRITES } from './classify.js';
import type { Classification, ExchangeFacts } from './classify.js';
import type { CallOptions, CallResult, Client, ClientLogEntry } from './client-types.js';
import { isUploadError, UploadError } from './errors.js';
import { createHttpsTransport } from './https-fetch.js';
import type { HttpsFetch, HttpsResult } from './https-fetch.js';
import { resolveClientOptions, resolveToken } from './options.js';
import type { ClientOptions } from './options.js';
import { isRepeatable, withRetries } from './retry.js';

/** When a 429 carries no usable `Retry-After`, the account waits this long. */
export const QUOTA_FALLBACK_SECONDS = 60;

interface Counter {
  requests: number;
}

/** A limiter's "sync me first" refusal, matched by shape so that copies of the limiter still match. */
export function isNeedsSync(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'needs-sync';
}

/** Seconds of a `Retry-After` header (seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - now) / 1000)) : undefined;
}

function basicAuth(token: string): string {
  return `Basic ${Buffer.from(`${token}:X`, 'utf8').toString('base64')}`;
}

export function createClient(options: ClientOptions): Client {
  const resolved = resolveClientOptions(options);
  const { clock, account } = resolved;
  let token = resolveToken(options.token);
  /** Every token this client held, to redact them from texts that come from elsewhere. */
  const secrets = new Set<string>();
  const remember = (value: string): void => {
    secrets.add(value);
    secrets.add(basicAuth(value).slice('Basic '.length));
  };
  remember(token);
  let tokenStopped = false;
  let quotaResetAt: number | undefined;
  let cachedTimeZone: string | undefined;
  let syncing: Promise<void> | undefined;
  const transport = options.fetch === undefined ? createHttpsTransport({ ca: options.ca, maxSockets: resolved.maxSockets }) : undefined;
  const fetch: HttpsFetch = options.fetch ?? transport!.fetch;
  const limiter = options.limiter;

  const redact = (text: string): string => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  };
  const log = (entry: Omit<ClientLogEntry, 'time' | 'account'>): void => {
    if (options.log === undefined) return;
    const full: ClientLogEntry = { time: clock(), account, ...entry };
    if (full.detail !== undefined) full.detail = redact(full.detail);
    options.log(full);
  };

  /** Throws when the account is stopped; nothing is sent. */
  const checkStops = (method: string, counter: Counter): void => {
    if (tokenStopped) {
      log({ event: 'refused', method, classification: 'bad-token', detail: 'token stopped after 40100' });
      throw new UploadError({ code: 'token-stopped', message: 'the token was refused (40100); nothing is sent until setToken gives a new one', method, account, requests: counter.requests });
    }
    const now = clock();
    if (quotaResetAt !== undefined && now < quotaResetAt) {
      const seconds = Math.ceil((quotaResetAt - now) / 1000);
      log({ event: 'refused', method, classification: 'quota-spent', detail: `quota spent; resets in ${seconds} s` });
      throw new UploadError({ code: 'quota-spent', message: `the daily quota is spent; nothing is sent for ${seconds} s`, method, account, retryAfterSeconds: seconds, resetAt: quotaResetAt, requests: counter.requests });
    }
  };

  const facts = (read: boolean, result: HttpsResult): { facts: ExchangeFacts; answer?: ApiResponse } => {
    if (result.kind === 'no-answer') return { facts: { read, bodySent: result.bodySent, failure: result.failure === 'aborted' ? 'reset' : result.failure } };
    const answer = readResponse(result.body, { status: result.status, contentType: result.headers['content-type'] });
    return { facts: { read, bodySent: true, status: result.status, answer }, answer };
  };

  /** One HTTP exchange, classified; resolves only with an ok answer. */
  const exchange = async (method: string, body: Uint8Array, attempt: number, counter: Counter, signal: AbortSignal | undefined): Promise<OkAnswer> => {
    const read = isReadMethod(method);
    const tokenUsed = token;
    const started = performance.now();
    counter.requests += 1;
    const result = await fetch({
      url: resolved.endpoint,
      headers: {
        Authorization: basicAuth(tokenUsed),
        'User-Agent': resolved.userAgent,
        'Content-Type': 'application/xml; charset=utf-8',
        Accept: 'application/xml, text/xml;q=0.9, */*;q=0.1',
      },
      body,
      connectTimeoutMs: resolved.connectMs,
      answerTimeoutMs: resolved.answerMs,
      maxAnswerBytes: resolved.maxAnswerBytes,
      signal,
    });
    const ms = Math.round(performance.now() - started);
    const { facts: seen, answer } = facts(read, result);
    const verdict = classifyExchange(seen);
    const classification: Classification = verdict.classification;
    const apiCode = answer?.kind === 'fail' ? answer.code : undefined;
    const errors = answer?.kind === 'fail' ? answer.errors.map(redact) : undefined;
    const detail = answer?.kind === 'not-api' ? answer.detail : (errors?.[0] ?? (result.kind === 'no-answer' ? result.error.message : undefined));
    log({
      event: 'request',
      method,
      attempt,
      ms,
      bytes: body.byteLength,
      classification,
      ...(seen.status === undefined ? {} : { status: seen.status }),
      ...(apiCode === undefined ? {} : { code: apiCode }),
      ...(result.kind === 'no-answer' ? { failure: result.failure } : {}),
      bodySent: seen.bodySent,
      ...(detail === undefined || classification === 'ok' ? {} : { detail }),
    });
    if (result.kind === 'no-answer' && result.failure === 'aborted') {
      throw new UploadError({ code: 'aborted', message: 'the call was aborted', method, account, bodySent: result.bodySent, maybeStored: !read && result.bodySent, attempts: attempt, requests: counter.requests, cause: signal?.reason ?? result.error });
    }
    if (classification === 'ok' && answer?.kind === 'ok') return answer;
    let retryAfter: number | undefined;
    let resetAt: number | undefined;
    if (classification === 'bad-token' && tokenUsed === token) tokenStopped = true;
    if (classification === 'quota-spent') {
      const headerValue = result.kind === 'answer' ? result.headers['retry-after'] : undefined;
      retryAfter = retryAfterSeconds(headerValue, clock()) ?? QUOTA_FALLBACK_SECONDS;
      resetAt = clock() + retryAfter * 1000;
      quotaResetAt = Math.max(quotaResetAt ?? 0, resetAt);
      if (limiter !== undefined) await drainLimiter(retryAfter, method, counter);
    }
    throw new UploadError({
      code: classification === 'ok' ? 'unexpected-answer' : classification,
      message: messageFor(classification, verdict.row, detail === undefined ? undefined : redact(detail)),
      method,
      account,
      classification,
      ...(seen.status === undefined ? {} : { status: seen.status }),
      ...(apiCode === undefined ? {} : { apiCode }),
      ...(errors === undefined ? {} : { errors }),
      ...(answer?.kind === 'fail' && answer.existingId !== undefined ? { existingId: answer.existingId } : {}),
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter, resetAt }),
      bodySent: seen.bodySent,
      maybeStored: classification === 'maybe-done',
      attempts: attempt,
      requests: counter.requests,
      ...(result.kind === 'no-answer' ? { cause: result.error } : {}),
    });
  };

  const drainLimiter = async (seconds: number, method: string, counter: Counter): Promise<void> => {
    try {
      await limiter!.drain(seconds);
    } catch (cause) {
      throw new UploadError({ code: 'limiter', message: `limiter.drain(${seconds}) failed after a 429`, method, account, requests: counter.requests, cause });
    }
  };

  const readSystem = (answer: OkAnswer): SystemInfo => {
    const info = readSystemCurrent(answer);
    cachedTimeZone = info.timeZone;
    return info;
  };

  const syncLimiter = (counter: Counter, signal: AbortSignal | undefined): Promise<void> => {
    syncing ??= (async () => {
      const body = Buffer.from(buildSystemCurrent(), 'utf8');
      const answer = await withRetries(
        async (attempt) => {
          checkStops('system.current', counter);
          await acquireFrom('system.current', { priority: true, sync: true }, counter, signal);
          // As in `call`: a 40100 (or 429) may have come while this waited for the limiter.
          checkStops('system.current', counter);
          return exchange('system.current', body, attempt, counter, signal);
        },
        resolved.retry,
        { shouldRetry: (error) => isRepeatable(error, true), signal },
      );
      const info = readSystem(answer);
      try {
        await limiter!.sync({ used: info.requests, limit: info.requestLimit, resetsInSeconds: info.resetsInSeconds });
      } catch (cause) {
        throw new UploadError({ code: 'limiter', message: 'limiter.sync failed', method: 'system.current', account, requests: counter.requests, cause });
      }
      log({ event: 'sync', method: 'system.current', detail: `used ${info.requests} of ${info.requestLimit}, resets in ${info.resetsInSeconds} s` });
    })().finally(() => {
      syncing = undefined;
    });
    return syncing;
  };

  /** One `limiter.acquire`; a rejection becomes `UploadError` `limiter` (needs-sync is told apart by its cause). */
  const acquireFrom = async (method: string, mode: { priority: boolean; sync: boolean }, counter: Counter, signal: AbortSignal | undefined): Promise<void> => {
    try {
      await limiter!.acquire({ priority: mode.priority, ...(mode.sync ? { sync: true } : {}), ...(signal === undefined ? {} : { signal }) });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new UploadError({ code: 'limiter', message: `limiter.acquire failed: ${cause instanceof Error ? cause.message : String(cause)}`, method, account, requests: counter.requests, cause });
    }
  };

  /** Acquires for one attempt; on needs-sync, syncs (at most twice) and acquires again. */
  const acquire = async (method: string, priority: boolean, counter: Counter, signal: AbortSignal | undefined): Promise<void> => {
    if (limiter === undefined) return;
    for (let round = 0; ; round += 1) {
      try {
        await acquireFrom(method, { priority, sync: method === 'system.current' }, counter, signal);
        return;
      } catch (error) {
        if (!isUploadError(error) || !isNeedsSync(error.cause) || round >= 2) throw error;
      }
      await syncLimiter(counter, signal);
    }
  };

  const call = async (body: string, callOptions: CallOptions = {}): Promise<CallResult> => {
    if (typeof body !== 'string') throw new RangeError('[uploader] call(body): body must be the request XML as a string');
    const method = callOptions.method ?? methodOf(body);
    if (method === undefined) throw new RangeError('[uploader] call(body): the body has no <request method="…">');
    const repeatSafe = callOptions.repeatSafe ?? (isReadMethod(method) || REPEAT_SAFE_WRITES.has(method));
    const bytes = Buffer.from(body, 'utf8');
    const counter: Counter = { requests: 0 };
    const { signal } = callOptions;
    let attempts = 0;
    try {
      const answer = await withRetries(
        async (attempt) => {
          attempts = attempt;
          checkStops(method, counter);
          await acquire(method, callOptions.priority ?? false, counter, signal);
          checkStops(method, counter);
          return exchange(method, bytes, attempt, counter, signal);
        },
        resolved.retry,
        { shouldRetry: (error) => isRepeatable(error, repeatSafe), signal },
      );
      return { answer, requests: counter.requests, attempts };
    } catch (error) {
      if (isUploadError(error)) {
        error.requests = counter.requests;
        throw error;
      }
      if (signal?.aborted) throw new UploadError({ code: 'aborted', message: 'the call was aborted', method, account, attempts, requests: counter.requests, cause: signal.reason });
      throw error;
    }
  };

  const system = async (systemOptions: { signal?: AbortSignal } = {}): Promise<{ info: SystemInfo; requests: number }> => {
    const { answer, requests } = await call(buildSystemCurrent(), { method: 'system.current', ...(systemOptions.signal === undefined ? {} : { signal: systemOptions.signal }) });
    const info = readSystem(answer);
    if (limiter !== undefined) {
      try {
        await limiter.sync({ used: info.requests, limit: info.requestLimit, resetsInSeconds: info.resetsInSeconds });
      } catch (cause) {
        throw new UploadError({ code: 'limiter', message: 'limiter.sync failed', method: 'system.current', account, requests, cause });
      }
    }
    return { info, requests };
  };

  return {
    endpoint: resolved.endpoint,
    userAgent: resolved.userAgent,
    account,
    call,
    system,
    async timeZone(zoneOptions = {}) {
      return cachedTimeZone ?? (await system(zoneOptions)).info.timeZone;
    },
    setToken(next) {
      const checked = resolveToken(next);
      if (checked === token) return;
      token = checked;
      remember(checked);
      tokenStopped = false;
    },
    state() {
      const now = clock();
      return { tokenStopped, ...(quotaResetAt !== undefined && now < quotaResetAt ? { quotaResetAt } : {}), ...(cachedTimeZone === undefined ? {} : { timeZone: cachedTimeZone }) };
    },
    log,
    close() {
      transport?.close();
    },
  };
}

function messageFor(classification: Classification, row: string, detail: string | undefined): string {
  const what: Record<Classification, string> = {
    ok: 'an ok answer without what its method promises',
    failed: 'refused for good',
    duplicate: 'the external_id is already taken',
    'bad-token': 'the token was refused; the account stops until the token changes',
    'quota-spent': 'the daily quota is spent; the account stops until the reset',
    'too-large': 'the request body is over the API limit',
    transient: 'a failure safe to repeat; the retries ran out',
    'maybe-done': 'a write was sent in full and got no API answer: it may have been done',
  };
  return `${what[classification]} (${row})${detail === undefined ? '' : `: ${detail}`}`;
}
