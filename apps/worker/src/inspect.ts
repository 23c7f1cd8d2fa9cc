/**
 * `optimo-import inspect`: what each file would import, or why not, read as the pipeline reads it
 * — the same zone rule, the CSV column mapping (`--csv-mapping`: a file no parser detects is read
 * as CSV with it), and Polar companions (polar-companions.ts): an `x.hrm` is shown merged with
 * the `x.gpx` and the day's `.pdd` beside it, that `x.gpx` as `skipped` ("a Polar companion:
 * merged into x.hrm", `companionOf` in JSON) and a `.pdd` as `skipped`, never as a failure.
 */
import { readFile, stat } from 'node:fs/promises';
import { channelsOf } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { DEFAULT_LIMITS, mergedGpxReason } from '@optimo-import/parsers';
import type { CsvMapping, EntryResult } from '@optimo-import/parsers';
import { parseInput } from './csv-mapping.js';
import { collectFiles } from './files.js';
import { formatDistance, formatDuration, formatLocal, formatUtc, localOffsetOf } from './format.js';
import { createFolderListings, isPddName, pddSkipReason, resolveDiskCompanions } from './polar-companions.js';
import type { FolderListings } from './polar-companions.js';
import { printable } from './printable.js';

export interface InspectOptions {
  json: boolean;
  timeZone?: string;
  /** A checked CSV column mapping (`--csv-mapping`). */
  csvMapping?: CsvMapping;
  /** Where lines go (stdout in the CLI). */
  write: (line: string) => void;
}

export interface InspectSummary {
  files: number;
  failedFiles: number;
  workouts: number;
}

/** One input file's outcome as `inspect --json` prints it. */
export type InspectRecord =
  /** `companionOf`: for a Polar GPX merged into the HRM beside it, that HRM's path. */
  | { file: string; ok: true; workouts: WorkoutRecord[]; skipped?: { entry: string; reason: string }[]; companionOf?: string }
  | {
      file: string;
      ok: false;
      error: { code: string; message: string; entry?: string };
      workouts?: WorkoutRecord[];
      failures?: { entry: string; code: string; message: string }[];
    };

export interface WorkoutRecord {
  format: string;
  sport: string;
  startTime: string;
  durationSeconds: number;
  movingSeconds?: number;
  distanceMeters?: number;
  laps: number;
  samples: number;
  channels: string[];
  warnings: { code: string; message: string; count: number }[];
  /** Additions beyond the contract. */
  entry?: string;
  localStartTime?: string;
  utcOffsetMinutes?: number;
  sourceSport?: { sport?: string; subSport?: string };
  externalId: string;
  fingerprint: string;
  index: number;
  group?: { id: string; index: number; size: number };
}

function toRecord(w: Workout, entry: string | undefined, timeZone: string | undefined): WorkoutRecord {
  const offset = localOffsetOf(w, timeZone);
  const rec: WorkoutRecord = {
    format: w.source.format,
    sport: w.sport,
    startTime: new Date(w.startTime).toISOString(),
    durationSeconds: round(w.elapsedSeconds, 3),
    movingSeconds: w.movingSeconds === undefined ? undefined : round(w.movingSeconds, 3),
    distanceMeters: w.distanceMeters === undefined ? undefined : round(w.distanceMeters, 2),
    laps: w.laps.length,
    samples: w.samples.offsetSeconds.length,
    channels: channelsOf(w.samples),
    warnings: w.warnings,
    entry,
    localStartTime: formatLocal(w.startTime, offset),
    utcOffsetMinutes: offset,
    sourceSport: w.sourceSport,
    externalId: w.externalId,
    fingerprint: w.fingerprint,
    index: w.source.index,
    group: w.source.group,
  };
  return JSON.parse(JSON.stringify(rec)) as WorkoutRecord; // drops undefined fields
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Builds the record of one input file from its entry results (one entry unless an archive). */
export function recordOf(file: string, results: readonly EntryResult[], timeZone?: string): InspectRecord {
  const isArchive = results.length !== 1 || results[0]?.name !== file;
  const workouts: WorkoutRecord[] = [];
  const skipped: { entry: string; reason: string }[] = [];
  const failures: { entry: string; code: string; message: string }[] = [];
  for (const r of results) {
    if (r.status === 'ok') workouts.push(...r.workouts.map((w) => toRecord(w, isArchive ? r.name : undefined, timeZone)));
    else if (r.status === 'skipped') skipped.push({ entry: r.name, reason: r.reason });
    else failures.push({ entry: r.name, code: r.error.code, message: r.error.message });
  }
  const first = failures[0];
  if (first) {
    const rec: InspectRecord = { file, ok: false, error: { code: first.code, message: first.message } };
    if (isArchive) {
      rec.error.entry = first.entry;
      rec.failures = failures;
      rec.workouts = workouts;
    }
    return rec;
  }
  return skipped.length > 0 ? { file, ok: true, workouts, skipped } : { file, ok: true, workouts };
}

function textLines(rec: InspectRecord, timeZone: string | undefined): string[] {
  const lines: string[] = [];
  for (const w of rec.workouts ?? []) {
    const local = w.localStartTime ?? `local unknown${timeZone ? '' : ' (no --time-zone)'}`;
    const warnings = w.warnings.length ? `warnings: ${w.warnings.map((x) => `${x.code}×${x.count}`).join(', ')}` : 'no warnings';
    lines.push(
      [
        w.entry ?? rec.file,
        w.format,
        w.sport,
        `${local} (${formatUtc(Date.parse(w.startTime))})`,
        formatDuration(w.durationSeconds),
        formatDistance(w.distanceMeters),
        `${w.laps} laps`,
        `${w.samples} samples`,
        w.channels.length ? w.channels.join(',') : 'no channels',
        warnings,
      ].join('  '),
    );
  }
  if (!rec.ok) {
    const failures = rec.failures ?? [{ entry: rec.file, code: rec.error.code, message: rec.error.message }];
    for (const f of failures) lines.push(`${f.entry}  FAILED  ${f.code}: ${f.message}`);
  } else {
    for (const s of rec.skipped ?? []) lines.push(`${s.entry}  skipped  ${s.reason}`);
  }
  // Names come from outside (and from inside archives): no forged line, no terminal escape.
  return lines.map(printable);
}

/** Inspects files and folders; returns the exit code (0 all parsed, 1 any failed). */
export async function inspectPaths(paths: readonly string[], options: InspectOptions): Promise<{ exitCode: number; summary: InspectSummary }> {
  const summary: InspectSummary = { files: 0, failedFiles: 0, workouts: 0 };
  const listings = createFolderListings();
  for (const found of await collectFiles(paths)) {
    summary.files++;
    let rec: InspectRecord;
    if (found.problem) rec = { file: found.path, ok: false, error: { code: found.problem.code, message: `${found.path}: ${found.problem.message}` } };
    else rec = await inspectFile(found.path, options, listings);
    if (!rec.ok) summary.failedFiles++;
    summary.workouts += rec.workouts?.length ?? 0;
    if (options.json) options.write(JSON.stringify(rec));
    else for (const line of textLines(rec, options.timeZone)) options.write(line);
  }
  if (!options.json) {
    options.write(`${summary.files} file(s), ${summary.workouts} workout(s), ${summary.failedFiles} failed`);
  }
  return { exitCode: summary.failedFiles > 0 ? 1 : 0, summary };
}

async function inspectFile(path: string, options: InspectOptions, listings: FolderListings): Promise<InspectRecord> {
  const { timeZone, csvMapping } = options;
  try {
    const size = (await stat(path)).size;
    if (size > DEFAULT_LIMITS.maxFileBytes) {
      return {
        file: path,
        ok: false,
        error: { code: 'too-large', message: `${path}: ${(size / 1024 / 1024).toFixed(0)} MiB is over the cap of ${DEFAULT_LIMITS.maxFileBytes / 1024 / 1024} MiB for one file; nothing was read` },
      };
    }
    const buf = await readFile(path);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    let results = isPddName(path) ? [] : parseInput(bytes, { fileName: path, ...(timeZone === undefined ? {} : { timeZone }), ...(csvMapping === undefined ? {} : { csvMapping }) });
    const companions = await resolveDiskCompanions(path, results, { listings, ...(timeZone === undefined ? {} : { timeZone }) });
    if (companions.role === 'gpx-companion') {
      return { file: path, ok: true, workouts: [], skipped: [{ entry: path, reason: mergedGpxReason(companions.hrm.fileName) }], companionOf: companions.hrm.path };
    }
    // A day file is no workout: never imported (migrate leaves it out, watch ignores it), never a failure.
    if (companions.role === 'pdd') return { file: path, ok: true, workouts: [], skipped: [{ entry: path, reason: pddSkipReason(companions.hrms) }] };
    if (companions.role === 'hrm') results = companions.results;
    return recordOf(path, results, timeZone);
  } catch (error) {
    return { file: path, ok: false, error: { code: 'unreadable', message: `${path}: ${(error as Error).message}` } };
  }
}
