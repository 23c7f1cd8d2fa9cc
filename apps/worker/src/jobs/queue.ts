/**
 * The BullMQ queue: its name, prefix and job options, shared by everything that enqueues.
 */
import { Queue } from 'bullmq';
import type { JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobIdOf, KEY_PREFIX, parseJobData, PRIORITY, QUEUE_NAME } from './job-data.js';
import type { ImportJobData } from './job-data.js';

/** Attempts of a job that keeps failing for transient reasons (network, server errors): about 6 hours with the backoff below. */
export const JOB_ATTEMPTS = 40;
/** Backoff between attempts: 5 s doubling, at most 10 minutes, ±20% jitter. */
export const BACKOFF_TYPE = 'capped-exponential';
const DAY_MS = 86_400_000;

export function backoffDelay(attemptsMade: number, random: () => number = Math.random): number {
  const base = Math.min(5000 * 2 ** Math.max(0, attemptsMade - 1), 600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: JOB_ATTEMPTS,
  backoff: { type: BACKOFF_TYPE },
  // Finished jobs are kept for 30 days so that the same file enqueued again is recognised as one job.
  removeOnComplete: { age: 30 * 86_400 },
  removeOnFail: { age: 30 * 86_400 },
};

export type ImportQueue = Queue<ImportJobData, unknown, string>;

/**
 * The import queue on a connection (BullMQ duplicates it where it needs a blocking one).
 * `prefix`: the key prefix, `KEY_PREFIX` unless a test keeps its keys apart.
 */
export function createImportQueue(connection: Redis, prefix: string = KEY_PREFIX): ImportQueue {
  return new Queue<ImportJobData, unknown, string>(QUEUE_NAME, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
}

export interface EnqueueResult {
  jobId: string;
  /** False when a job with this id was already there (the same file enqueued before). */
  added: boolean;
}

/** Validates and enqueues one job; the same account + content hash is one job whatever its state. */
export async function enqueueImport(queue: ImportQueue, data: ImportJobData): Promise<EnqueueResult> {
  const checked = parseJobData(data);
  const jobId = jobIdOf(checked.account, checked.contentHash);
  const before = await queue.getJob(jobId);
  if (before !== undefined) return { jobId, added: false };
  await queue.add('import', checked, { jobId, priority: PRIORITY[checked.origin] });
  return { jobId, added: true };
}

export const RESULT_TTL_MS = 30 * DAY_MS;
