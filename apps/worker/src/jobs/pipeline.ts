/**
 * Assembles what `processImport` needs for one mode: in queue mode everything shared lives in
 * Redis (limiter, ledger, duplicate claims, results, held accounts); in embedded mode it lives in
 * this process and in the state folder (`ledger.jsonl`, `results.jsonl`).
 */
import { join } from 'node:path';
import type { ClientLogEntry, HttpsFetch } from '@optimo-import/uploader';
import type { Redis } from 'ioredis';
import type { ResolvedAccount } from '../config.js';
import { createAccountRuntimes } from './accounts.js';
import type { AccountRuntimes } from './accounts.js';
import { createEmbeddedRunner, restoreRecordings } from './embedded-runner.js';
import type { EmbeddedRunner, EmbeddedRunnerOptions } from './embedded-runner.js';
import type { EntryReport, ImportResult } from './job-data.js';
import type { ProcessDeps } from './process.js';
import { createMemoryRecordingStore, createRedisRecordingStore } from './recordings.js';
import { createFileResultStore, createRedisResultStore } from './result-store.js';
import type { ResultStore } from './result-store.js';

export interface PipelineOptions {
  accounts: readonly ResolvedAccount[];
  daySeconds?: number;
  fetch?: HttpsFetch;
  log?: (entry: ClientLogEntry) => void;
  onEntry?: (entry: EntryReport, account: string) => void;
  reconcileDelayMs?: number;
  /** How long an account whose token was refused waits (default `TOKEN_HOLD_MS`, 5 minutes). */
  tokenHoldMs?: number;
}

export interface QueuePipeline {
  deps: ProcessDeps;
  accounts: AccountRuntimes;
  results: ResultStore;
  close(): Promise<void>;
}

export function createQueuePipeline(redis: Redis, options: PipelineOptions): QueuePipeline {
  const accounts = createAccountRuntimes({ accounts: options.accounts, redis, ...pick(options) });
  const results = createRedisResultStore(redis);
  const deps: ProcessDeps = {
    accounts,
    recordings: createRedisRecordingStore(redis),
    results,
    readStored: async (key) => (await redis.getBuffer(key)) ?? undefined,
    ...(options.onEntry === undefined ? {} : { onEntry: options.onEntry }),
    ...(options.reconcileDelayMs === undefined ? {} : { reconcileDelayMs: options.reconcileDelayMs }),
    ...(options.tokenHoldMs === undefined ? {} : { tokenHoldMs: options.tokenHoldMs }),
  };
  return { deps, accounts, results, close: () => accounts.close() };
}

export interface EmbeddedPipeline {
  runner: EmbeddedRunner;
  accounts: AccountRuntimes;
  results: ResultStore & { all(): Promise<ImportResult[]> };
  /** Jobs in flight finish first (`force`: abandoned), see `EmbeddedRunner.close`. */
  close(force?: boolean): Promise<void>;
}

/** The embedded pipeline over `stateDir`; earlier results are read and their recordings claimed again. */
export async function createEmbeddedPipeline(stateDir: string, options: PipelineOptions & Omit<EmbeddedRunnerOptions, 'deps'>): Promise<EmbeddedPipeline> {
  const accounts = createAccountRuntimes({ accounts: options.accounts, stateDir, ...pick(options) });
  const results = createFileResultStore(join(stateDir, 'results.jsonl'));
  const recordings = createMemoryRecordingStore();
  await restoreRecordings(recordings, await results.all());
  const deps: ProcessDeps = {
    accounts,
    recordings,
    results,
    ...(options.onEntry === undefined ? {} : { onEntry: options.onEntry }),
    ...(options.reconcileDelayMs === undefined ? {} : { reconcileDelayMs: options.reconcileDelayMs }),
    ...(options.tokenHoldMs === undefined ? {} : { tokenHoldMs: options.tokenHoldMs }),
  };
  const runner = createEmbeddedRunner({
    deps,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.onResult === undefined ? {} : { onResult: options.onResult }),
    ...(options.onLog === undefined ? {} : { onLog: options.onLog }),
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
  });
  return {
    runner,
    accounts,
    results,
    async close(force = false) {
      await runner.close(force);
      await accounts.close();
    },
  };
}

function pick(options: PipelineOptions): { daySeconds?: number; fetch?: HttpsFetch; log?: (entry: ClientLogEntry) => void } {
  return {
    ...(options.daySeconds === undefined ? {} : { daySeconds: options.daySeconds }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.log === undefined ? {} : { log: options.log }),
  };
}
