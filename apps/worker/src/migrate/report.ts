/**
 * The migration report: what `optimo-import migrate` leaves behind for the people who run it (a
 * club admin opening the CSV in a spreadsheet, a script reading the JSON). It is a user-facing
 * contract: fields are only ever added, and `version` changes if one changes meaning.
 *
 * One `ReportFile` per input file, in the order the files were collected (paths as given, folders
 * walked in name order). The same content twice (equal sha256) is one file: the first path in
 * that order carries the outcome, later copies are `duplicate` of it (or `failed` / `waiting`
 * with it) and cost no requests. The same recording in two different files (the FIT and the TCX
 * export of one ride) is uploaded once: the later file's workouts are `duplicate`, each naming
 * the file, entry and workout it duplicates.
 *
 * `report-csv.ts` turns a report into CSV, `report-write.ts` writes both, `report-summary.ts`
 * prints the terminal lines.
 */
import { basename } from 'node:path';
import { sameRecording } from '@optimo-import/workout';
import type { EntryOutcome, EntryReport, FileOutcome, ImportResult } from '../jobs/job-data.js';

export const REPORT_VERSION = 1;

/**
 * A file's outcome.
 *
 * | outcome        | run   | meaning                                                                          |
 * | -------------- | ----- | -------------------------------------------------------------------------------- |
 * | `imported`     | real  | every workout uploaded, now or by an earlier run (none failed)                   |
 * | `partial`      | both  | some entries failed (see `entries`), the others were (would be) imported         |
 * | `duplicate`    | both  | nothing new: every workout already came from another file, or the same content   |
 * | `failed`       | real  | nothing imported; `reason` and `code` say why                                    |
 * | `waiting`      | real  | no final outcome yet when the report was written (queued, held by the quota)     |
 * | `would-import` | dry   | parsed and mapped: would be uploaded for `requests` requests                     |
 * | `would-fail`   | dry   | would fail; `reason` and `code` say why                                          |
 */
export type ReportOutcome = FileOutcome | 'waiting' | 'would-import' | 'would-fail';

/**
 * A workout's (or a workout-less entry's) outcome: the pipeline's `uploaded`, `already-uploaded`
 * (sent by an earlier run: same external id), `duplicate`, `failed`, `skipped` (an archive entry
 * that is not a workout file), and in a dry run `would-import` / `would-fail`.
 */
export type ReportEntryOutcome = EntryOutcome | 'would-import' | 'would-fail';

/** What a duplicate duplicates. */
export interface ReportDuplicateOf {
  /** That file's path as given to this migration; absent when it was imported outside it (an earlier run, the watch folder). */
  file?: string;
  /** That file's name. */
  fileName: string;
  /** The entry holding the workout (`club.zip!ride.fit`), when it is one workout of an archive or a multi-workout file. */
  entry?: string;
  /** That file's import job (`<account>@<sha256>`); absent in a dry run. */
  jobId?: string;
  /** The Optimo Sport workout holding the data, when known (never in a dry run). */
  workoutId?: string;
}

/** One workout of a file, or one entry of an archive that gave none (failed, skipped). */
export interface ReportEntry {
  /** The entry's name: the file name, or `archive.zip!ride.fit` for a member of an archive. */
  entry: string;
  /** The workout's position in its entry (0 for a file of one); absent for an entry without workouts. */
  index?: number;
  outcome: ReportEntryOutcome;
  /** The Optimo Sport workout id, once uploaded (or found uploaded). */
  workoutId?: string;
  /** The `external_id` sent: `fit:<serial>:<time created>` for FIT, else `sha256:<hex>[#index]`. */
  externalId?: string;
  /** Start second (UTC) and whole elapsed seconds, `2026-10-03T06:30:00Z/3720`: what cross-format duplicates are found by. */
  fingerprint?: string;
  sport?: string;
  /** ISO 8601 UTC. */
  startTime?: string;
  /** HTTP requests this workout cost (a dry run: would cost), retries and lookups included; 0 for a duplicate. */
  requests: number;
  /** Why it failed or was skipped; for a duplicate, what it duplicates, in words. */
  reason?: string;
  /** The ParseError, MappingError or UploadError code (`corrupt`, `body-too-large`, …) when it failed. */
  code?: string;
  duplicateOf?: ReportDuplicateOf;
  /** Values the parser repaired or left out (as it counted them); absent when none. */
  warnings?: number;
}

/** One input file. */
export interface ReportFile {
  /** The path as given (a folder's files: the folder joined with the names found). */
  file: string;
  /** Its base name. */
  fileName: string;
  outcome: ReportOutcome;
  /**
   * Ids of the workouts uploaded, or found already uploaded, for this file, in file order. Empty
   * for a duplicate (its `duplicateOf` and entries name the workouts) and in a dry run.
   */
  workoutIds: string[];
  /** HTTP requests the whole file cost (a dry run: would cost); 0 for a copy of another file. */
  requests: number;
  /** The first failure of a `failed` or `partial` file; for a duplicate or a waiting file, why. */
  reason?: string;
  /** The code of that failure: a ParseError/MappingError/UploadError code, or `not-found`, `unreadable`, `not-a-file`, `too-large`. */
  code?: string;
  /** For a `duplicate` file: the (first) file it duplicates. Set also on a copy of a failed or waiting file. */
  duplicateOf?: ReportDuplicateOf;
  /** Its import job: `<account>@<sha256>`; absent when it never reached the queue (unreadable) and in a dry run without an account. */
  jobId?: string;
  /** sha256 of its bytes, lowercase hex; absent when it could not be read. */
  contentHash?: string;
  /** Attempts its job took (1 = the first), once finished. */
  attempts?: number;
  /** ISO 8601: when its job finished. */
  finishedAt?: string;
  /** Every workout and every workout-less entry, in file order; empty when the file was never read. */
  entries: ReportEntry[];
}

/** Counts over `files`. */
export interface ReportTotals {
  /** Input files (every row of `files`). */
  files: number;
  /** Files `imported` (a dry run: `would-import`). */
  imported: number;
  duplicate: number;
  partial: number;
  /** Files `failed` (a dry run: `would-fail`). */
  failed: number;
  /** Files without a final outcome yet (always 0 in a dry run). */
  waiting: number;
  /** Workouts uploaded or found uploaded (a dry run: that would be uploaded); duplicates not counted. */
  workouts: number;
  /** HTTP requests the files cost (a dry run: would cost); the quota they used. */
  requests: number;
  /** A dry run only: the daily request limit the estimate assumes (5000 by default). */
  dailyLimit?: number;
  /** A dry run only: `requests / dailyLimit` rounded up to 0.01: days of quota the real run needs. */
  quotaDays?: number;
}

export interface MigrationReport {
  /** This format's version: 1. */
  version: typeof REPORT_VERSION;
  /** The migration's id (its jobs carry it; a resumed run keeps it). */
  migration: string;
  /** The account's name in the config (never its token); absent in a dry run made without one. */
  account?: string;
  /** The Optimo Sport athlete the workouts go to. */
  athleteId: string;
  /** True: nothing was sent, outcomes say what would happen. */
  dryRun: boolean;
  /** ISO 8601: when the migration started (the first run, for a resumed one). */
  startedAt: string;
  /** ISO 8601: when the report was made at the end of a run that was not interrupted. */
  finishedAt?: string;
  /** ISO 8601: when the run was interrupted (Ctrl-C, a crash caught, a stop); the report was written then. */
  interruptedAt?: string;
  /** True when every file has a final outcome (none `waiting`): running the command again sends nothing. */
  complete: boolean;
  totals: ReportTotals;
  files: ReportFile[];
}

/** One file of a real run, as the command knows it. */
export interface ReportFileInput {
  /** The path as collected. */
  path: string;
  /** Its job id, once enqueued. */
  jobId?: string;
  /** sha256 of its bytes, once read. */
  contentHash?: string;
  /** The job's final result; undefined while the file waits (the row is then `waiting`). */
  result?: ImportResult;
  /** A file that never reached the queue (missing, unreadable, too large): the row is `failed` with it. */
  problem?: { code: string; message: string };
  /** For a waiting file: why it waits (`held by the quota until …`), shown as its `reason`. */
  waitingReason?: string;
}

export interface BuildReportOptions {
  migration: string;
  account?: string;
  athleteId: string;
  /** Epoch ms or ISO 8601. */
  startedAt: number | string;
  /** When the report is made (epoch ms or ISO 8601): `finishedAt`, or `interruptedAt` if `interrupted`. Default now. */
  endedAt?: number | string;
  /** The run stopped before its end. Default false. */
  interrupted?: boolean;
  /** A real run: every collected file in order. Give this or `dryRun`. */
  files?: readonly ReportFileInput[];
  /** A dry run: `dryRunFiles`' result (its rows are taken as they are). Give this or `files`. */
  dryRun?: { files: readonly ReportFile[]; dailyLimit: number };
}

/** Builds the report of a run (real from `files`, or dry from `dryRun`). Pure apart from the default `endedAt`. */
export function buildReport(options: BuildReportOptions): MigrationReport {
  if ((options.files === undefined) === (options.dryRun === undefined)) {
    throw new RangeError('[migrate] buildReport: give exactly one of `files` (a real run) and `dryRun` (a dry run)');
  }
  const dryRun = options.dryRun !== undefined;
  const rows = options.dryRun ? options.dryRun.files.map(reportFile) : rowsOf(options.files ?? []);
  const totals = totalsOf(rows);
  if (options.dryRun) {
    totals.dailyLimit = options.dryRun.dailyLimit;
    totals.quotaDays = quotaDaysOf(totals.requests, options.dryRun.dailyLimit);
  }
  const ended = toIso(options.endedAt ?? Date.now(), 'endedAt');
  const interrupted = options.interrupted === true;
  return clean<MigrationReport>({
    version: REPORT_VERSION,
    migration: options.migration,
    account: options.account,
    athleteId: options.athleteId,
    dryRun,
    startedAt: toIso(options.startedAt, 'startedAt'),
    finishedAt: interrupted ? undefined : ended,
    interruptedAt: interrupted ? ended : undefined,
    complete: totals.waiting === 0,
    totals,
    files: rows,
  });
}

/** The same row with its fields in the documented order (the JSON reads file first, entries last) and no undefined ones. */
export function reportFile(row: ReportFile): ReportFile {
  return clean<ReportFile>({
    file: row.file,
    fileName: row.fileName,
    outcome: row.outcome,
    workoutIds: row.workoutIds,
    requests: row.requests,
    reason: row.reason,
    code: row.code,
    duplicateOf: row.duplicateOf,
    jobId: row.jobId,
    contentHash: row.contentHash,
    attempts: row.attempts,
    finishedAt: row.finishedAt,
    entries: row.entries.map(reportEntry),
  });
}

/** The same entry with its fields in the documented order and no undefined ones. */
export function reportEntry(entry: ReportEntry): ReportEntry {
  return clean<ReportEntry>({
    entry: entry.entry,
    index: entry.index,
    outcome: entry.outcome,
    workoutId: entry.workoutId,
    externalId: entry.externalId,
    fingerprint: entry.fingerprint,
    sport: entry.sport,
    startTime: entry.startTime,
    requests: entry.requests,
    reason: entry.reason,
    code: entry.code,
    duplicateOf: entry.duplicateOf,
    warnings: entry.warnings,
  });
}

/** Days of quota `requests` take at `dailyLimit` a day, rounded up to 0.01 (never 0 for some work). */
export function quotaDaysOf(requests: number, dailyLimit: number): number {
  if (requests <= 0) return 0;
  return Math.ceil((requests * 100) / dailyLimit) / 100;
}

/** Entry outcomes that put (or would put) a workout in Optimo Sport from this file. */
const IMPORTED_ENTRY: ReadonlySet<ReportEntryOutcome> = new Set(['uploaded', 'already-uploaded', 'would-import']);

export function totalsOf(rows: readonly ReportFile[]): ReportTotals {
  const totals: ReportTotals = { files: rows.length, imported: 0, duplicate: 0, partial: 0, failed: 0, waiting: 0, workouts: 0, requests: 0 };
  for (const row of rows) {
    if (row.outcome === 'imported' || row.outcome === 'would-import') totals.imported++;
    else if (row.outcome === 'failed' || row.outcome === 'would-fail') totals.failed++;
    else totals[row.outcome]++;
    totals.requests += row.requests;
    for (const entry of row.entries) if (IMPORTED_ENTRY.has(entry.outcome)) totals.workouts++;
  }
  return totals;
}

function rowsOf(inputs: readonly ReportFileInput[]): ReportFile[] {
  // The first path of each job, to name the files duplicates point at.
  const pathOfJob = new Map<string, string>();
  const resultOfJob = new Map<string, ImportResult>();
  for (const input of inputs) {
    const jobId = input.jobId ?? input.result?.jobId;
    if (jobId !== undefined && !pathOfJob.has(jobId)) pathOfJob.set(jobId, input.path);
    if (input.result !== undefined) resultOfJob.set(input.result.jobId, input.result);
  }
  const originals: Originals = { pathOfJob, resultOfJob };
  const firstOfContent = new Map<string, ReportFile>();
  const rows: ReportFile[] = [];
  for (const input of inputs) {
    const hash = input.contentHash ?? input.result?.contentHash;
    const first = hash === undefined ? undefined : firstOfContent.get(hash);
    const row = first ? sameContentAs(first, input.path, input.jobId ?? input.result?.jobId) : rowOf(input, originals);
    if (hash !== undefined && !first) firstOfContent.set(hash, row);
    rows.push(row);
  }
  return rows;
}

function rowOf(input: ReportFileInput, originals: Originals): ReportFile {
  const { path, result } = input;
  const base = { file: path, fileName: basename(path) };
  const jobId = input.jobId ?? result?.jobId;
  const contentHash = input.contentHash ?? result?.contentHash;
  if (input.problem) {
    return clean<ReportFile>({ ...base, outcome: 'failed', workoutIds: [], requests: 0, reason: input.problem.message, code: input.problem.code, jobId, contentHash, entries: [] });
  }
  if (!result) {
    return clean<ReportFile>({ ...base, outcome: 'waiting', workoutIds: [], requests: 0, reason: input.waitingReason, jobId, contentHash, entries: [] });
  }
  const entries = result.entries.map((e) => entryOf(e, originals));
  const duplicateOf = result.outcome === 'duplicate' ? entries.find((e) => e.duplicateOf)?.duplicateOf : undefined;
  return clean<ReportFile>({
    ...base,
    outcome: result.outcome,
    workoutIds: [...result.workoutIds],
    requests: result.requests,
    reason: result.reason ?? (result.outcome === 'duplicate' ? entries.find((e) => e.reason)?.reason : undefined),
    code: result.code,
    duplicateOf,
    jobId,
    contentHash,
    attempts: result.attempts,
    finishedAt: result.finishedAt,
    entries,
  });
}

/** What the rows of a run know of the files duplicates point at: their paths and results. */
interface Originals {
  pathOfJob: ReadonlyMap<string, string>;
  resultOfJob: ReadonlyMap<string, ImportResult>;
}

/**
 * The workout holding a duplicate's recording, from the original's result in this run: a
 * duplicate found while the original was still uploading (two workers at once) was told no id,
 * and a Polar GPX merged into its HRM is told none.
 */
function workoutOfOriginal(jobId: string, fingerprint: string | undefined, originals: Originals): string | undefined {
  const original = originals.resultOfJob.get(jobId);
  const entries = original?.entries ?? [];
  const same =
    fingerprint === undefined
      ? undefined
      : entries.find((e) => e.workoutId !== undefined && (e.outcome === 'uploaded' || e.outcome === 'already-uploaded') && e.fingerprint !== undefined && sameRecording(e.fingerprint, fingerprint))?.workoutId;
  // An original of one workout holds it whatever its fingerprint (a Polar GPX merged into its HRM).
  return same ?? (original?.workoutIds.length === 1 ? original.workoutIds[0] : undefined);
}

function entryOf(entry: EntryReport, originals: Originals): ReportEntry {
  const dup = entry.duplicateOf;
  const duplicateOf: ReportDuplicateOf | undefined = dup
    ? clean<ReportDuplicateOf>({
        file: originals.pathOfJob.get(dup.jobId),
        fileName: dup.fileName,
        jobId: dup.jobId,
        workoutId: dup.workoutId ?? workoutOfOriginal(dup.jobId, entry.fingerprint, originals),
      })
    : undefined;
  return clean<ReportEntry>({
    entry: entry.entry,
    index: entry.index,
    outcome: entry.outcome,
    workoutId: entry.workoutId,
    externalId: entry.externalId,
    fingerprint: entry.fingerprint,
    sport: entry.sport,
    startTime: entry.startTime,
    requests: entry.requests,
    reason: entry.reason,
    code: entry.code,
    duplicateOf,
    warnings: entry.warnings,
  });
}

/**
 * The row of a file whose bytes equal those of `first`, an earlier file of the run: it is the
 * same job, so it costs nothing and shares `first`'s fate. A copy of a waiting file waits; a
 * copy of a failed file fails for the same reason; any other copy is a `duplicate` whose entries
 * are `first`'s workouts, each pointing at its original.
 */
export function sameContentAs(first: ReportFile, file: string, jobId = first.jobId): ReportFile {
  const fileName = basename(file);
  const duplicateOf = clean<ReportDuplicateOf>({ file: first.file, fileName: first.fileName, jobId: first.jobId });
  const base = { file, fileName, workoutIds: [] as string[], requests: 0, duplicateOf, jobId, contentHash: first.contentHash };
  if (first.outcome === 'waiting') {
    return clean<ReportFile>({ ...base, outcome: 'waiting', reason: `the same content as ${first.file}, which is waiting`, entries: [] });
  }
  if (first.outcome === 'failed' || first.outcome === 'would-fail') {
    const why = first.reason === undefined ? '' : `: ${first.reason}`;
    return clean<ReportFile>({ ...base, outcome: first.outcome, reason: `the same content as ${first.file}, which failed${why}`, code: first.code, entries: [] });
  }
  const reason = `the same content as ${first.file}`;
  const entries = first.entries
    .filter((e) => e.index !== undefined)
    .map((e) =>
      clean<ReportEntry>({
        entry: renameEntry(e.entry, first.fileName, fileName),
        index: e.index,
        outcome: 'duplicate',
        externalId: e.externalId,
        fingerprint: e.fingerprint,
        sport: e.sport,
        startTime: e.startTime,
        requests: 0,
        reason,
        duplicateOf: clean<ReportDuplicateOf>({ file: first.file, fileName: first.fileName, entry: e.entry, jobId: first.jobId, workoutId: e.workoutId ?? e.duplicateOf?.workoutId }),
        warnings: e.warnings,
      }),
    );
  return clean<ReportFile>({ ...base, outcome: 'duplicate', reason, entries });
}

/** `first.zip!ride.fit` → `copy.zip!ride.fit`; a plain file's entry is its own name. */
function renameEntry(entry: string, from: string, to: string): string {
  if (entry === from) return to;
  return entry.startsWith(`${from}!`) ? `${to}${entry.slice(from.length)}` : entry;
}

function toIso(value: number | string, name: string): string {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`[migrate] buildReport: \`${name}\` must be epoch ms or an ISO 8601 date-time, got ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

/** Drops undefined fields, so the JSON has no `"x": undefined` holes and objects compare cleanly in tests. */
function clean<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
