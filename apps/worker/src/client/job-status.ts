/**
 * A job's state as another service sees it: BullMQ's state folded into six words, and the final
 * `ImportResult` once there is one. The result store holds the result; a job that finished without
 * one (a worker that died between the two writes, a producer's job that failed validation) gets
 * one made from what BullMQ kept, so that a caller waiting for a result always gets one.
 */
import type { ImportJobData, ImportResult } from '../jobs/job-data.js';
import type { ImportQueue } from '../jobs/queue.js';
import type { ResultStore } from '../jobs/result-store.js';

/** `waiting` includes BullMQ's `prioritized` and `waiting-children`; `unknown`: no such job (never enqueued, or removed). */
export type ImportJobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'unknown';

export interface ImportJobStatus {
  jobId: string;
  state: ImportJobState;
  /** The final result: when `completed` or `failed`, and when the job is gone but its result is kept. */
  result?: ImportResult;
  /** BullMQ's `failedReason`: why the last attempt failed (a failed job, or a delayed one between attempts). */
  failedReason?: string;
  /** Attempts made so far (0 before the first ends). */
  attemptsMade: number;
}

/** BullMQ's job state → `ImportJobState`. */
export function importJobStateOf(state: string): ImportJobState {
  switch (state) {
    case 'waiting':
    case 'wait':
    case 'prioritized':
    case 'waiting-children':
    case 'paused':
      return 'waiting';
    case 'active':
    case 'delayed':
    case 'completed':
    case 'failed':
      return state;
    default:
      return 'unknown';
  }
}

/** `value` if it looks like an `ImportResult` (a worker's return value), else undefined. */
export function asImportResult(value: unknown): ImportResult | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<ImportResult>;
  return typeof candidate.jobId === 'string' && typeof candidate.outcome === 'string' && Array.isArray(candidate.workoutIds) ? (value as ImportResult) : undefined;
}

/** A `failed` result made from a job's data (as much as it holds) and a reason. */
export function resultFromJob(jobId: string, data: unknown, reason: string, attempts: number, finishedOn: number | undefined): ImportResult {
  const known = (typeof data === 'object' && data !== null ? data : {}) as Partial<ImportJobData>;
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const file = known.file;
  return {
    jobId,
    account: text(known.account) || (jobId.split('@')[0] ?? ''),
    athleteId: text(known.athleteId),
    fileName: text(known.fileName),
    ...(file?.kind === 'path' && typeof file.path === 'string' ? { path: file.path } : {}),
    contentHash: text(known.contentHash) || (jobId.split('@')[1] ?? ''),
    origin: known.origin ?? 'submit',
    ...(typeof known.migration === 'string' ? { migration: known.migration } : {}),
    outcome: 'failed',
    workoutIds: [],
    requests: 0,
    reason,
    entries: [],
    finishedAt: new Date(finishedOn ?? Date.now()).toISOString(),
    attempts,
  };
}

/** The job's state and, when it has finished, its result. */
export async function readJobStatus(queue: ImportQueue, results: ResultStore, jobId: string): Promise<ImportJobStatus> {
  const job = await queue.getJob(jobId);
  if (job === undefined) {
    const stored = await results.read(jobId);
    if (stored === undefined) return { jobId, state: 'unknown', attemptsMade: 0 };
    return { jobId, state: stored.outcome === 'failed' ? 'failed' : 'completed', result: stored, attemptsMade: stored.attempts };
  }
  const state = importJobStateOf(await job.getState());
  const attemptsMade = job.attemptsMade ?? 0;
  const failedReason = typeof job.failedReason === 'string' && job.failedReason !== '' ? job.failedReason : undefined;
  const status: ImportJobStatus = { jobId, state, attemptsMade, ...(failedReason === undefined ? {} : { failedReason }) };
  if (state !== 'completed' && state !== 'failed') return status;
  const result =
    (await results.read(jobId)) ??
    asImportResult(job.returnvalue) ??
    resultFromJob(jobId, job.data, failedReason ?? 'the job finished without leaving a result', attemptsMade, job.finishedOn);
  return { ...status, result };
}
