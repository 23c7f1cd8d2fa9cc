/**
 * Polar companions on disk. ProTrainer saves an exercise as `x.hrm` (heart rate, bike data) and,
 * with GPS, `x.gpx` beside it, plus one `YYYYMMDD.pdd` per day naming the day's exercises. A job
 * is one file, so each file of such a folder learns about the others here, by name, from one
 * listing of its folder:
 *
 * | the file | beside it | what the job imports |
 * | --- | --- | --- |
 * | `x.hrm` (parses as HRM) | `x.gpx` (any case) and/or the day's `.pdd` | one workout: the HRM merged with the GPX by time, named and sported from the day file (`joinHrmCompanions`) |
 * | `x.gpx` | `x.hrm` that parses as HRM and overlaps it | nothing of its own: each workout is a `duplicate` of `x.hrm`'s job |
 * | `YYYYMMDD.pdd` | — | no job: `migrate` leaves day files out, `watch` ignores them, `inspect` shows them `skipped` |
 *
 * A `.hrm` alone imports as before. Bounds: a folder is listed once per job (`inspect` and a dry
 * run: once per run), at most `MAX_LISTED_NAMES` names (a larger folder is not searched; the HRM
 * says so in a warning); a companion is read only up to `MAX_COMPANION_BYTES` (a `.pdd` up to
 * `PDD_MAX_BYTES`). A companion that vanished, cannot be read, is over its cap or does not parse
 * is left out (the HRM's `companion-unreadable` warning says which and why); any other I/O error
 * is thrown for the caller to retry.
 */
import { createHash } from 'node:crypto';
import { opendir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { findCompanions, joinHrmCompanions, parseFile, PDD_MAX_BYTES, readPddReason } from '@optimo-import/parsers';
import type { EntryResult, HrmCompanionFiles } from '@optimo-import/parsers';
import type { Workout } from '@optimo-import/workout';

/** Most names read from one folder when looking for companions. */
export const MAX_LISTED_NAMES = 20_000;
/** Largest `.gpx` or `.hrm` read as a companion. */
export const MAX_COMPANION_BYTES = 64 * 1024 * 1024;

const HRM = /\.hrm$/i;
const GPX = /\.gpx$/i;
const PDD = /\.pdd$/i;

/** Whether a file name is a Polar day file by its extension. */
export function isPddName(path: string): boolean {
  return PDD.test(path);
}

/** The names in one folder that can be companions (`.hrm`, `.gpx`, `.pdd`), or `undefined` when the folder holds too many names to look. */
export interface FolderListings {
  names(dir: string): Promise<readonly string[] | undefined>;
}

/** Folder listings, each read once (`maxNames`: default `MAX_LISTED_NAMES`). */
export function createFolderListings(options: { maxNames?: number } = {}): FolderListings {
  const maxNames = options.maxNames ?? MAX_LISTED_NAMES;
  const cache = new Map<string, Promise<readonly string[] | undefined>>();
  return {
    names(dir) {
      let listing = cache.get(dir);
      if (listing === undefined) {
        listing = listFolder(dir, maxNames);
        cache.set(dir, listing);
      }
      return listing;
    },
  };
}

async function listFolder(dir: string, maxNames: number): Promise<readonly string[] | undefined> {
  const names: string[] = [];
  let seen = 0;
  let handle;
  try {
    handle = await opendir(dir, { bufferSize: 256 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM') return []; // nothing to find beside the file
    throw error;
  }
  try {
    for await (const entry of handle) {
      seen += 1;
      if (seen > maxNames) return undefined;
      if (HRM.test(entry.name) || GPX.test(entry.name) || PDD.test(entry.name)) names.push(entry.name);
    }
  } finally {
    await handle.close().catch(() => undefined); // closed already when the loop ran to its end
  }
  return names.sort();
}

/** What a file is among its companions. */
export type DiskCompanions =
  /** No companion role: import the results as they are. */
  | { role: 'none' }
  /** An HRM: `results` hold its one workout joined with what lay beside it. */
  | { role: 'hrm'; results: EntryResult[]; gpxMerged?: string; pddRead?: string }
  /** A GPX merged into the HRM beside it: it imports nothing of its own. */
  | { role: 'gpx-companion'; hrm: { fileName: string; path: string; contentHash: string } }
  /** A day file, read for these HRMs of its folder (none: no HRM of its day is there). */
  | { role: 'pdd'; hrms: string[] };

export interface DiskCompanionOptions {
  listings: FolderListings;
  /** The zone the HRM's local times are read in (the job's, the account's, `--time-zone`). */
  timeZone?: string;
}

/**
 * The companion role of the file at `path` whose parse results are `results` (from
 * `parseFile`/`parseInput`; only a file of one entry can have one). Never changes the inputs.
 */
export async function resolveDiskCompanions(path: string, results: readonly EntryResult[], options: DiskCompanionOptions): Promise<DiskCompanions> {
  const name = basename(path);
  const dir = dirname(path);
  if (PDD.test(name)) {
    const names = await options.listings.names(dir);
    const hrms = findCompanions([...(names ?? [])].filter((n) => HRM.test(n) || n === name)).filter((group) => group.pdd === name);
    return { role: 'pdd', hrms: hrms.map((group) => group.hrm) };
  }
  const [only] = results;
  if (results.length !== 1 || only?.status !== 'ok' || only.workouts.length !== 1) return { role: 'none' };
  if (only.format === 'polar-hrm') return joinOnDisk(path, only, options);
  if (only.format === 'gpx' && GPX.test(name)) return companionOfHrm(path, only.workouts, options);
  return { role: 'none' };
}

async function joinOnDisk(path: string, entry: EntryResult & { status: 'ok' }, options: DiskCompanionOptions): Promise<DiskCompanions> {
  const name = basename(path);
  const dir = dirname(path);
  const hrm = entry.workouts[0] as Workout;
  const names = await options.listings.names(dir);
  if (names === undefined) {
    const warning = { code: 'companion-not-looked-for', message: `${dir} holds more than ${MAX_LISTED_NAMES} files; no .gpx or .pdd beside ${name} was looked for`, count: 1 };
    return { role: 'hrm', results: [{ ...entry, workouts: [{ ...hrm, warnings: [...hrm.warnings, warning] }] }] };
  }
  const [group] = findCompanions([name, ...names.filter((n) => GPX.test(n) || PDD.test(n))]);
  if (group === undefined || (group.gpx === undefined && group.pdd === undefined)) return { role: 'none' };
  const companions: HrmCompanionFiles = {};
  const missing: string[] = [];
  if (group.gpx !== undefined) {
    const bytes = await readCompanion(join(dir, group.gpx), MAX_COMPANION_BYTES);
    const [gpx] = typeof bytes === 'string' ? [] : parseFile(bytes, { fileName: group.gpx, ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }) });
    if (gpx?.status === 'ok' && gpx.format === 'gpx') companions.gpx = { fileName: group.gpx, workouts: gpx.workouts };
    else missing.push(`${group.gpx} (${typeof bytes === 'string' ? bytes : gpx?.status === 'failed' ? gpx.error.detail : 'not a GPX'})`);
  }
  if (group.pdd !== undefined) {
    const bytes = await readCompanion(join(dir, group.pdd), PDD_MAX_BYTES);
    if (typeof bytes !== 'string') companions.pdd = { fileName: group.pdd, bytes };
    else missing.push(`${group.pdd} (${bytes})`);
  }
  const joined = joinHrmCompanions(hrm, name, companions);
  let workout = joined.workout;
  if (missing.length > 0) {
    workout = { ...workout, warnings: [...workout.warnings, { code: 'companion-unreadable', message: `beside ${name}: ${missing.join('; ')}; left out`, count: missing.length }] };
  }
  return {
    role: 'hrm',
    results: [{ ...entry, workouts: [workout] }],
    ...(joined.gpxMerged && group.gpx !== undefined ? { gpxMerged: group.gpx } : {}),
    ...(companions.pdd !== undefined && joined.pddError === undefined ? { pddRead: group.pdd } : {}),
  };
}

async function companionOfHrm(path: string, workouts: readonly Workout[], options: DiskCompanionOptions): Promise<DiskCompanions> {
  const name = basename(path);
  const dir = dirname(path);
  const names = await options.listings.names(dir);
  const stem = name.slice(0, -4).toLowerCase();
  const hrmName = names?.find((n) => HRM.test(n) && n.slice(0, -4).toLowerCase() === stem);
  if (hrmName === undefined) return { role: 'none' };
  const hrmPath = join(dir, hrmName);
  const bytes = await readCompanion(hrmPath, MAX_COMPANION_BYTES);
  if (typeof bytes === 'string') return { role: 'none' };
  const [hrm] = parseFile(bytes, { fileName: hrmName, ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }) });
  if (hrm?.status !== 'ok' || hrm.format !== 'polar-hrm' || hrm.workouts.length !== 1) return { role: 'none' };
  // The same judgement the HRM's own job makes: merged only when the tracks overlap.
  const joined = joinHrmCompanions(hrm.workouts[0] as Workout, hrmName, { gpx: { fileName: name, workouts } });
  if (!joined.gpxMerged) return { role: 'none' };
  return { role: 'gpx-companion', hrm: { fileName: hrmName, path: hrmPath, contentHash: createHash('sha256').update(bytes).digest('hex') } };
}

/** A companion's bytes, or why it was left out (gone, unreadable, not a file, over `cap`); other I/O errors are thrown. */
async function readCompanion(path: string, cap: number): Promise<Uint8Array | string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return 'not a file';
    if (info.size > cap) return `${info.size} bytes, over the ${cap} read of a companion`;
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'gone';
    if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR') return `cannot be read: ${(error as Error).message}`;
    throw error;
  }
}

/** The skipped reason `inspect` shows for a day file (never a failure). */
export function pddSkipReason(hrms: readonly string[]): string {
  return hrms.length > 0 ? readPddReason(hrms) : 'a Polar day file (.pdd): no recording; read beside the .hrm files of its day (none is in its folder)';
}
