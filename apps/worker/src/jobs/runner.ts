/**
 * What the watch folder and a migration need of the pipeline, whether it runs on the BullMQ queue
 * (queue-runner.ts) or in this process (embedded-runner.ts).
 */
import type { ImportJobData, ImportResult } from './job-data.js';
import type { EnqueueResult } from './queue.js';

export interface ImportRunner {
  /** `queue` (BullMQ on Redis) or `embedded` (in this process, no Redis). */
  readonly mode: 'queue' | 'embedded';
  /** Enqueues one file; the same account + content hash is one job (`added: false` the second time). */
  enqueue(data: ImportJobData): Promise<EnqueueResult>;
  /** The job's final result, once it has one (a failed job has one too, outcome `failed`). */
  result(jobId: string): Promise<ImportResult | undefined>;
  /** Resolves with the job's final result when it has one; rejects with `signal.reason` when aborted. */
  waitFor(jobId: string, signal?: AbortSignal): Promise<ImportResult>;
  /** Stops waiting and releases connections (the queue keeps its jobs). */
  close(): Promise<void>;
}
