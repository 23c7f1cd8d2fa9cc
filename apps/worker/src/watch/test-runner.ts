/**
 * An in-memory `ImportRunner` for the watch folder's tests (the real pipeline is wired in by an
 * end-to-end test). It reads the file the job names, as the pipeline does, and decides by its
 * content:
 *
 * | content starts with | outcome                                                         |
 * | ------------------- | --------------------------------------------------------------- |
 * | `BAD`               | `failed`, code `corrupt`, one failed entry                       |
 * | `PARTIAL`           | `partial`: entry `a.fit` uploaded, entry `b.fit` failed `truncated` |
 * | `DUP`               | `duplicate`                                                      |
 * | anything else       | `imported`, one workout `w-<first 8 hex of the hash>`            |
 *
 * A job whose bytes do not hash to its `contentHash` fails with code `hash-mismatch` (a file read
 * before it was complete). `failNext(n)` makes the next `n` calls of `enqueue` throw, like a queue
 * whose Redis is down; `hold()` keeps new jobs unfinished until `release()`.
 */
import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../jobs/hash.js';
import { jobIdOf, parseJobData } from '../jobs/job-data.js';
import type { EntryReport, ImportJobData, ImportResult } from '../jobs/job-data.js';
import type { ImportRunner } from '../jobs/runner.js';
import type { EnqueueResult } from '../jobs/queue.js';

export interface TestRunner extends ImportRunner {
  /** Every enqueue call that succeeded, in order. */
  readonly enqueued: Array<{ data: ImportJobData; added: boolean }>;
  /** Calls of `enqueue`, failed ones included. */
  readonly calls: number;
  /** The next `count` calls of `enqueue` throw `Error(message)`. */
  failNext(count: number, message?: string): void;
  /** Jobs enqueued from now on are not finished until `release()`. */
  hold(): void;
  /** Finishes the held jobs and stops holding. */
  release(): void;
  /** `waitFor` calls that were aborted. */
  readonly aborted: number;
}

interface Job {
  data: ImportJobData;
  result?: ImportResult;
  waiters: Array<(result: ImportResult) => void>;
}

export function createTestRunner(): TestRunner {
  const jobs = new Map<string, Job>();
  const enqueued: Array<{ data: ImportJobData; added: boolean }> = [];
  const held: Job[] = [];
  let failures = 0;
  let failMessage = 'Redis is down';
  let holding = false;
  let calls = 0;
  let aborted = 0;

  const finish = async (job: Job): Promise<void> => {
    const result = await decide(job.data);
    job.result = result;
    const waiters = job.waiters;
    job.waiters = [];
    for (const wake of waiters) wake(result);
  };

  return {
    mode: 'embedded',
    enqueued,
    get calls() {
      return calls;
    },
    get aborted() {
      return aborted;
    },
    async enqueue(data: ImportJobData): Promise<EnqueueResult> {
      calls++;
      if (failures > 0) {
        failures--;
        throw new Error(failMessage);
      }
      const checked = parseJobData(data);
      const jobId = jobIdOf(checked.account, checked.contentHash);
      const before = jobs.get(jobId);
      if (before !== undefined) {
        enqueued.push({ data: checked, added: false });
        return { jobId, added: false };
      }
      const job: Job = { data: checked, waiters: [] };
      jobs.set(jobId, job);
      enqueued.push({ data: checked, added: true });
      if (holding) held.push(job);
      else setImmediate(() => void finish(job));
      return { jobId, added: true };
    },
    async result(jobId: string) {
      return jobs.get(jobId)?.result;
    },
    waitFor(jobId: string, signal?: AbortSignal): Promise<ImportResult> {
      const job = jobs.get(jobId);
      if (job === undefined) return Promise.reject(new Error(`test runner: no job ${jobId}`));
      if (job.result !== undefined) return Promise.resolve(job.result);
      return new Promise((resolve, reject) => {
        if (signal?.aborted) {
          aborted++;
          reject(signal.reason);
          return;
        }
        const onAbort = (): void => {
          aborted++;
          job.waiters = job.waiters.filter((w) => w !== wake);
          reject(signal?.reason);
        };
        const wake = (result: ImportResult): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        };
        job.waiters.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    async close() {},
    failNext(count: number, message = 'Redis is down') {
      failures = count;
      failMessage = message;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const job of held.splice(0)) void finish(job);
    },
  };
}

async function decide(data: ImportJobData): Promise<ImportResult> {
  if (data.file.kind !== 'path') throw new Error('test runner: only path jobs');
  const bytes = await readFile(data.file.path);
  const text = bytes.toString('latin1');
  const hash = sha256Hex(bytes);
  const base = {
    jobId: jobIdOf(data.account, data.contentHash),
    account: data.account,
    athleteId: data.athleteId,
    fileName: data.fileName,
    path: data.file.path,
    contentHash: data.contentHash,
    origin: data.origin,
    requests: 1,
    finishedAt: new Date().toISOString(),
    attempts: 1,
  };
  const entry = (fields: Partial<EntryReport> & Pick<EntryReport, 'outcome'>): EntryReport => ({ entry: data.fileName, requests: 1, ...fields });
  if (hash !== data.contentHash) {
    const reason = `[test] the bytes hash to ${hash}, the job says ${data.contentHash}`;
    return { ...base, outcome: 'failed', workoutIds: [], reason, code: 'hash-mismatch', entries: [entry({ outcome: 'failed', reason, code: 'hash-mismatch' })] };
  }
  if (text.startsWith('BAD')) {
    const reason = '[test] content starts with BAD';
    return { ...base, outcome: 'failed', workoutIds: [], reason, code: 'corrupt', entries: [entry({ outcome: 'failed', reason, code: 'corrupt' })] };
  }
  if (text.startsWith('PARTIAL')) {
    return {
      ...base,
      outcome: 'partial',
      workoutIds: ['w-a'],
      entries: [
        entry({ entry: `${data.fileName}!a.fit`, index: 0, outcome: 'uploaded', workoutId: 'w-a' }),
        entry({ entry: `${data.fileName}!b.fit`, outcome: 'failed', reason: '[test] b.fit is truncated', code: 'truncated' }),
      ],
    };
  }
  if (text.startsWith('DUP')) {
    return { ...base, outcome: 'duplicate', workoutIds: ['w-old'], entries: [entry({ index: 0, outcome: 'duplicate', workoutId: 'w-old' })] };
  }
  const workoutId = `w-${hash.slice(0, 8)}`;
  return { ...base, outcome: 'imported', workoutIds: [workoutId], entries: [entry({ index: 0, outcome: 'uploaded', workoutId })] };
}
