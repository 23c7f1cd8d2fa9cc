/**
 * The embedded mode: the pipeline in this process, without Redis. The same `processImport` as the
 * BullMQ worker, with the in-process limiter, a file ledger and a results file in the state
 * folder, so that a run stopped by Ctrl-C or a crash goes on where it stopped: a file whose
 * result is in the results file is not run again, and a workout the ledger knows is not sent again.
 *
 * Jobs run `concurrency` at once, files a person waits for (watch, submit) before a migration's.
 * A held account (quota spent, token refused) waits in place while other accounts' jobs go on;
 * a transient failure is tried again after the same capped backoff as the queue's.
 */
import { jobIdOf } from './job-data.js';
import type { ImportJobData, ImportResult } from './job-data.js';
import type { RecordingStore } from './recordings.js';
import { gaveUpResult, JobFailed, JobHold, JobRetry, processImport } from './process.js';
import type { ProcessDeps } from './process.js';
import { backoffDelay, JOB_ATTEMPTS } from './queue.js';
import { isMappingRerun, isRetryableOnRerun } from './rerun.js';
import type { EnqueueResult } from './queue.js';
import type { ImportRunner } from './runner.js';

/** Claims the recordings of earlier results again (the embedded duplicate check starts empty). */
export async function restoreRecordings(recordings: RecordingStore, results: readonly ImportResult[]): Promise<void> {
  for (const result of results) {
    for (const entry of result.entries) {
      if ((entry.outcome !== 'uploaded' && entry.outcome !== 'already-uploaded') || entry.fingerprint === undefined) continue;
      await recordings.claim(result.account, result.athleteId, entry.fingerprint, {
        jobId: result.jobId,
        slot: `${entry.entry}#${entry.index ?? 0}`,
        fileName: result.fileName,
        ...(entry.workoutId === undefined ? {} : { workoutId: entry.workoutId }),
      });
    }
  }
}

export interface EmbeddedRunnerOptions {
  deps: ProcessDeps;
  /** Jobs at once. Default 2. */
  concurrency?: number;
  onResult?: (result: ImportResult, durationMs: number) => void;
  onLog?: (line: Record<string, unknown>) => void;
  /** Longest wait between attempts of a transient failure (tests shorten it). Default: the queue's backoff. */
  backoff?: (attemptsMade: number) => number;
}

export interface EmbeddedCounts {
  waiting: number;
  active: number;
  /** Waiting for a held account or a retry. */
  delayed: number;
}

export interface EmbeddedRunner extends ImportRunner {
  /** Resolves when nothing is waiting or running. */
  idle(): Promise<void>;
  counts(): EmbeddedCounts;
  /** Accounts held now, with until when and why. */
  holds(): Array<{ account: string; until: number; reason: string }>;
  /**
   * Takes no more jobs and forgets the waiting ones (a new run finds them again); the jobs in
   * flight finish and store their results first (`force`: they are abandoned at once, and the
   * ledger makes the next run look up what they may have sent).
   */
  close(force?: boolean): Promise<void>;
}

interface Pending {
  data: ImportJobData;
  jobId: string;
  attemptsMade: number;
  notBefore: number;
}

export function createEmbeddedRunner(options: EmbeddedRunnerOptions): EmbeddedRunner {
  const { deps } = options;
  const clock = deps.clock ?? Date.now;
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`[embedded] concurrency must be a whole number ≥ 1, got ${concurrency}`);
  const backoff = options.backoff ?? backoffDelay;
  const urgent: Pending[] = [];
  const normal: Pending[] = [];
  const known = new Set<string>();
  const waiters = new Map<string, Array<(result: ImportResult) => void>>();
  const holds = new Map<string, { until: number; reason: string }>();
  const idlers: Array<() => void> = [];
  const stop = new AbortController();
  let active = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function settle(result: ImportResult): void {
    known.delete(result.jobId);
    for (const resolve of waiters.get(result.jobId) ?? []) resolve(result);
    waiters.delete(result.jobId);
  }

  function ready(pending: Pending, now: number): boolean {
    const hold = holds.get(pending.data.account);
    return pending.notBefore <= now && (hold === undefined || hold.until <= now);
  }

  function take(now: number): Pending | undefined {
    for (const lane of [urgent, normal]) {
      const index = lane.findIndex((pending) => ready(pending, now));
      if (index >= 0) return lane.splice(index, 1)[0];
    }
    return undefined;
  }

  function pump(): void {
    if (closed) return;
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    const now = clock();
    while (active < concurrency) {
      const next = take(now);
      if (next === undefined) break;
      active += 1;
      void run(next).finally(() => {
        active -= 1;
        pump();
      });
    }
    const waiting = [...urgent, ...normal];
    if (waiting.length === 0 && active === 0) {
      for (const resolve of idlers.splice(0)) resolve();
      return;
    }
    if (active < concurrency && waiting.length > 0) {
      const wake = Math.min(...waiting.map((pending) => Math.max(pending.notBefore, holds.get(pending.data.account)?.until ?? 0)));
      timer = setTimeout(pump, Math.max(10, Math.min(wake - now, 60_000)));
    }
  }

  async function run(pending: Pending): Promise<void> {
    const started = clock();
    try {
      const result = await processImport(pending.data, { attemptsMade: pending.attemptsMade, signal: stop.signal }, deps);
      options.onResult?.(result, clock() - started);
      settle(result);
    } catch (error) {
      if (error instanceof JobFailed) {
        options.onResult?.(error.result, clock() - started);
        settle(error.result);
        return;
      }
      if (closed) return; // left for the next run: the results file does not hold it
      const lane = pending.data.origin === 'migrate' ? normal : urgent;
      if (error instanceof JobHold) {
        holds.set(pending.data.account, { until: error.until, reason: error.message });
        options.onLog?.({ event: 'hold', account: pending.data.account, code: error.code, until: new Date(error.until).toISOString(), reason: error.message });
        lane.unshift(pending);
        return;
      }
      const retry = error instanceof JobRetry ? error : new JobRetry('internal', (error as Error)?.message ?? String(error), { cause: error });
      const attemptsMade = pending.attemptsMade + 1;
      options.onLog?.({ event: 'retry', jobId: pending.jobId, code: retry.code, attempt: attemptsMade, reason: retry.message });
      if (attemptsMade >= JOB_ATTEMPTS) {
        const result = gaveUpResult(pending.data, attemptsMade, retry, clock());
        await deps.results.write(result).catch(() => undefined);
        options.onResult?.(result, clock() - started);
        settle(result);
        return;
      }
      lane.push({ ...pending, attemptsMade, notBefore: clock() + backoff(attemptsMade) });
    }
  }

  return {
    mode: 'embedded',
    async enqueue(data): Promise<EnqueueResult> {
      if (closed) throw new Error('[embedded] the runner is closed');
      const jobId = jobIdOf(data.account, data.contentHash);
      if (known.has(jobId)) return { jobId, added: false };
      const before = await deps.results.read(jobId);
      if (before !== undefined && !isRetryableOnRerun(before, data)) return { jobId, added: false };
      if (known.has(jobId)) return { jobId, added: false };
      if (before !== undefined && isMappingRerun(before, data)) await deps.results.remove(jobId);
      known.add(jobId);
      (data.origin === 'migrate' ? normal : urgent).push({ data, jobId, attemptsMade: 0, notBefore: 0 });
      pump();
      return { jobId, added: true };
    },
    async result(jobId) {
      if (known.has(jobId)) return undefined;
      return deps.results.read(jobId);
    },
    async waitFor(jobId, signal) {
      if (!known.has(jobId)) {
        const done = await deps.results.read(jobId);
        if (done !== undefined) return done;
      }
      return new Promise<ImportResult>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const list = waiters.get(jobId) ?? [];
        const onAbort = (): void => {
          const index = list.indexOf(done);
          if (index >= 0) list.splice(index, 1);
          reject(signal?.reason);
        };
        const done = (result: ImportResult): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        };
        list.push(done);
        waiters.set(jobId, list);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    idle() {
      if (urgent.length + normal.length + active === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idlers.push(resolve));
    },
    counts() {
      const now = clock();
      const waiting = [...urgent, ...normal];
      const delayed = waiting.filter((pending) => !ready(pending, now)).length;
      return { waiting: waiting.length - delayed, active, delayed };
    },
    holds() {
      const now = clock();
      return [...holds.entries()].filter(([, hold]) => hold.until > now).map(([account, hold]) => ({ account, ...hold }));
    },
    async close(force = false) {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      if (force) stop.abort(new Error('the runner is closing'));
      urgent.length = 0;
      normal.length = 0;
      while (active > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      stop.abort(new Error('the runner is closed'));
      for (const resolve of idlers.splice(0)) resolve();
    },
  };
}
