import { describeFailure } from './contender.js';
import { median, rotate, spreadPercent } from './stats.js';

/** One piece of synchronous work to time; it returns something so the work cannot be skipped. */
export interface TimedTask {
  id: string;
  run: () => unknown;
}

export interface TaskTiming {
  id: string;
  /** Milliseconds per run, one value per timed round. */
  timesMs: number[];
  medianMs?: number;
  spreadPercent?: number;
  /** Runs per timed sample. */
  iterations: number;
  failure?: string;
}

export interface RoundsOptions {
  rounds: number;
  warmup: number;
  /** Time for all tasks together, first run and warm-up included: past it fewer timed rounds (never under 3). */
  budgetSeconds: number;
  /** A timed sample repeats the task until it lasts about this long. */
  minSampleMs: number;
}

export interface RoundsResult {
  rounds: number;
  warmup: number;
  timings: TaskTiming[];
}

const MIN_ROUNDS = 3;
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/**
 * Times tasks the way the parse race times contenders (speed.ts): one untimed run each (a
 * task that throws is marked failed and left out), warm-up rounds, then timed rounds; in every
 * round each task runs once, in an order that rotates round by round, after a forced GC. The
 * reported time is the median of the timed rounds.
 */
export function timeRounds(tasks: readonly TimedTask[], options: RoundsOptions): RoundsResult {
  const started = performance.now();
  const entries = tasks.map((task) => ({ task, timing: { id: task.id, timesMs: [], iterations: 1 } as TaskTiming, lastMs: 0 }));
  for (const entry of entries) {
    const t0 = performance.now();
    try {
      entry.task.run();
    } catch (error) {
      entry.timing.failure = describeFailure(error);
    }
    entry.lastMs = performance.now() - t0;
  }
  const live = entries.filter((e) => !e.timing.failure);
  const budgetMs = options.budgetSeconds * 1000;
  for (let round = 0; round < options.warmup; round++) {
    for (const entry of rotate(live, round)) entry.lastMs = sample(entry.task, 1);
  }
  for (const entry of live) entry.timing.iterations = Math.min(10_000, Math.max(1, Math.ceil(options.minSampleMs / Math.max(entry.lastMs, 0.001))));
  const roundMs = live.reduce((sum, e) => sum + e.lastMs * e.timing.iterations, 0);
  const affordable = Math.floor((budgetMs - (performance.now() - started)) / Math.max(roundMs, 0.001));
  const rounds = Math.min(options.rounds, Math.max(MIN_ROUNDS, affordable));
  for (let round = 0; round < rounds; round++) {
    for (const entry of rotate(live, round)) {
      if (entry.timing.failure) continue;
      try {
        entry.timing.timesMs.push(sample(entry.task, entry.timing.iterations));
      } catch (error) {
        entry.timing.failure = `failed in round ${round + 1}: ${describeFailure(error)}`;
      }
    }
  }
  for (const { timing } of live) {
    if (timing.failure || timing.timesMs.length === 0) continue;
    timing.medianMs = median(timing.timesMs);
    timing.spreadPercent = spreadPercent(timing.timesMs);
  }
  return { rounds, warmup: options.warmup, timings: entries.map((e) => e.timing) };
}

/** Folds every result in, so the timed work cannot be optimised away. */
const sink = { value: 0 };

function sample(task: TimedTask, iterations: number): number {
  collectGarbage();
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const result = task.run();
    sink.value ^= typeof result === 'number' ? result : 1;
  }
  return (performance.now() - started) / iterations;
}

