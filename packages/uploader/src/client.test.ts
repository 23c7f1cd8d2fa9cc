import { inspect } from 'node:util';
import { buildSystemCurrent, buildWorkoutList } from '@optimo-import/mapper';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from './client.js';
import type { ClientLimiter, ClientLogEntry } from './client-types.js';
import { isUploadError } from './errors.js';
import type { UploadError } from './errors.js';
import type { HttpsFetch, HttpsRequest, HttpsResult } from './https-fetch.js';
import type { ClientOptions } from './options.js';

/** Unit tests of the client with a scripted transport and vitest's fake clock: no server, no real sleep. */

const TOKEN = 'unit-secret-token-0123456789abcdef';
const NEW_TOKEN = 'unit-rotated-token-fedcba9876543210';
const ENDPOINT = 'https://acme.optimosport.example/api/2.1/xml-in';
const CREATE = '<?xml version="1.0" encoding="utf-8"?><request method="workout.create"><workout><athlete_id>1</athlete_id></workout></request>';
const SAMPLES = '<?xml version="1.0" encoding="utf-8"?><request method="workout.samples.add"><workout_id>9</workout_id></request>';
const LIST = buildWorkoutList({ externalId: 'x' });
const OK = '<?xml version="1.0" encoding="utf-8"?><response status="ok"><workout_id>9</workout_id><sample_count>10</sample_count></response>';
const SYSTEM_OK = '<response status="ok"><system><name>acme</name><timezone>Europe/Lisbon</timezone><api><requests>7</requests><request_limit>50</request_limit><resets_in>3600</resets_in></api></system></response>';
const fail = (code: number, message = 'no'): string => `<response status="fail"><error>${message}</error><code>${code}</code></response>`;

const answer = (status: number, body: string, headers: Record<string, string> = {}): HttpsResult => ({ kind: 'answer', status, headers, body: Buffer.from(body) });
const noAnswer = (failure: 'reset' | 'refused' | 'answer-timeout', bodySent: boolean): HttpsResult => ({
  kind: 'no-answer',
  failure,
  bodySent,
  error: Object.assign(new Error(`socket ${failure}`), { code: failure === 'refused' ? 'ECONNREFUSED' : 'ECONNRESET' }),
});

interface Script {
  fetch: HttpsFetch;
  seen: HttpsRequest[];
  times: number[];
}

function script(...steps: HttpsResult[]): Script {
  const seen: HttpsRequest[] = [];
  const times: number[] = [];
  return {
    seen,
    times,
    fetch: async (request) => {
      seen.push(request);
      times.push(Date.now());
      const step = steps.shift();
      if (step === undefined) throw new Error('the script has no more answers');
      return step;
    },
  };
}

const logs: ClientLogEntry[] = [];
const thrown: unknown[] = [];

function client(fetch: HttpsFetch, extra: Partial<ClientOptions> = {}): ReturnType<typeof createClient> {
  return createClient({
    endpoint: ENDPOINT,
    token: TOKEN,
    userAgent: 'optimo-import-tests/0.1.0',
    fetch,
    log: (entry) => logs.push(entry),
    retry: { retries: 4, minDelayMs: 100, maxDelayMs: 1000, maxRetryTimeMs: 60_000 },
    ...extra,
  });
}

/** Runs a call to its end under the fake clock; resolves with the error it rejected with. */
async function settle<T>(promise: Promise<T>): Promise<T | UploadError> {
  const caught = promise.catch((error: unknown) => {
    thrown.push(error);
    return error as UploadError;
  });
  await vi.runAllTimersAsync();
  return caught;
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-06-15T10:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('client: transport basics', () => {
  it('sends basic auth token:X, the User-Agent and UTF-8 XML to the endpoint', async () => {
    const s = script(answer(200, OK));
    const result = await settle(client(s.fetch).call(CREATE));
    expect(isUploadError(result)).toBe(false);
    const [request] = s.seen;
    expect(request!.url).toBe(ENDPOINT);
    expect(request!.headers.Authorization).toBe(`Basic ${Buffer.from(`${TOKEN}:X`).toString('base64')}`);
    expect(request!.headers['User-Agent']).toBe('optimo-import-tests/0.1.0');
    expect(request!.headers['Content-Type']).toBe('application/xml; charset=utf-8');
    expect(Buffer.from(request!.body).toString('utf8')).toBe(CREATE);
    expect(request!.connectTimeoutMs).toBe(10_000);
    expect(request!.answerTimeoutMs).toBe(120_000);
  });

  it('a redirect is a failure, never followed', async () => {
    const s = script(answer(302, '', { location: 'https://elsewhere.example/steal' }));
    const error = (await settle(client(s.fetch).call(LIST))) as UploadError;
    expect(error.code).toBe('failed');
    expect(error.status).toBe(302);
    expect(s.seen).toHaveLength(1);
  });
});

describe('client: retries (fake clock)', () => {
  it('a burst of 5xx on a read, then ok: repeated with growing, jittered delays', async () => {
    const s = script(answer(503, '<html><body>busy</body></html>'), answer(502, ''), answer(500, fail(50000)), answer(200, OK));
    const result = await settle(client(s.fetch).call(LIST));
    expect(isUploadError(result)).toBe(false);
    expect(result).toMatchObject({ requests: 4, attempts: 4 });
    const gaps = s.times.slice(1).map((t, i) => t - s.times[i]!);
    // minDelayMs 100, factor 2, jitter ×[1, 2): 100–200, 200–400, 400–800
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(100 * 2 ** i);
      expect(gap).toBeLessThanOrEqual(200 * 2 ** i);
    });
  });

  it('stops after `retries` repeats with code transient and the count of requests', async () => {
    const s = script(...Array.from({ length: 10 }, () => answer(503, '')));
    const error = (await settle(client(s.fetch).call(LIST))) as UploadError;
    expect(error.code).toBe('transient');
    expect(error.requests).toBe(5);
    expect(error.attempts).toBe(5);
    expect(s.seen).toHaveLength(5);
  });

  it('stops when maxRetryTimeMs has passed', async () => {
    const s = script(...Array.from({ length: 10 }, () => answer(503, '')));
    const error = (await settle(client(s.fetch, { retry: { retries: 10, minDelayMs: 1000, maxDelayMs: 1000, maxRetryTimeMs: 2500 } }).call(LIST))) as UploadError;
    expect(error.code).toBe('transient');
    expect(s.seen.length).toBeGreaterThanOrEqual(2);
    expect(s.seen.length).toBeLessThanOrEqual(4);
    expect(s.times.at(-1)! - s.times[0]!).toBeLessThanOrEqual(2500);
  });

  it('a permanent failure stops at once with the API errors', async () => {
    const s = script(answer(200, fail(40030, "'sport' must be one of running, …")));
    const error = (await settle(client(s.fetch).call(CREATE))) as UploadError;
    expect(error).toMatchObject({ code: 'failed', apiCode: 40030, errors: ["'sport' must be one of running, …"], requests: 1 });
    expect(error.message).toMatch(/^\[uploader acme\.optimosport\.example workout\.create\] HTTP 200 40030: refused for good/);
    expect(error.retryable).toBe(false);
  });

  it('a create sent in full without an answer is "maybe done" and never repeated', async () => {
    for (const outcome of [noAnswer('reset', true), noAnswer('answer-timeout', true), answer(502, '<html>bad gateway</html>'), answer(200, '')]) {
      const s = script(outcome, answer(200, OK));
      const error = (await settle(client(s.fetch).call(CREATE))) as UploadError;
      expect(error).toMatchObject({ code: 'maybe-done', classification: 'maybe-done', maybeStored: true, requests: 1 });
      expect(s.seen).toHaveLength(1);
    }
  });

  it('a create that never left (refused, reset while sending) is repeated', async () => {
    const s = script(noAnswer('refused', false), noAnswer('reset', false), answer(200, OK));
    const result = await settle(client(s.fetch).call(CREATE));
    expect(result).toMatchObject({ requests: 3, attempts: 3 });
  });

  it('workout.samples.add after "maybe done" is repeated: the contract makes it harmless', async () => {
    const s = script(noAnswer('reset', true), answer(504, ''), answer(200, OK));
    const result = await settle(client(s.fetch).call(SAMPLES));
    expect(result).toMatchObject({ requests: 3 });
    const again = script(noAnswer('reset', true));
    const error = (await settle(client(again.fetch).call(SAMPLES, { repeatSafe: false }))) as UploadError;
    expect(error.code).toBe('maybe-done');
  });

  it('an abort stops the call, also while it waits to repeat', async () => {
    const controller = new AbortController();
    const s = script(answer(503, ''), answer(200, OK));
    const pending = client(s.fetch).call(LIST, { signal: controller.signal });
    const caught = pending.catch((error: unknown) => error as UploadError);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error('stop'));
    await vi.runAllTimersAsync();
    const error = await caught;
    thrown.push(error);
    expect(error).toMatchObject({ code: 'aborted' });
    expect(s.seen).toHaveLength(1);
  });
});

describe('client: stops', () => {
  it('40100 stops the token: no request until setToken gives a new one', async () => {
    const s = script(answer(401, fail(40100, 'bad token')), answer(200, OK));
    const c = client(s.fetch);
    const first = (await settle(c.call(LIST))) as UploadError;
    expect(first).toMatchObject({ code: 'bad-token', status: 401, apiCode: 40100 });
    expect(c.state().tokenStopped).toBe(true);
    const second = (await settle(c.call(CREATE))) as UploadError;
    expect(second).toMatchObject({ code: 'token-stopped', requests: 0 });
    c.setToken(TOKEN);
    expect(((await settle(c.call(CREATE))) as UploadError).code).toBe('token-stopped');
    expect(s.seen).toHaveLength(1);
    c.setToken(NEW_TOKEN);
    expect(c.state().tokenStopped).toBe(false);
    await settle(c.call(CREATE));
    expect(s.seen).toHaveLength(2);
    expect(s.seen[1]!.headers.Authorization).toBe(`Basic ${Buffer.from(`${NEW_TOKEN}:X`).toString('base64')}`);
  });

  it('429 drains the limiter with Retry-After and refuses every send until the reset', async () => {
    const drains: number[] = [];
    const limiter: ClientLimiter = { acquire: async () => undefined, sync: async () => undefined, drain: async (seconds) => void drains.push(seconds) };
    const s = script(answer(429, fail(42900, 'limit reached'), { 'retry-after': '120' }), answer(200, OK));
    const c = client(s.fetch, { limiter });
    const error = (await settle(c.call(CREATE))) as UploadError;
    expect(error).toMatchObject({ code: 'quota-spent', retryAfterSeconds: 120, requests: 1 });
    expect(error.resetAt).toBe(Date.now() + 120_000);
    expect(drains).toEqual([120]);
    vi.setSystemTime(Date.now() + 119_000);
    expect(((await settle(c.call(LIST))) as UploadError).code).toBe('quota-spent');
    expect(s.seen).toHaveLength(1);
    vi.setSystemTime(Date.now() + 1_000);
    await settle(c.call(LIST));
    expect(s.seen).toHaveLength(2);
  });

  it('413 is too-large, not repeated', async () => {
    const s = script(answer(413, fail(41300)));
    expect(((await settle(client(s.fetch).call(CREATE))) as UploadError).code).toBe('too-large');
    expect(s.seen).toHaveLength(1);
  });
});

describe('client: the limiter', () => {
  function recordingLimiter(needsSyncTimes: number): { limiter: ClientLimiter; calls: string[] } {
    const calls: string[] = [];
    let left = needsSyncTimes;
    return {
      calls,
      limiter: {
        acquire: async (options) => {
          calls.push(`acquire${options?.sync ? ' sync' : ''}${options?.priority ? ' priority' : ''}`);
          if (!options?.sync && left > 0) {
            left -= 1;
            throw Object.assign(new Error('[limiter] needs sync'), { name: 'LimiterError', code: 'needs-sync' });
          }
        },
        sync: async (state) => void calls.push(`sync ${state.used}/${state.limit} ${state.resetsInSeconds}`),
        drain: async (seconds) => void calls.push(`drain ${seconds}`),
      },
    };
  }

  it('every attempt acquires first, retries included', async () => {
    const { limiter, calls } = recordingLimiter(0);
    const s = script(answer(503, ''), answer(200, OK));
    await settle(client(s.fetch, { limiter }).call(LIST, { priority: true }));
    expect(calls).toEqual(['acquire priority', 'acquire priority']);
  });

  it('needs-sync: system.current (acquired as the sync request), sync with its numbers, acquire again', async () => {
    const { limiter, calls } = recordingLimiter(1);
    const s = script(answer(200, SYSTEM_OK), answer(200, OK));
    const c = client(s.fetch, { limiter });
    const result = await settle(c.call(CREATE));
    expect(result).toMatchObject({ requests: 2, attempts: 1 });
    expect(calls).toEqual(['acquire', 'acquire sync priority', 'sync 7/50 3600', 'acquire']);
    expect(Buffer.from(s.seen[0]!.body).toString()).toBe(buildSystemCurrent());
    expect(c.state().timeZone).toBe('Europe/Lisbon');
    expect(logs.some((entry) => entry.event === 'sync' && entry.detail === 'used 7 of 50, resets in 3600 s')).toBe(true);
  });

  it('a 40100 that comes while the sync request waits for the limiter: the sync request is not sent', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let syncWaiting = false;
    let needsSync = true;
    const limiter: ClientLimiter = {
      acquire: async (options) => {
        if (options?.sync) {
          syncWaiting = true;
          await gate;
          return;
        }
        if (options?.priority !== true && needsSync) {
          needsSync = false;
          throw Object.assign(new Error('[limiter] needs sync'), { name: 'LimiterError', code: 'needs-sync' });
        }
      },
      sync: async () => undefined,
      drain: async () => undefined,
    };
    const s = script(answer(401, fail(40100, 'bad token')));
    const c = client(s.fetch, { limiter });
    const create = settle(c.call(CREATE)); // needs a sync: its system.current waits for the limiter
    await vi.waitFor(() => expect(syncWaiting).toBe(true));
    const list = (await settle(c.call(LIST, { priority: true }))) as UploadError; // meanwhile: 40100
    expect(list).toMatchObject({ code: 'bad-token' });
    open();
    expect(await create).toMatchObject({ code: 'token-stopped' });
    expect(s.seen).toHaveLength(1);
  });

  it('a limiter that keeps asking for a sync fails the call as `limiter` after two syncs', async () => {
    const { limiter } = recordingLimiter(10);
    const s = script(answer(200, SYSTEM_OK), answer(200, SYSTEM_OK));
    const error = (await settle(client(s.fetch, { limiter }).call(CREATE))) as UploadError;
    expect(error.code).toBe('limiter');
    expect(s.seen).toHaveLength(2);
  });
});

describe('client: the token stays secret', () => {
  it('is in no log entry, error message, error field or cause, nor in the client object', async () => {
    const echoed = fail(40030, `token ${TOKEN} / ${Buffer.from(`${TOKEN}:X`).toString('base64')} echoed by a bad proxy`);
    const s = script(answer(200, echoed), answer(401, fail(40100)), noAnswer('reset', true));
    const c = client(s.fetch);
    const error = (await settle(c.call(CREATE))) as UploadError;
    expect(error.errors![0]).toBe('token [redacted] / [redacted] echoed by a bad proxy');
    await settle(c.call(CREATE));
    c.setToken(NEW_TOKEN);
    await settle(c.call(CREATE));
    const everything = [inspect(c, { depth: Infinity, showHidden: true }), ...logs.map((entry) => JSON.stringify(entry)), ...thrown.map((item) => `${inspect(item, { depth: Infinity, showHidden: true })} ${JSON.stringify(item)}`)].join('\n');
    expect(logs.length).toBeGreaterThan(10);
    expect(thrown.length).toBeGreaterThan(10);
    for (const secret of [TOKEN, NEW_TOKEN, Buffer.from(`${TOKEN}:X`).toString('base64'), Buffer.from(`${NEW_TOKEN}:X`).toString('base64')]) {
      expect(everything).not.toContain(secret);
    }
  });
});
