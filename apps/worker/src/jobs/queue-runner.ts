/**
 * `ImportRunner` over the BullMQ queue: jobs go to Redis, any worker runs them, results are read
 * from the result store (polled, so that a wait survives a Redis restart and needs no event stream).
 */
import { setMaxListeners } from 'node:events';
import type { Redis } from 'ioredis';
import { isMappingRerun } from './rerun.js';
import { jobIdOf } from './job-data.js';
import { createImportQueue, enqueueImport } from './queue.js';
import type { ImportQueue } from './queue.js';
import { createRedisResultStore } from './result-store.js';
import type { ImportRunner } from './runner.js';

export interface QueueRunnerOptions {
  redis: Redis;
  /** How often a wait looks for the result. Default 500 ms. */
  pollMs?: number;
}

export function createQueueRunner(options: QueueRunnerOptions): ImportRunner & { readonly queue: ImportQueue } {
  const { redis } = options;
  const pollMs = options.pollMs ?? 500;
  const queue = createImportQueue(redis);
  // Redis away for a moment: the connection reconnects and the commands that fail say so; without
  // a listener BullMQ prints each connection error, stack and all, to stderr.
  queue.on('error', () => undefined);
  const results = createRedisResultStore(redis);
  const stop = new AbortController();
  // Every wait listens to it (the watch folder waits for 16 files at once): no leak warning.
  setMaxListeners(0, stop.signal);
  return {
    mode: 'queue',
    queue,
    async enqueue(data) {
      if (data.csvMapping !== undefined) {
        // A file that failed to parse, sent again with a CSV mapping: the old job and result go, the new job reads it with the mapping.
        const jobId = jobIdOf(data.account, data.contentHash);
        const before = await results.read(jobId);
        const stale = before !== undefined && isMappingRerun(before, data) ? await queue.getJob(jobId) : undefined;
        if (stale !== undefined && (await stale.getState()) === 'failed') {
          await stale.remove();
          await results.remove(jobId);
        }
      }
      return enqueueImport(queue, data);
    },
    result: (jobId) => results.read(jobId),
    async waitFor(jobId, signal) {
      for (;;) {
        if (signal?.aborted) throw signal.reason;
        if (stop.signal.aborted) throw stop.signal.reason;
        try {
          const result = await results.read(jobId);
          if (result !== undefined) return result;
        } catch {
          // Redis away for a moment: ioredis reconnects; keep waiting.
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, pollMs);
          function done(): void {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            stop.signal.removeEventListener('abort', done);
            resolve();
          }
          signal?.addEventListener('abort', done, { once: true });
          stop.signal.addEventListener('abort', done, { once: true });
        });
      }
    },
    async close() {
      stop.abort(new Error('the runner is closed'));
      await queue.close();
    },
  };
}
