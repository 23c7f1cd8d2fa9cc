/** The file formats the benchmark covers. */
export type BenchFormat = 'fit' | 'tcx' | 'gpx' | 'hrm' | 'pwx' | 'csv';

/** What one parse gave, judged by the contender itself. */
export interface Outcome {
  /** Trackpoints/records in the output (each contender's meaning is in `recordsMeaning`). */
  records: number;
  /** Set when the library refused the file or reported errors instead of a result. */
  failure?: string;
  /** What the parser reported having repaired or skipped, as `code ×count` (ours only). */
  warnings?: string[];
}

export interface BenchInput {
  name: string;
  format: BenchFormat;
  bytes: Uint8Array;
}

/** A contender once its library is imported: parse is what gets timed, inspect is not. */
export interface LoadedContender {
  parse(input: BenchInput): unknown;
  inspect(result: unknown): Outcome;
}

/**
 * One parser in the race. `ours` is the project's `parseWorkout`; `library` contenders are the
 * ones the aim is measured against; `reference` contenders only give a floor for comparison.
 */
export interface Contender {
  id: string;
  label: string;
  role: 'ours' | 'library' | 'reference';
  formats: readonly BenchFormat[];
  /** What "records" counts for this contender, for the method text. */
  recordsMeaning: string;
  load(): Promise<LoadedContender>;
}

/** Runs a parse and waits for it when the library answers with a promise. */
export async function runParse(loaded: LoadedContender, input: BenchInput): Promise<unknown> {
  const result = loaded.parse(input);
  return isPromiseLike(result) ? await result : result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The message of anything thrown, on one line. */
export function describeFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim().slice(0, 160) || 'failed without a message';
}
