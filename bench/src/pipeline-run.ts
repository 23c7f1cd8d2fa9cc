/**
 * One timed import of the corpus by one mode (the queue with 1 or 3 worker processes, the
 * embedded mode, the naive script), and how its results are tallied.
 */
import type { ImportResult } from '@optimo-import/worker';

export type PipelineModeId = 'queue-1x1' | 'queue-1x4' | 'queue-3x4' | 'embedded' | 'naive';

export interface PipelineMode {
  id: PipelineModeId;
  label: string;
  /** Worker processes (queue), else 1. */
  processes: number;
  /** Files worked at once per process. */
  concurrency: number;
}

/** Memory and CPU of one process of a run. */
export interface PipelineProcessStats {
  label: string;
  /** RSS once started and idle (a worker's `ready`, the naive script before its first file). */
  readyRssBytes?: number;
  /** VmHWM (peak resident set) at the end of the run. */
  peakRssBytes?: number;
  /** CPU ms used during the run (from ready, or from start for the embedded process). */
  cpuMs?: number;
}

export interface PipelineRunResult {
  mode: PipelineModeId;
  round: number;
  /** Files handed to the mode (one job each). */
  files: number;
  /** From the first file enqueued (queue, embedded) or read (naive) to the last result. */
  seconds?: number;
  /** Queue: the enqueueing alone, from the first `enqueueImport` to the last. */
  enqueueSeconds?: number;
  /** Embedded and naive: the process from spawn to exit (Node start, module loading and the end included). */
  processSeconds?: number;
  /** Files with a final result, by outcome (`imported`, `duplicate`, `partial`, `failed`). */
  outcomes: Record<string, number>;
  settled: number;
  /** Workouts uploaded (or found already uploaded), recognised as duplicates of another file's, failed. */
  uploaded: number;
  duplicates: number;
  failedWorkouts: number;
  /** Requests the results report (each upload's own count). */
  resultRequests: number;
  /** Requests the server counted for the account during the run: every request the pipeline sent. */
  serverRequests?: number;
  processes: PipelineProcessStats[];
  /** CPU ms of the sandbox process and of the Redis server (all its clients) during the run. */
  sandboxCpuMs?: number;
  redisCpuMs?: number;
  /** Naive script: time spent reading files, parsing, and in `uploadWorkout` (mapping, HTTPS, the server). */
  readMs?: number;
  parseMs?: number;
  uploadMs?: number;
  /**
   * Queue: the file whose job finished last (it ends the run): when a worker took it, ms after the
   * first enqueue, and how long it took (BullMQ's `processedOn` to `finishedOn`).
   */
  last?: { file: string; takenAtMs: number; ms: number };
  /** Anything that went other than planned; every failed file is listed. */
  notes: string[];
  /** Set when the run could not be measured at all. */
  failure?: string;
}

export function emptyRunResult(mode: PipelineModeId, round: number, files: number): PipelineRunResult {
  return { mode, round, files, outcomes: {}, settled: 0, uploaded: 0, duplicates: 0, failedWorkouts: 0, resultRequests: 0, processes: [], notes: [] };
}

/** Adds the worker's final results of a run (queue or embedded) to its tally; a failed or partial file is noted with its reason. */
export function tallyResults(run: PipelineRunResult, results: readonly (ImportResult | undefined)[]): void {
  for (const result of results) {
    if (result === undefined) continue;
    run.settled++;
    run.outcomes[result.outcome] = (run.outcomes[result.outcome] ?? 0) + 1;
    run.resultRequests += result.requests;
    for (const entry of result.entries) {
      if (entry.outcome === 'uploaded' || entry.outcome === 'already-uploaded') run.uploaded++;
      else if (entry.outcome === 'duplicate') run.duplicates++;
      else if (entry.outcome === 'failed' && entry.index !== undefined) run.failedWorkouts++;
    }
    if (result.outcome === 'failed' || result.outcome === 'partial') {
      run.notes.push(`${result.fileName}: ${result.outcome}${result.code ? ` (${result.code})` : ''}: ${result.reason ?? 'no reason given'}`);
    }
  }
}
