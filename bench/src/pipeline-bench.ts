/**
 * The pipeline's part of `pnpm bench`: files per second through the whole import (read, parse,
 * map, upload over HTTPS to the sandbox with the quota lifted) over the corpus, by the queue with
 * one and with three real worker processes, by the embedded mode, and by the naive script a user
 * would write instead; each process's peak memory. Besides, untimed by the pipeline: the CPU that
 * parsing and mapping the corpus take in one process, as a reference for where the time goes.
 */
import { planWorkoutUpload } from '@optimo-import/mapper';
import { parseFile } from '@optimo-import/parsers';
import type { Workout } from '@optimo-import/workout';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import { CORPUS_DIR } from './paths.js';
import type { PipelineCorpus } from './pipeline-corpus.js';
import { collectPipelineCorpus, PIPELINE_FOLDERS, QUICK_PIPELINE_FOLDERS } from './pipeline-corpus.js';
import { runEmbeddedMode } from './pipeline-embedded.js';
import { runNaiveMode } from './pipeline-naive.js';
import { BENCH_REDIS_URL, runQueueMode } from './pipeline-queue.js';
import type { PipelineMode, PipelineRunResult } from './pipeline-run.js';
import type { TaskTiming } from './rounds.js';
import { timeRounds } from './rounds.js';
import { SANDBOX_QUOTA, SANDBOX_TIME_ZONE } from './sandbox-bench.js';
import { rotate } from './stats.js';

/** Jobs at once per worker process: `optimo-import work`'s default. */
export const WORKER_CONCURRENCY = 4;
/** Files at once in the embedded mode: `optimo-import migrate`'s default. */
export const EMBEDDED_CONCURRENCY = 2;

export const PIPELINE_MODES: readonly PipelineMode[] = [
  { id: 'queue-1x1', label: 'queue, 1 worker process, 1 file at a time', processes: 1, concurrency: 1 },
  { id: 'queue-1x4', label: 'queue, 1 worker process', processes: 1, concurrency: WORKER_CONCURRENCY },
  { id: 'queue-3x4', label: 'queue, 3 worker processes', processes: 3, concurrency: WORKER_CONCURRENCY },
  { id: 'embedded', label: 'embedded (migrate without Redis)', processes: 1, concurrency: EMBEDDED_CONCURRENCY },
  { id: 'naive', label: 'naive script (parseFile + uploadWorkout, file by file)', processes: 1, concurrency: 1 },
];

/** The corpus as the results keep it: no bytes. */
export interface PipelineCorpusSummary {
  corpusDir: string;
  folders: readonly string[];
  files: number;
  bytes: number;
  workouts: number;
  samples: number;
  copies: string[];
  unusable: string[];
}

export interface PipelineReference {
  rounds: number;
  /** `parseFile` over every file, and `planWorkoutUpload` + every chunk body over every workout, in this process. */
  parse?: TaskTiming;
  plan?: TaskTiming;
}

export interface PipelineRun {
  startedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  options: BenchOptions;
  quota: number;
  timeZone: string;
  redis: string;
  workerConcurrency: number;
  embeddedConcurrency: number;
  corpus: PipelineCorpusSummary;
  reference: PipelineReference;
  modes: readonly PipelineMode[];
  runs: PipelineRunResult[];
  skipped: string[];
}

export async function runPipelineBench(options: BenchOptions, machine: MachineInfo, log: (line: string) => void): Promise<PipelineRun> {
  const startedAt = new Date();
  const corpus = collectPipelineCorpus(CORPUS_DIR, options.quick ? QUICK_PIPELINE_FOLDERS : PIPELINE_FOLDERS);
  const skipped = [...corpus.skipped];
  log(`[bench] pipeline: ${corpus.files.length} files (${(corpus.bytes / 1e6).toFixed(1)} MB, ${corpus.workouts} workouts) from corpus/${corpus.folders.join(', ')}; ${corpus.copies.length} copies and ${corpus.unusable.length} files without a workout left out`);
  const reference = measureReference(corpus, options);
  log(`[bench] pipeline reference: parseFile over the corpus ${reference.parse?.medianMs?.toFixed(0) ?? '—'} ms, planning every body ${reference.plan?.medianMs?.toFixed(0) ?? '—'} ms`);

  const runs: PipelineRunResult[] = [];
  if (corpus.files.length) {
    for (let round = 0; round < options.rounds; round++) {
      for (const mode of rotate(PIPELINE_MODES, round)) {
        const run = mode.id === 'embedded' ? await runEmbeddedMode(mode, round + 1, corpus.files) : mode.id === 'naive' ? await runNaiveMode(mode, round + 1, corpus.files) : await runQueueMode(mode, round + 1, corpus.files);
        runs.push(run);
        log(`[bench] pipeline round ${round + 1} ${describePipelineRun(run)}`);
      }
    }
  }
  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine,
    options,
    quota: SANDBOX_QUOTA,
    timeZone: SANDBOX_TIME_ZONE,
    redis: BENCH_REDIS_URL,
    workerConcurrency: WORKER_CONCURRENCY,
    embeddedConcurrency: EMBEDDED_CONCURRENCY,
    corpus: { corpusDir: corpus.corpusDir, folders: corpus.folders, files: corpus.files.length, bytes: corpus.bytes, workouts: corpus.workouts, samples: corpus.samples, copies: corpus.copies, unusable: corpus.unusable },
    reference,
    modes: PIPELINE_MODES,
    runs,
    skipped,
  };
}

/** Parse and plan the corpus in this process, with the rounds of the parse race: the CPU the pipeline cannot avoid. */
function measureReference(corpus: PipelineCorpus, options: BenchOptions): PipelineReference {
  const workouts: Workout[] = corpus.files.flatMap((file) => parseFile(file.bytes, { fileName: file.fileName }).flatMap((entry) => (entry.status === 'ok' ? entry.workouts : [])));
  const planOptions = { athleteId: '1', timeZone: SANDBOX_TIME_ZONE };
  const result = timeRounds(
    [
      { id: 'parse', run: () => corpus.files.reduce((sum, file) => sum + parseFile(file.bytes, { fileName: file.fileName }).length, 0) },
      {
        id: 'plan',
        run: () =>
          workouts.reduce((sum, workout) => {
            const plan = planWorkoutUpload(workout, planOptions);
            return sum + plan.create.length + plan.chunks.reduce((bytes, chunk) => bytes + chunk.build('123456').length, 0);
          }, 0),
      },
    ],
    { rounds: options.rounds, warmup: options.warmup, budgetSeconds: 30, minSampleMs: 10 },
  );
  const find = (id: string): TaskTiming | undefined => result.timings.find((t) => t.id === id);
  const parse = find('parse');
  const plan = find('plan');
  return { rounds: result.rounds, ...(parse === undefined ? {} : { parse }), ...(plan === undefined ? {} : { plan }) };
}

export function describePipelineRun(run: PipelineRunResult): string {
  if (run.failure) return `${run.mode}: not measured: ${run.failure}`;
  const rate = run.seconds ? (run.files / run.seconds).toFixed(1) : '—';
  const peaks = run.processes.map((p) => (p.peakRssBytes === undefined ? '—' : (p.peakRssBytes / 1e6).toFixed(0))).join('/');
  return `${run.mode}: ${run.settled}/${run.files} files in ${run.seconds?.toFixed(2) ?? '—'} s (${rate} files/s), ${run.uploaded} uploaded, ${run.duplicates} duplicates, ${run.serverRequests ?? '—'} requests, sandbox CPU ${((run.sandboxCpuMs ?? 0) / 1000).toFixed(1)} s, peak RSS ${peaks} MB${run.notes.length ? `, ${run.notes.length} note(s)` : ''}`;
}
