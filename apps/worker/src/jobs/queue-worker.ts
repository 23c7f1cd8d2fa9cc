/**
 * The BullMQ worker: takes import jobs from Redis and runs `processImport`, turning its outcomes
 * into BullMQ's: a result → completed; `JobFailed` → failed at once (UnrecoverableError, never
 * retried); `JobRetry` → failed attempt, retried with capped exponential backoff; `JobHold` → the
 * account is held in Redis until the quota resets or the token is replaced, and this job and every
 * job of that account a worker takes meanwhile is moved to `delayed` until then (not a failure;
 * other accounts' jobs go on).
 *
 * A worker killed mid-job loses its lock; BullMQ's stalled check hands the job to another worker,
 * and the upload ledger makes that run look the workout up instead of sending it twice.
 */
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobIdOf, KEY_PREFIX, parseJobData, QUEUE_NAME } from './job-data.js';
import type { ImportJobData, ImportResult } from './job-data.js';
import { REDIS_KEYS } from './keys.js';
import { gaveUpResult, JobFailed, JobHold, JobRetry, processImport } from './process.js';
import { isRetryableOnRerun } from './rerun.js';
import type { ProcessDeps } from './process.js';
import { BACKOFF_TYPE, backoffDelay, JOB_ATTEMPTS } from './queue.js';

/**
 * A job for an account this worker has no config for is put back for this long at a time, so a
 * worker that has it can take it; after `unknownAccountGraceMs` since it was queued it fails
 * (`account-unknown`; a new `migrate` run tries it again).
 */
export const UNKNOWN_ACCOUNT_RETRY_MS = 30_000;
export const UNKNOWN_ACCOUNT_GRACE_MS = 60 * 60_000;

export interface ImportWorkerHooks {
  /** A job settled (completed, or failed for good with its result). */
  onResult?: (result: ImportResult, durationMs: number) => void;
  /** An attempt failed and will be retried, or a job was held. */
  onSetback?: (code: string, account: string) => void;
  onLog?: (line: Record<string, unknown>) => void;
}

export interface ImportWorkerOptions {
  /** A connection with `maxRetriesPerRequest: null` (BullMQ's blocking commands need it). */
  connection: Redis;
  deps: ProcessDeps;
  /** Jobs run at once in this process. Default 4. */
  concurrency?: number;
  hooks?: ImportWorkerHooks;
  /** How long a job's lock lives without renewal (a killed worker's job is taken over after it). Default 30 s. */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for. Default 15 s. */
  stalledIntervalMs?: number;
  /** How long a job of an account not configured here waits for a worker that has it. Default 1 hour. */
  unknownAccountGraceMs?: number;
  /** How long such a job is put back for at a time. Default 30 s. */
  unknownAccountRetryMs?: number;
  /** Start taking jobs at once (default) or wait for `run()`. */
  autorun?: boolean;
}

export interface ImportWorker {
  readonly worker: Worker<ImportJobData, ImportResult, string>;
  /** Stops taking jobs and waits for the ones in flight (`force`: abandons them; they are taken over later). */
  close(force?: boolean): Promise<void>;
}

interface Hold {
  until: number;
  code: string;
  reason: string;
}

async function readHold(redis: Redis, account: string): Promise<Hold | undefined> {
  const text = await redis.hget(REDIS_KEYS.accountHold, account);
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as Hold;
  } catch {
    return undefined;
  }
}

export function createImportWorker(options: ImportWorkerOptions): ImportWorker {
  const { connection, deps, hooks = {} } = options;
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`[worker] concurrency must be a whole number ≥ 1, got ${concurrency}`);
  const clock = deps.clock ?? Date.now;
  const unknownAccountGraceMs = options.unknownAccountGraceMs ?? UNKNOWN_ACCOUNT_GRACE_MS;
  const unknownAccountRetryMs = options.unknownAccountRetryMs ?? UNKNOWN_ACCOUNT_RETRY_MS;

  async function delay(job: Job<ImportJobData, ImportResult, string>, token: string | undefined, until: number): Promise<never> {
    // A little spread, so that the jobs of a held account do not all wake in the same millisecond.
    await job.moveToDelayed(until + Math.floor(Math.random() * 2000), token);
    throw new DelayedError();
  }

  /**
   * The bytes of a submitted file are needed until its result is final: then they go, so that
   * Redis holds files in flight, not every file ever submitted (a result that a new run may try
   * again keeps them; the 14-day expiry removes those eventually).
   */
  async function forgetStoredFile(data: ImportJobData, result: ImportResult): Promise<void> {
    if (data.file.kind !== 'redis' || isRetryableOnRerun(result, data)) return;
    await connection.del(data.file.key).catch(() => undefined);
  }

  async function processor(job: Job<ImportJobData, ImportResult, string>, token?: string, signal?: AbortSignal): Promise<ImportResult> {
    const started = clock();
    let data: ImportJobData;
    try {
      data = parseJobData(job.data);
    } catch (error) {
      hooks.onSetback?.('invalid-job', String((job.data as { account?: unknown })?.account ?? '?'));
      throw new UnrecoverableError((error as Error).message);
    }
    if (job.id !== jobIdOf(data.account, data.contentHash)) {
      throw new UnrecoverableError(`job id ${job.id} does not match its data (expected ${jobIdOf(data.account, data.contentHash)})`);
    }
    if (!deps.accounts.names().includes(data.account) && clock() - job.timestamp < unknownAccountGraceMs) {
      // Another worker may have this account in its config: leave the job to it for a while.
      hooks.onSetback?.('account-elsewhere', data.account);
      return delay(job, token, clock() + unknownAccountRetryMs);
    }
    const hold = await readHold(connection, data.account);
    if (hold !== undefined && hold.until > clock()) return delay(job, token, hold.until);
    try {
      const result = await processImport(data, { attemptsMade: job.attemptsMade, ...(signal === undefined ? {} : { signal }) }, deps);
      hooks.onResult?.(result, clock() - started);
      await forgetStoredFile(data, result);
      return result;
    } catch (error) {
      if (error instanceof JobFailed) {
        hooks.onResult?.(error.result, clock() - started);
        await forgetStoredFile(data, error.result);
        throw new UnrecoverableError(`${error.result.code ?? 'failed'}: ${error.message}`);
      }
      if (error instanceof JobHold) {
        hooks.onSetback?.(error.code, data.account);
        await connection.hset(REDIS_KEYS.accountHold, data.account, JSON.stringify({ until: error.until, code: error.code, reason: error.message }));
        hooks.onLog?.({ event: 'hold', account: data.account, code: error.code, until: new Date(error.until).toISOString(), reason: error.message });
        return delay(job, token, error.until);
      }
      const retry = error instanceof JobRetry ? error : new JobRetry('internal', (error as Error)?.message ?? String(error), { cause: error });
      hooks.onSetback?.(retry.code, data.account);
      const attempts = job.opts.attempts ?? JOB_ATTEMPTS;
      if (job.attemptsMade + 1 >= attempts) {
        const result = gaveUpResult(data, attempts, retry, clock());
        await deps.results.write(result).catch(() => undefined);
        hooks.onResult?.(result, clock() - started);
      }
      hooks.onLog?.({ event: 'retry', jobId: job.id, account: data.account, code: retry.code, attempt: job.attemptsMade + 1, reason: retry.message });
      throw new Error(`${retry.code}: ${retry.message}`, { cause: error });
    }
  }

  const worker = new Worker<ImportJobData, ImportResult, string>(QUEUE_NAME, processor, {
    connection,
    prefix: KEY_PREFIX,
    concurrency,
    autorun: options.autorun ?? true,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 15_000,
    // A job whose worker died is taken over up to 10 times before it is failed as stalled.
    maxStalledCount: 10,
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string) => (type === BACKOFF_TYPE ? backoffDelay(attemptsMade) : 5000),
    },
  });
  worker.on('error', (error) => hooks.onLog?.({ event: 'error', reason: error.message }));

  return {
    worker,
    close: (force = false) => worker.close(force),
  };
}
