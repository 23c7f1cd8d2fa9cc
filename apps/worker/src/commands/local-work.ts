/**
 * The pipeline a `watch` or `migrate` process runs for itself: in queue mode the jobs go to Redis
 * and, unless `--no-work`, this process also works them as one more worker; in embedded mode an
 * in-process runner over the state folder.
 */
import type { LimiterStatus } from '@optimo-import/uploader';
import type { ImportResult } from '../jobs/job-data.js';
import { createEmbeddedPipeline, createQueuePipeline } from '../jobs/pipeline.js';
import type { AccountRuntimes } from '../jobs/accounts.js';
import { createQueueRunner } from '../jobs/queue-runner.js';
import type { ImportQueue } from '../jobs/queue.js';
import { createImportWorker } from '../jobs/queue-worker.js';
import type { ImportWorker } from '../jobs/queue-worker.js';
import type { ResultStore } from '../jobs/result-store.js';
import type { ImportRunner } from '../jobs/runner.js';
import type { RunContext } from './run-context.js';

export interface LocalWork {
  runner: ImportRunner;
  results: ResultStore;
  /** Queue mode: the BullMQ queue. */
  queue?: ImportQueue;
  /** Quota of the accounts this process has used so far. */
  quota(): Promise<Array<{ account: string; status: LimiterStatus }>>;
  /** Builds an account's runtime (learns its zone, syncs nothing yet); rejects when it cannot. */
  account(name: string): ReturnType<AccountRuntimes['get']>;
  /** Stops working: jobs in flight finish (`force`: are abandoned, to be taken over later). */
  close(force?: boolean): Promise<void>;
}

export interface LocalWorkOptions {
  /** Queue mode: also run a worker here. Default true. */
  work?: boolean;
  concurrency?: number;
  onResult?: (result: ImportResult) => void;
  onLog?: (line: Record<string, unknown>) => void;
}

export async function startLocalWork(run: RunContext, options: LocalWorkOptions = {}): Promise<LocalWork> {
  // Every configured account, not only the one this command imports for: the worker in this
  // process also takes other accounts' jobs from the shared queue.
  const base = {
    accounts: run.mode === 'queue' ? run.config.accounts : run.accounts,
    ...(run.daySeconds === undefined ? {} : { daySeconds: run.daySeconds }),
    ...(run.tokenHoldMs === undefined ? {} : { tokenHoldMs: run.tokenHoldMs }),
  };
  if (run.mode === 'queue') {
    const redis = run.redis;
    if (redis === undefined) throw new Error('queue mode without Redis');
    const pipeline = createQueuePipeline(redis, base);
    const runner = createQueueRunner({ redis });
    let worker: ImportWorker | undefined;
    if (options.work !== false) {
      worker = createImportWorker({
        connection: redis,
        deps: pipeline.deps,
        concurrency: options.concurrency ?? 4,
        hooks: {
          ...(options.onResult === undefined ? {} : { onResult: (result: ImportResult) => options.onResult?.(result) }),
          ...(options.onLog === undefined ? {} : { onLog: options.onLog }),
        },
      });
    }
    return {
      runner,
      results: pipeline.results,
      queue: runner.queue,
      quota: () => pipeline.accounts.quota(),
      account: (name) => pipeline.accounts.get(name),
      async close(force = false) {
        await worker?.close(force);
        await runner.close();
        await pipeline.close();
      },
    };
  }
  const stateDir = run.stateDir;
  if (stateDir === undefined) throw new Error('embedded mode without a state folder');
  const pipeline = await createEmbeddedPipeline(stateDir, {
    ...base,
    concurrency: options.concurrency ?? 2,
    ...(options.onResult === undefined ? {} : { onResult: (result: ImportResult) => options.onResult?.(result) }),
    ...(options.onLog === undefined ? {} : { onLog: options.onLog }),
  });
  return {
    runner: pipeline.runner,
    results: pipeline.results,
    quota: () => pipeline.accounts.quota(),
    account: (name) => pipeline.accounts.get(name),
    close: (force = false) => pipeline.close(force),
  };
}
