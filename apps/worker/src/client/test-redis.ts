/**
 * Redis helpers of the client, metrics and status tests: the shared test Redis (127.0.0.1:6379),
 * a key prefix of their own per test file (`oi-test-<uuid>`), every key under it deleted at the
 * end, and a tiny BullMQ worker that finishes jobs the way the real one does (a result in the
 * result store, then completed or failed) without the real processor.
 */
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAME } from '../jobs/job-data.js';
import type { ImportJobData, ImportResult } from '../jobs/job-data.js';
import { createRedisResultStore } from '../jobs/result-store.js';

export const TEST_REDIS = { host: '127.0.0.1', port: 6379 } as const;

export function createTestPrefix(): string {
  return `oi-test-${randomUUID()}`;
}

export function connectTestRedis(): Redis {
  return new Redis({ ...TEST_REDIS, maxRetriesPerRequest: 2 });
}

/** Deletes every key under `prefix:`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** The result the real processor would store for a job, with the fields a test gives. */
export function resultOf(data: ImportJobData, jobId: string, fields: Partial<ImportResult> = {}): ImportResult {
  return {
    jobId,
    account: data.account,
    athleteId: data.athleteId,
    fileName: data.fileName,
    contentHash: data.contentHash,
    origin: data.origin,
    ...(data.migration === undefined ? {} : { migration: data.migration }),
    outcome: 'imported',
    workoutIds: ['w-1'],
    requests: 1,
    entries: [{ entry: data.fileName, index: 0, outcome: 'uploaded', workoutId: 'w-1', requests: 1 }],
    finishedAt: new Date().toISOString(),
    attempts: 1,
    ...fields,
  };
}

export interface TestWorkerOptions {
  prefix: string;
  /** What to store for a job; a `failed` outcome fails the job (UnrecoverableError) after storing it. Default: imported. */
  decide?: (data: ImportJobData, jobId: string) => ImportResult | { store: false; fail: string };
}

/** A BullMQ worker on the test prefix that stores a result and completes (or fails) each job. */
export function startTestWorker(options: TestWorkerOptions): { worker: Worker; close(): Promise<void> } {
  const storeConnection = connectTestRedis();
  const store = createRedisResultStore(storeConnection, options.prefix);
  const decide = options.decide ?? ((data: ImportJobData, jobId: string) => resultOf(data, jobId));
  const worker = new Worker(
    QUEUE_NAME,
    async (job: Job<ImportJobData, ImportResult, string>) => {
      const jobId = job.id as string;
      const decision = decide(job.data, jobId);
      if ('store' in decision) throw new UnrecoverableError(decision.fail);
      await store.write(decision);
      if (decision.outcome === 'failed') throw new UnrecoverableError(`${decision.code ?? 'failed'}: ${decision.reason ?? ''}`);
      return decision;
    },
    { connection: { ...TEST_REDIS, maxRetriesPerRequest: null }, prefix: options.prefix, concurrency: 2 },
  );
  return {
    worker,
    async close() {
      await worker.close();
      await storeConnection.quit();
    },
  };
}
