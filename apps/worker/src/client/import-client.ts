/**
 * The import client for other services in Node: submits a file to the workers through the BullMQ
 * queue in Redis and reads or waits for its result. docs/job-format.md describes the same for
 * programs in other languages.
 *
 * ```ts
 * const client = createImportClient({ redis: 'redis://queue.internal:6379' });
 * const jobId = await client.submit({ account: 'riverside', athleteId: '42', file: bytes, fileName: 'ride.fit' });
 * const result = await client.waitForResult(jobId, { timeoutMs: 600_000 });
 * console.log(result.outcome, result.workoutIds);
 * await client.close();
 * ```
 *
 * Connections: `redis` is an ioredis connection (the caller's: `close()` leaves it open) or a
 * `redis://` URL (the client's own, closed by `close()`). Submitting and reading use it as given;
 * results are listened for (`on`, `waitForResult`) on one more connection the client opens on
 * first use, with `maxRetriesPerRequest: null` as BullMQ's blocking reads need.
 */
import { EventEmitter } from 'node:events';
import { QueueEvents } from 'bullmq';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { KEY_PREFIX, QUEUE_NAME } from '../jobs/job-data.js';
import type { ImportResult } from '../jobs/job-data.js';
import { redisKeysOf } from '../jobs/keys.js';
import { createImportQueue, enqueueImport } from '../jobs/queue.js';
import { createRedisResultStore } from '../jobs/result-store.js';
import { ImportClientError } from './client-error.js';
import { asImportResult, readJobStatus, resultFromJob } from './job-status.js';
import type { ImportJobStatus } from './job-status.js';
import { prepareSubmission } from './submission.js';
import type { SubmitInput } from './submission.js';

/** How long bytes submitted without a path stay in Redis (the job must run before then). */
export const DEFAULT_FILE_TTL_SECONDS = 14 * 86_400;

/** Internal event: a finished job whose result could not be read (its waiters reject). */
const JOB_ERROR = Symbol('job-error');

export interface ImportClientOptions {
  /** An ioredis connection (stays the caller's) or a `redis://` / `rediss://` URL (the client's own). Required. */
  redis: Redis | string;
  /** The prefix of every key. Default `KEY_PREFIX` (`optimo-import`); tests use their own. */
  prefix?: string;
  /** Seconds submitted bytes are kept in Redis. Default 14 days. */
  fileTtlSeconds?: number;
  /** Epoch ms for `submittedAt`. Default `Date.now`. */
  now?: () => number;
}

export interface WaitForResultOptions {
  /** Give up after this many ms (`ImportClientError` `timeout`). Default: wait as long as it takes. */
  timeoutMs?: number;
  /** Stop waiting: rejects with `signal.reason`. */
  signal?: AbortSignal;
}

export type ImportClientEvents = {
  /** A job of the queue finished (completed or failed for good): its result. */
  result: [result: ImportResult];
  /** Listening failed (Redis unreachable, a result that could not be read). */
  error: [error: Error];
};

export interface ImportClient {
  /** Validates, stores the bytes if given, enqueues; resolves with the job id (`<account>@<sha256>`, the same for the same file). */
  submit(input: SubmitInput): Promise<string>;
  /** The job's state, attempts, and its result once it has finished. */
  result(jobId: string): Promise<ImportJobStatus>;
  /** Resolves with the job's result once it has finished (at once if it has). */
  waitForResult(jobId: string, options?: WaitForResultOptions): Promise<ImportResult>;
  /**
   * Listens to every job of the queue that finishes from now on. Resolves once listening: a job
   * that finishes after that is never missed.
   */
  on<E extends keyof ImportClientEvents>(event: E, listener: (...args: ImportClientEvents[E]) => void): Promise<void>;
  off<E extends keyof ImportClientEvents>(event: E, listener: (...args: ImportClientEvents[E]) => void): void;
  /** Stops listening, closes the queue and the connections the client opened. Idempotent. */
  close(): Promise<void>;
}

function optionError(name: string, rule: string, value: unknown): RangeError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
  return new RangeError(`[import-client] option \`${name}\` must be ${rule}, got ${shown}`);
}

function isRedisConnection(value: unknown): value is Redis {
  return typeof value === 'object' && value !== null && typeof (value as Redis).hget === 'function' && typeof (value as Redis).duplicate === 'function';
}

export function createImportClient(options: ImportClientOptions): ImportClient {
  if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
  const prefix = options.prefix ?? KEY_PREFIX;
  if (typeof prefix !== 'string' || prefix === '' || prefix.includes(' ')) throw optionError('prefix', 'a non-empty key prefix without spaces', options.prefix);
  const fileTtlSeconds = options.fileTtlSeconds ?? DEFAULT_FILE_TTL_SECONDS;
  if (!Number.isSafeInteger(fileTtlSeconds) || fileTtlSeconds < 1) throw optionError('fileTtlSeconds', 'a whole number of seconds ≥ 1', options.fileTtlSeconds);
  const now = options.now ?? Date.now;
  let redis: Redis;
  let ownsRedis: boolean;
  if (typeof options.redis === 'string') {
    if (!/^rediss?:\/\//.test(options.redis)) throw optionError('redis', 'an ioredis connection or a redis:// or rediss:// URL', options.redis.replace(/\/\/[^@/]*@/, '//***@'));
    redis = new Redis(options.redis);
    ownsRedis = true;
    // ioredis reconnects by itself; the commands that fail meanwhile reject with their own errors.
    redis.on('error', (error: Error) => reportError(error));
  } else if (isRedisConnection(options.redis)) {
    redis = options.redis;
    ownsRedis = false;
  } else {
    throw optionError('redis', 'an ioredis connection or a redis:// or rediss:// URL', options.redis);
  }

  const keys = redisKeysOf(prefix);
  const queue = createImportQueue(redis, prefix);
  queue.on('error', reportError);
  const results = createRedisResultStore(redis, prefix);
  const emitter = new EventEmitter();
  // Every waitForResult listens until its job settles: a service waiting for many files at once is
  // normal use, not a leak (the listeners go when each wait ends), so no MaxListenersExceededWarning.
  emitter.setMaxListeners(0);
  let events: Promise<QueueEvents> | undefined;
  let closed = false;
  const waiters = new Set<(error: Error) => void>();

  const closedError = (): ImportClientError => new ImportClientError({ code: 'closed', message: 'the client is closed' });
  const assertOpen = (): void => {
    if (closed) throw closedError();
  };

  function reportError(error: unknown): void {
    const wrapped = error instanceof Error ? error : new Error(String(error));
    // Emitted only to listeners: an `error` event nobody listens to would throw inside BullMQ's or
    // ioredis's loop. A waiter whose own job's result could not be read is rejected (JOB_ERROR).
    if (emitter.listenerCount('error') > 0) emitter.emit('error', wrapped);
  }

  async function finishedResult(jobId: string, returnvalue: unknown, failedReason: string | undefined): Promise<ImportResult> {
    const stored = await results.read(jobId);
    if (stored !== undefined) return stored;
    const returned = asImportResult(returnvalue);
    if (returned !== undefined) return returned;
    const job = await queue.getJob(jobId);
    return resultFromJob(jobId, job?.data, failedReason ?? 'the job finished without leaving a result', job?.attemptsMade ?? 0, job?.finishedOn);
  }

  /** The one QueueEvents, started from the last event in the stream now, so nothing after this call is missed. */
  function listen(): Promise<QueueEvents> {
    if (events !== undefined) return events;
    events = (async () => {
      const stream = `${prefix}:${QUEUE_NAME}:events`;
      const last = (await redis.xrevrange(stream, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
      const listener = new QueueEvents(QUEUE_NAME, {
        // Options, not the connection: BullMQ opens its own from them (a duplicate would inherit
        // the caller's maxRetriesPerRequest, which a blocking read refuses).
        connection: { ...redis.options, maxRetriesPerRequest: null, lazyConnect: false } as RedisOptions,
        prefix,
        lastEventId: last,
      });
      listener.on('error', reportError);
      const deliver = (jobId: string, returnvalue: unknown, failedReason: string | undefined): void => {
        finishedResult(jobId, returnvalue, failedReason).then(
          (result) => emitter.emit('result', result),
          (error: unknown) => {
            const wrapped = new Error(`[import-client] ${jobId}: finished, but its result could not be read: ${(error as Error)?.message ?? String(error)}`, { cause: error });
            emitter.emit(JOB_ERROR, jobId, wrapped);
            reportError(wrapped);
          },
        );
      };
      listener.on('completed', ({ jobId, returnvalue }) => deliver(jobId, returnvalue, undefined));
      listener.on('failed', ({ jobId, failedReason }) => deliver(jobId, undefined, failedReason));
      await listener.waitUntilReady();
      return listener;
    })();
    events.catch(() => {
      events = undefined;
    });
    return events;
  }

  return {
    async submit(input) {
      assertOpen();
      const submission = await prepareSubmission(input, keys.file, now());
      const { jobId, data } = submission;
      // The same file submitted again is the same job: nothing to store or add.
      if ((await queue.getJob(jobId)) !== undefined) return jobId;
      if (submission.bytes !== undefined && data.file.kind === 'redis') {
        const bytes = submission.bytes;
        // Stored before the job is added, so that a worker never takes a job whose bytes are not there.
        await redis.set(data.file.key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', fileTtlSeconds);
      }
      await enqueueImport(queue, data);
      return jobId;
    },

    async result(jobId) {
      assertOpen();
      if (typeof jobId !== 'string' || jobId === '') throw new ImportClientError({ code: 'invalid-input', message: `jobId: a job id as submit() returned it, got ${String(jobId)}` });
      return readJobStatus(queue, results, jobId);
    },

    async waitForResult(jobId, waitOptions = {}) {
      assertOpen();
      const { timeoutMs, signal } = waitOptions;
      if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs < 0)) throw optionError('timeoutMs', 'a number of ms ≥ 0', timeoutMs);
      if (signal?.aborted) throw signal.reason;
      await listen();
      // Closed while listening started.
      assertOpen();
      return new Promise<ImportResult>((resolve, reject) => {
        let settled = false;
        let timer: NodeJS.Timeout | undefined;
        const onResult = (result: ImportResult): void => {
          if (result.jobId === jobId) finish(() => resolve(result));
        };
        const onJobError = (id: string, error: Error): void => {
          if (id === jobId) finish(() => reject(error));
        };
        const onAbort = (): void => finish(() => reject(signal?.reason));
        const onClose = (error: Error): void => finish(() => reject(error));
        function finish(settle: () => void): void {
          if (settled) return;
          settled = true;
          emitter.off('result', onResult);
          emitter.off(JOB_ERROR, onJobError);
          signal?.removeEventListener('abort', onAbort);
          waiters.delete(onClose);
          if (timer !== undefined) clearTimeout(timer);
          settle();
        }
        emitter.on('result', onResult);
        emitter.on(JOB_ERROR, onJobError);
        signal?.addEventListener('abort', onAbort, { once: true });
        if (signal?.aborted) onAbort();
        waiters.add(onClose);
        if (timeoutMs !== undefined) {
          timer = setTimeout(
            () => finish(() => reject(new ImportClientError({ code: 'timeout', jobId, message: `${jobId}: no result within ${timeoutMs} ms` }))),
            timeoutMs,
          );
        }
        // Listening started before this read: a job that finishes now is seen by one or the other.
        readJobStatus(queue, results, jobId).then(
          (status) => {
            if (status.result !== undefined) finish(() => resolve(status.result as ImportResult));
            else if (status.state === 'unknown') finish(() => reject(new ImportClientError({ code: 'unknown-job', jobId, message: `${jobId}: no such job and no result (never submitted, or removed)` })));
          },
          (error: unknown) => finish(() => reject(error)),
        );
      });
    },

    async on(event, listener) {
      assertOpen();
      emitter.on(event, listener as (...args: unknown[]) => void);
      try {
        await listen();
      } catch (error) {
        emitter.off(event, listener as (...args: unknown[]) => void);
        throw error;
      }
    },

    off(event, listener) {
      emitter.off(event, listener as (...args: unknown[]) => void);
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const waiter of [...waiters]) waiter(closedError());
      emitter.removeAllListeners();
      const listening = events;
      events = undefined;
      if (listening !== undefined) await (await listening.catch(() => undefined))?.close();
      await queue.close();
      if (ownsRedis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
