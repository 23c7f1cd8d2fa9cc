/**
 * `migrate --dry-run`: reads and maps every file as the real run would, sends nothing, uses no
 * quota, and says per file what would happen and what it would cost.
 *
 * - Folders are walked as `collectFiles` walks them (name order, hidden files skipped).
 * - A file over 256 MiB is refused unread (`too-large`), as the pipeline refuses it.
 * - Archives (.zip, .gz) are opened and every entry judged on its own: a failed entry makes its
 *   file `partial` when other entries would be imported; entries that are not workout files
 *   are `skipped`.
 * - Every workout is counted in requests by the mapper (`countWorkoutRequests`: one
 *   `workout.create`, plus one `workout.samples.add` per further 10 MiB of samples), with the
 *   athlete id given (or `ATHLETE_ID`, as `map` shows it) and the zone given (or UTC: the zone
 *   changes the date-times written, not the count).
 * - The same content twice (equal sha256) is one file: later copies are `duplicate` of the first.
 * - The same recording in two files (a FIT and a TCX of one ride: `sameRecording` on the
 *   fingerprints) is uploaded once: the first file in the order given wins, the later
 *   workout is `duplicate` with `duplicateOf` naming the first.
 * - Polar companions as the pipeline joins them (polar-companions.ts): an `x.hrm` takes in the
 *   `x.gpx` and the day's `.pdd` beside it; that `x.gpx` is a `duplicate` of `x.hrm`; `.pdd` day
 *   files are no rows (counted in `dayFiles`). Each folder is listed once per run.
 * - `csvMapping`: read with the CSV parser, and a file no parser detects is read as CSV with it.
 *
 * The rows are `ReportFile`s with dry-run outcomes; `buildReport({ dryRun: result, … })` makes
 * the report.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { isMappingError, countWorkoutRequests } from '@optimo-import/mapper';
import { isValidTimeZone, sha256Hex } from '@optimo-import/parsers';
import type { CsvMapping, EntryResult } from '@optimo-import/parsers';
import { parseInput } from '../csv-mapping.js';
import { collectFiles } from '../files.js';
import type { FoundFile } from '../files.js';
import { jobIdOf, MAX_FILE_BYTES } from '../jobs/job-data.js';
import { ATHLETE_ID_PLACEHOLDER } from '../map-command.js';
import { createFolderListings, isPddName, resolveDiskCompanions } from '../polar-companions.js';
import type { FolderListings } from '../polar-companions.js';
import { createRecordingIndex } from './recording-index.js';
import type { RecordingIndex } from './recording-index.js';
import { quotaDaysOf, reportFile, sameContentAs, totalsOf } from './report.js';
import type { ReportEntry, ReportFile, ReportOutcome, ReportTotals } from './report.js';

/** Optimo Sport's default daily request limit. */
export const DEFAULT_DAILY_LIMIT = 5000;

export interface DryRunOptions {
  /** The athlete written into the requests counted. Default `ATHLETE_ID` (a placeholder, as `map` shows). */
  athleteId?: string;
  /** IANA zone for files that record naive local times, and for the mapped date-times. Default: none for parsing, UTC for mapping. */
  timeZone?: string;
  /** The account: when given, rows carry the job id the real run would use. */
  account?: string;
  /** Requests a day, for `totals.quotaDays`. Default 5000. */
  dailyLimit?: number;
  /** A checked CSV column mapping (`--csv-mapping`). */
  csvMapping?: CsvMapping;
  /** Told about every file once judged, in order (for a progress line). */
  onFile?: (file: ReportFile, index: number, total: number) => void;
}

export interface DryRunResult {
  /** One row per collected file, in order. */
  files: ReportFile[];
  /** Totals, with `dailyLimit` and `quotaDays`. */
  totals: ReportTotals;
  dailyLimit: number;
  /** Polar `.pdd` day files found: read as companions of their `.hrm` files, no rows of their own. */
  dayFiles: number;
}

interface Context {
  athleteId: string;
  timeZone: string | undefined;
  mapZone: string;
  account: string | undefined;
  recordings: RecordingIndex;
  byContent: Map<string, ReportFile>;
  csvMapping: CsvMapping | undefined;
  listings: FolderListings;
}

/** Judges every file as the real run would, sending nothing. Throws RangeError for bad options only. */
export async function dryRunFiles(paths: readonly string[], options: DryRunOptions = {}): Promise<DryRunResult> {
  const athleteId = options.athleteId ?? ATHLETE_ID_PLACEHOLDER;
  if (typeof athleteId !== 'string' || athleteId.trim() === '' || athleteId !== athleteId.trim()) {
    throw new RangeError(`[migrate] dryRunFiles: \`athleteId\` must be a non-blank id without surrounding spaces, got ${JSON.stringify(athleteId)}`);
  }
  if (options.timeZone !== undefined && !isValidTimeZone(options.timeZone)) {
    throw new RangeError(`[migrate] dryRunFiles: \`timeZone\`: unknown time zone ${JSON.stringify(options.timeZone)} (use an IANA name such as Europe/Lisbon)`);
  }
  const dailyLimit = options.dailyLimit ?? DEFAULT_DAILY_LIMIT;
  if (!Number.isSafeInteger(dailyLimit) || dailyLimit <= 0) throw new RangeError(`[migrate] dryRunFiles: \`dailyLimit\` must be a whole number > 0, got ${String(dailyLimit)}`);
  const context: Context = {
    athleteId,
    timeZone: options.timeZone,
    mapZone: options.timeZone ?? 'UTC',
    account: options.account,
    recordings: createRecordingIndex(),
    byContent: new Map(),
    csvMapping: options.csvMapping,
    listings: createFolderListings(),
  };
  const all = await collectFiles(paths);
  const found = all.filter((item) => item.problem !== undefined || !isPddName(item.path));
  const files: ReportFile[] = [];
  for (const [i, item] of found.entries()) {
    const row = await judgeFile(item, context);
    files.push(row);
    options.onFile?.(row, i, found.length);
  }
  const totals = totalsOf(files);
  totals.dailyLimit = dailyLimit;
  totals.quotaDays = quotaDaysOf(totals.requests, dailyLimit);
  return { files, totals, dailyLimit, dayFiles: all.length - found.length };
}

function failedRow(path: string, code: string, reason: string, contentHash?: string): ReportFile {
  const row: ReportFile = { file: path, fileName: basename(path), outcome: 'would-fail', workoutIds: [], requests: 0, reason, code, entries: [] };
  if (contentHash !== undefined) row.contentHash = contentHash;
  return row;
}

async function judgeFile(item: FoundFile, context: Context): Promise<ReportFile> {
  const { path } = item;
  if (item.problem) return failedRow(path, item.problem.code, item.problem.message);
  let bytes: Uint8Array;
  try {
    const size = (await stat(path)).size;
    if (size > MAX_FILE_BYTES) {
      const bytes = new Intl.NumberFormat('en-US');
      return failedRow(path, 'too-large', `${bytes.format(size)} bytes is over the cap of ${bytes.format(MAX_FILE_BYTES)} bytes (${MAX_FILE_BYTES / 1024 / 1024} MiB) for one file; nothing was read`);
    }
    const buffer = await readFile(path);
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return failedRow(path, 'not-found', 'no such file');
    return failedRow(path, 'unreadable', (error as Error).message);
  }
  const contentHash = sha256Hex(bytes);
  const jobId = context.account === undefined ? undefined : jobIdOf(context.account, contentHash);
  const first = context.byContent.get(contentHash);
  if (first) return sameContentAs(first, path, jobId);
  const fileName = basename(path);
  let results = parseInput(bytes, { fileName, timeZone: context.timeZone, ...(context.csvMapping === undefined ? {} : { csvMapping: context.csvMapping }) });
  let entries: ReportEntry[];
  let companions;
  try {
    companions = await resolveDiskCompanions(path, results, { listings: context.listings, ...(context.timeZone === undefined ? {} : { timeZone: context.timeZone }) });
  } catch (error) {
    return failedRow(path, 'unreadable', `looking at the files beside it failed: ${(error as Error).message}`, contentHash);
  }
  if (companions.role === 'gpx-companion') {
    const { hrm } = companions;
    entries = results.flatMap((result) =>
      result.status !== 'ok'
        ? []
        : result.workouts.map((workout, index) => ({
            entry: result.name,
            index,
            outcome: 'duplicate' as const,
            externalId: workout.externalId,
            fingerprint: workout.fingerprint,
            sport: workout.sport,
            startTime: new Date(workout.startTime).toISOString(),
            requests: 0,
            reason: `a Polar companion of ${hrm.fileName}: imported as part of it`,
            duplicateOf: { file: hrm.path, fileName: hrm.fileName, ...(context.account === undefined ? {} : { jobId: jobIdOf(context.account, hrm.contentHash) }) },
          })),
    );
  } else {
    if (companions.role === 'hrm') results = companions.results;
    entries = results.flatMap((result) => judgeEntry(result, path, fileName, context));
  }
  const row: ReportFile = { file: path, fileName, outcome: outcomeOf(entries), workoutIds: [], requests: 0, entries };
  row.requests = entries.reduce((sum, e) => sum + e.requests, 0);
  const failure = entries.find((e) => e.outcome === 'would-fail');
  const duplicate = entries.find((e) => e.outcome === 'duplicate');
  if (failure && (row.outcome === 'would-fail' || row.outcome === 'partial')) {
    row.reason = failure.reason;
    if (failure.code !== undefined) row.code = failure.code;
  } else if (duplicate && row.outcome === 'duplicate') {
    row.reason = duplicate.reason;
    if (duplicate.duplicateOf) row.duplicateOf = duplicate.duplicateOf;
  }
  if (jobId !== undefined) row.jobId = jobId;
  row.contentHash = contentHash;
  const ordered = reportFile(row);
  context.byContent.set(contentHash, ordered);
  return ordered;
}

/**
 * `would-fail` when nothing would be imported and something failed; `partial` when some entries
 * fail and others would be imported (or are duplicates); `duplicate` when every workout is one;
 * else `would-import`.
 */
function outcomeOf(entries: readonly ReportEntry[]): ReportOutcome {
  const failed = entries.some((e) => e.outcome === 'would-fail');
  const imports = entries.some((e) => e.outcome === 'would-import');
  const duplicates = entries.some((e) => e.outcome === 'duplicate');
  if (failed) return imports || duplicates ? 'partial' : 'would-fail';
  if (imports) return 'would-import';
  return duplicates ? 'duplicate' : 'would-fail';
}

function judgeEntry(result: EntryResult, path: string, fileName: string, context: Context): ReportEntry[] {
  if (result.status === 'skipped') return [{ entry: result.name, outcome: 'skipped', requests: 0, reason: result.reason }];
  if (result.status === 'failed') return [{ entry: result.name, outcome: 'would-fail', requests: 0, reason: result.error.message, code: result.error.code }];
  return result.workouts.map((workout) => {
    const entry: ReportEntry = {
      entry: result.name,
      index: workout.source.index,
      outcome: 'would-import',
      externalId: workout.externalId,
      fingerprint: workout.fingerprint,
      sport: workout.sport,
      startTime: new Date(workout.startTime).toISOString(),
      requests: 0,
    };
    const warnings = workout.warnings.reduce((sum, w) => sum + w.count, 0);
    if (warnings > 0) entry.warnings = warnings;
    const prior = context.recordings.find(workout.fingerprint);
    if (prior) {
      const where = prior.entry.includes('!') ? ` (${prior.entry.slice(prior.entry.indexOf('!') + 1)})` : '';
      entry.outcome = 'duplicate';
      entry.reason = `the same recording as ${prior.file}${where}, workout ${prior.index + 1}`;
      entry.duplicateOf = { file: prior.file, fileName: prior.fileName, entry: prior.entry };
      return entry;
    }
    try {
      entry.requests = countWorkoutRequests(workout, { athleteId: context.athleteId, timeZone: context.mapZone });
    } catch (error) {
      if (!isMappingError(error)) throw error;
      entry.outcome = 'would-fail';
      entry.reason = error.message;
      entry.code = error.code;
      return entry;
    }
    context.recordings.add({ fingerprint: workout.fingerprint, file: path, fileName, entry: result.name, index: workout.source.index });
    return entry;
  });
}
