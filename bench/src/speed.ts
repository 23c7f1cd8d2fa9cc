import type { Contender, LoadedContender } from './contender.js';
import { describeFailure, runParse } from './contender.js';
import type { BenchFile } from './files.js';
import { median, rotate, spreadPercent } from './stats.js';

export interface SpeedRunOptions {
  rounds: number;
  warmup: number;
  /**
   * Time for one file, warm-up included: past it a file gets fewer timed rounds (never under 3),
   * and a file whose first parses already fill it gets no warm-up round (the first, untimed
   * parse of a multi-second run has warmed the code).
   */
  budgetSeconds: number;
  /** A timed sample repeats the parse until it lasts about this long (small files). */
  minSampleMs: number;
}

export interface ContenderSpeed {
  contenderId: string;
  /** From one untimed parse before the warm-up; absent when the contender failed. */
  records?: number;
  failure?: string;
  warnings?: string[];
  /** Milliseconds per parse, one value per timed round. */
  timesMs: number[];
  medianMs?: number;
  spreadPercent?: number;
  /** Parses per timed sample. */
  iterations: number;
}

export interface FileSpeed {
  file: BenchFile;
  rounds: number;
  warmup: number;
  results: ContenderSpeed[];
}

interface Entry {
  contender: Contender;
  loaded: LoadedContender;
  result: ContenderSpeed;
  lastMs: number;
}

/** The fewest timed rounds a file gets, whatever the budget says. */
const MIN_ROUNDS = 3;

const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/**
 * Races the contenders on one file in this process. First one untimed parse each (the record
 * count and whether it fails), then warm-up rounds, then timed rounds. In every round each
 * contender parses once, in an order that rotates round by round, after a forced GC so no one
 * pays for another's garbage. The reported time is the median of the timed rounds.
 */
export async function measureFileSpeed(
  file: BenchFile,
  contenders: readonly { contender: Contender; loaded: LoadedContender }[],
  options: SpeedRunOptions,
): Promise<FileSpeed> {
  const input = { name: file.name, format: file.format, bytes: file.bytes };
  const fileStarted = performance.now();
  const entries: Entry[] = [];
  for (const { contender, loaded } of contenders) {
    const result: ContenderSpeed = { contenderId: contender.id, timesMs: [], iterations: 1 };
    const started = performance.now();
    try {
      const outcome = loaded.inspect(await runParse(loaded, input));
      result.records = outcome.records;
      if (outcome.failure) result.failure = outcome.failure;
      if (outcome.warnings?.length) result.warnings = outcome.warnings;
    } catch (error) {
      result.failure = describeFailure(error);
    }
    entries.push({ contender, loaded, result, lastMs: performance.now() - started });
  }
  const racing = entries.filter((e) => !e.result.failure);
  const budgetMs = options.budgetSeconds * 1000;
  const coldRoundMs = racing.reduce((sum, e) => sum + e.lastMs, 0);
  // A contender that needs seconds per parse is warm after its first one: no warm-up round then.
  const warmup = coldRoundMs * (options.warmup + MIN_ROUNDS) > budgetMs ? 0 : options.warmup;
  for (let round = 0; round < warmup; round++) {
    for (const entry of rotate(racing, round)) entry.lastMs = await timeSample(entry, input, 1);
  }
  for (const entry of racing) {
    entry.result.iterations = Math.min(10_000, Math.max(1, Math.ceil(options.minSampleMs / Math.max(entry.lastMs, 0.001))));
  }
  const roundMs = racing.reduce((sum, e) => sum + e.lastMs * e.result.iterations, 0);
  const affordable = Math.floor((budgetMs - (performance.now() - fileStarted)) / Math.max(roundMs, 0.001));
  const rounds = Math.min(options.rounds, Math.max(MIN_ROUNDS, affordable));
  for (let round = 0; round < rounds; round++) {
    for (const entry of rotate(racing, round)) {
      if (entry.result.failure) continue;
      try {
        entry.result.timesMs.push(await timeSample(entry, input, entry.result.iterations));
      } catch (error) {
        entry.result.failure = `failed in round ${round + 1}: ${describeFailure(error)}`;
      }
    }
  }
  for (const { result } of racing) {
    if (result.failure || result.timesMs.length === 0) continue;
    result.medianMs = median(result.timesMs);
    result.spreadPercent = spreadPercent(result.timesMs);
  }
  return { file, rounds, warmup, results: entries.map((e) => e.result) };
}

async function timeSample(entry: Entry, input: Parameters<LoadedContender['parse']>[0], iterations: number): Promise<number> {
  collectGarbage();
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await runParse(entry.loaded, input);
  return (performance.now() - started) / iterations;
}
