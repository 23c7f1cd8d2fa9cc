import type { FormatId, Workout } from '@optimo-import/workout';
import type { ContainerKind } from './containers.js';
import type { CsvMapping } from './csv/mapping.js';
import type { ParseError } from './errors.js';

export interface ParseOptions {
  /** The file's name; used in errors and as a tie-breaker in detection, never as the only clue. */
  fileName?: string;
  /** Force a format instead of detecting it. */
  format?: FormatId;
  /**
   * IANA zone for times a file gives as naive local wall-clock time (Polar HRM, Polar XML, Polar
   * Flow CSV, PWX, spreadsheet CSV, Timex FIT that stores local time as UTC). Default: this
   * machine's zone, with a `zone-assumed` warning (local-time.ts). TCX and GPX times without a
   * zone are read in it too, else as UTC. Times a file gives in UTC (FIT, TCX, GPX) never change.
   */
  timeZone?: string;
  /** Size caps; see DEFAULT_LIMITS. */
  limits?: Partial<ParseLimits>;
  /**
   * A column mapping for spreadsheet CSVs the detection cannot read (src/csv/README.md), used by
   * the `csv` parser only: with `format: 'csv'`, or for a file the detection takes for a CSV.
   */
  csvMapping?: CsvMapping;
}

export interface ParseLimits {
  /** Largest single file (or decompressed archive entry) parsed, in bytes. Default 256 MiB. */
  maxFileBytes: number;
  /** Largest total of bytes decompressed from one .gz or .zip. Default 1 GiB. */
  maxDecompressedBytes: number;
  /** Most entries read from one zip. Default 10,000. */
  maxArchiveEntries: number;
  /** Most samples kept for one workout. Default 2,000,000 (over three weeks at 1 Hz). */
  maxSamples: number;
}

export const DEFAULT_LIMITS: ParseLimits = {
  maxFileBytes: 256 * 1024 * 1024,
  maxDecompressedBytes: 1024 * 1024 * 1024,
  maxArchiveEntries: 10_000,
  maxSamples: 2_000_000,
};

/** What a parser receives besides the bytes. */
export interface ParseContext {
  fileName?: string;
  timeZone?: string;
  /** sha256 (hex) of the bytes being parsed. */
  sha256: string;
  limits: ParseLimits;
  /** `ParseOptions.csvMapping`, for the generic CSV parser. */
  csvMapping?: CsvMapping;
}

/** One format: the same shape for every driver. */
export interface FormatParser {
  format: FormatId;
  /** Lower-case extensions without the dot, used only to break ties between detections. */
  extensions: readonly string[];
  /** Cheap, pure, never throws; judges content first. */
  detect(input: Uint8Array): boolean;
  /** Throws ParseError when no usable workout can be made. */
  parse(input: Uint8Array, context: ParseContext): Workout[];
}

/** What became of one file or archive entry (`parseFile`). */
export type EntryResult =
  | { name: string; status: 'ok'; format: FormatId; workouts: Workout[] }
  | { name: string; status: 'failed'; format?: FormatId | ContainerKind; error: ParseError }
  | { name: string; status: 'skipped'; reason: string };
