/**
 * Requests per workout over the whole corpus: every file read with `parseFile` (as the worker
 * reads an upload, containers opened), every workout counted with `countWorkoutRequests`, and
 * the count checked against `planWorkoutUpload(...).requestCount`. Nothing here is timed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildTwelveHourRide } from '@optimo-import/fixtures';
import { buildWorkoutCreate, countWorkoutRequests, MAX_BODY_BYTES, planWorkoutUpload } from '@optimo-import/mapper';
import type { WorkoutRequestOptions } from '@optimo-import/mapper';
import { parseFile } from '@optimo-import/parsers';
import { CHANNELS } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { describeFailure } from './contender.js';
import { TWELVE_HOUR_FILE } from './generated.js';

/** The options every workout is counted with (the brief's; the zone changes no byte count that matters). */
export const COUNT_OPTIONS: WorkoutRequestOptions = { athleteId: 1, timeZone: 'UTC' };

/** Folders read first, in this order; every other folder of the corpus follows, by name. */
export const FIRST_FOLDERS = ['fit', 'tcx', 'gpx', 'bad', 'perf'] as const;

/** What became of the files of one corpus folder. */
export interface FolderCount {
  folder: string;
  files: number;
  /** Files whose bytes an earlier folder already held (counted there, not again). */
  duplicates: number;
  /** Entries (a file, or one member of a .gz/.zip) by outcome of `parseFile`. */
  entriesOk: number;
  entriesFailed: number;
  entriesSkipped: number;
  /** Why entries failed, as `code ×count`. */
  failureCodes: string[];
  workouts: number;
  requests: number;
  /** Workouts `countWorkoutRequests` threw on. */
  uncountable: number;
}

/** One workout that costs more than one request, or could not be counted. */
export interface WorkoutCount {
  /** `folder/file` (and `!entry` inside a container), with `#n` when the entry gives several workouts. */
  name: string;
  samples: number;
  /** Channels with at least one value. */
  channels: number;
  requests?: number;
  /** `planWorkoutUpload(...).requestCount`, when it differs from `requests` (it must not). */
  planRequests?: number;
  /** UTF-8 bytes of one `workout.create` holding every sample (built with no size cap). */
  fullBodyBytes?: number;
  /** The same body without samples: what every request repeats or needs besides them. */
  baseBytes?: number;
  failure?: string;
}

export interface RequestCountRun {
  corpusDir: string;
  folders: FolderCount[];
  /** Workouts counted (the corpus only) and the requests they need. */
  workouts: number;
  requests: number;
  /** Every corpus workout above 1 request, or that could not be counted. */
  notable: WorkoutCount[];
  /** Workouts whose count differed from the plan's. */
  mismatches: number;
  /** `perf/x.fit = fit/y.fit`: files counted once. */
  duplicates: string[];
  /** The generated 12-hour ride, apart from the corpus figures. */
  twelveHour?: WorkoutCount;
  skipped: string[];
  seconds: number;
}

/** Skipped everywhere: the corpus's own documentation. */
const isDocumentation = (name: string): boolean => name.toLowerCase().endsWith('.md');

export function countCorpusRequests(corpusDir: string, log: (line: string) => void): RequestCountRun {
  const started = performance.now();
  const run: RequestCountRun = { corpusDir, folders: [], workouts: 0, requests: 0, notable: [], mismatches: 0, duplicates: [], skipped: [], seconds: 0 };
  if (!existsSync(corpusDir)) {
    run.skipped.push(`${corpusDir} not found: the corpus was not counted`);
  } else {
    const seen = new Map<string, string>();
    const others = readdirSync(corpusDir)
      .filter((name) => !(FIRST_FOLDERS as readonly string[]).includes(name) && statSync(join(corpusDir, name)).isDirectory())
      .sort();
    for (const folder of [...FIRST_FOLDERS, ...others]) {
      const dir = join(corpusDir, folder);
      if (!existsSync(dir)) {
        run.skipped.push(`corpus/${folder} not found`);
        continue;
      }
      run.folders.push(countFolder(dir, folder, seen, run));
    }
  }
  for (const folder of run.folders) {
    run.workouts += folder.workouts;
    run.requests += folder.requests;
  }
  try {
    const bytes = buildTwelveHourRide();
    const entries = parseFile(bytes, { fileName: TWELVE_HOUR_FILE });
    const workout = entries.flatMap((e) => (e.status === 'ok' ? e.workouts : []))[0];
    if (!workout) throw new Error(`${TWELVE_HOUR_FILE} gave no workout`);
    run.twelveHour = countOne(`generated: ${TWELVE_HOUR_FILE}`, workout, true);
    if (run.twelveHour.planRequests !== undefined) run.mismatches++;
  } catch (error) {
    run.skipped.push(`the 12-hour FIT could not be built or parsed (${describeFailure(error)})`);
  }
  run.seconds = (performance.now() - started) / 1000;
  log(`[bench] uploader: ${run.workouts} corpus workouts need ${run.requests} requests (${run.folders.reduce((s, f) => s + f.files, 0)} files, ${run.seconds.toFixed(1)} s)`);
  return run;
}

function countFolder(dir: string, folder: string, seen: Map<string, string>, run: RequestCountRun): FolderCount {
  const result: FolderCount = { folder, files: 0, duplicates: 0, entriesOk: 0, entriesFailed: 0, entriesSkipped: 0, failureCodes: [], workouts: 0, requests: 0, uncountable: 0 };
  const codes = new Map<string, number>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (isDocumentation(name) || !statSync(path).isFile()) continue;
    result.files++;
    const bytes = new Uint8Array(readFileSync(path));
    const hash = createHash('sha256').update(bytes).digest('hex');
    const label = `${folder}/${name}`;
    const first = seen.get(hash);
    if (first !== undefined) {
      result.duplicates++;
      run.duplicates.push(`${label} = ${first}`);
      continue;
    }
    seen.set(hash, label);
    for (const entry of parseFile(bytes, { fileName: name })) {
      if (entry.status === 'failed') {
        result.entriesFailed++;
        codes.set(entry.error.code, (codes.get(entry.error.code) ?? 0) + 1);
        continue;
      }
      if (entry.status === 'skipped') {
        result.entriesSkipped++;
        continue;
      }
      result.entriesOk++;
      const entryLabel = `${folder}/${entry.name}`;
      entry.workouts.forEach((workout, index) => {
        const counted = countOne(entry.workouts.length > 1 ? `${entryLabel} #${index + 1}` : entryLabel, workout, false);
        if (counted.requests === undefined) {
          result.uncountable++;
          run.notable.push(counted);
          return;
        }
        result.workouts++;
        result.requests += counted.requests;
        if (counted.planRequests !== undefined) run.mismatches++;
        if (counted.requests > 1 || counted.planRequests !== undefined) run.notable.push(counted);
      });
    }
  }
  result.failureCodes = [...codes].map(([code, count]) => `${code} ×${count}`);
  return result;
}

/**
 * Counts one workout's requests and checks the count against the plan's. For a workout above
 * one request (or when `detail` is asked), also the size of one body holding every sample.
 */
export function countOne(name: string, workout: Workout, detail: boolean): WorkoutCount {
  const samples = workout.samples.offsetSeconds.length;
  const channels = CHANNELS.filter((c) => workout.samples[c]?.some((v) => v !== undefined)).length;
  const counted: WorkoutCount = { name, samples, channels };
  try {
    counted.requests = countWorkoutRequests(workout, COUNT_OPTIONS);
    const planned = planWorkoutUpload(workout, COUNT_OPTIONS).requestCount;
    if (planned !== counted.requests) counted.planRequests = planned;
    if (detail || counted.requests > 1 || planned > 1) {
      const uncapped = { ...COUNT_OPTIONS, maxBodyBytes: Number.MAX_SAFE_INTEGER };
      counted.fullBodyBytes = Buffer.byteLength(buildWorkoutCreate(workout, uncapped));
      counted.baseBytes = Buffer.byteLength(buildWorkoutCreate({ ...workout, samples: { offsetSeconds: [] } }, uncapped));
    }
  } catch (error) {
    counted.failure = describeFailure(error);
  }
  return counted;
}

/**
 * The fewest requests a body of this size could take: its bytes over 10 MiB, rounded up (a lower
 * bound: every further request repeats a head the bound leaves out).
 */
export function requestFloor(fullBodyBytes: number): number {
  return Math.max(1, Math.ceil(fullBodyBytes / MAX_BODY_BYTES));
}

/** Why a workout takes more than one request, in words. */
export function explainRequests(w: WorkoutCount): string {
  if (w.failure) return `not countable: ${w.failure}`;
  if (w.requests === undefined || w.fullBodyBytes === undefined) return '—';
  const mib = (bytes: number): string => (bytes / 1024 ** 2).toFixed(2);
  const perSample = w.samples > 0 ? Math.round((w.fullBodyBytes - (w.baseBytes ?? 0)) / w.samples) : 0;
  if (w.fullBodyBytes > MAX_BODY_BYTES) {
    const floor = requestFloor(w.fullBodyBytes);
    const atFloor = w.requests === floor ? 'the fewest its size allows' : `${w.requests - floor} above ⌈size / 10 MiB⌉ = ${floor} (each further request repeats the request head)`;
    return `${w.samples.toLocaleString('en-US')} samples × ${w.channels} channels, about ${perSample} bytes each: one body would be ${mib(w.fullBodyBytes)} MiB, over the 10 MiB cap; ${atFloor}`;
  }
  return `**under 10 MiB (${mib(w.fullBodyBytes)} MiB) yet ${w.requests} requests: no known reason**`;
}
