/**
 * The watch folder: `optimo-import watch <folder> [--athlete ID | per-athlete subfolders | --map FILE]`.
 * Files dropped into the folder, or into a subfolder named after an athlete, are imported; a file
 * still being copied is waited for; files dropped while the watcher was down are found when it
 * starts; a success moves the file to `done/`, a failure to `failed/` with `<name>.error.json`
 * beside it; nothing is ever deleted or overwritten.
 *
 * ```ts
 * const watcher = await watchFolder({ folder: '/srv/inbox', runner, account: 'default', onEvent: print });
 * await watcher.ready;        // watching, and the files already there are taken up
 * // … later
 * await watcher.close();      // files not finished stay where they are
 * ```
 *
 * Layout (`<sub>` is a per-athlete subfolder; deeper folders are kept the same way):
 *
 * ```
 * <folder>/ride.fit                      dropped (needs --athlete, see below)
 * <folder>/alice/ride.fit                dropped for athlete alice (or whoever the map says)
 * <folder>/done/alice/ride.fit           imported or duplicate
 * <folder>/failed/alice/ride (1).fit     failed or partial: a second file of that name
 * <folder>/failed/alice/ride (1).fit.error.json
 * ```
 *
 * Results go to `done/` and `failed/` directly in the watched folder, the file's path below them
 * mirroring its path in the inbox: one place to look for every result, athlete subfolders stay
 * plain inboxes, and `done/<sub>/` shows each athlete's history. The watcher never reads a folder
 * named `done` or `failed` at any depth, nor hidden, temporary or partial-download names
 * (ignored-names.ts).
 *
 * Polar exercises (polar-companions.ts): `x.hrm` and the `x.gpx` ProTrainer writes beside it are
 * two files but one workout — the HRM's job merges the GPX, the GPX's job reports its workouts as
 * duplicates of the HRM's. Both jobs must find the other file in place, so of such a pair the
 * first whose result is known waits (without holding a slot) until the other's is known too, and
 * then both are moved (the GPX to `done/` as a duplicate). The day's `YYYYMMDD.pdd` is read by the
 * HRM's job and otherwise ignored: it stays in the folder, for the next exercise of its day.
 *
 * Whose file (resolve-athlete.ts): 1. the athlete map's entry for the file's `<sub>`; 2. else
 * `--athlete ID`, for every file of the tree; 3. else, without a map, `<sub>` itself is the
 * athlete id; otherwise the file fails with `no-athlete` (moved to `failed/` with its report,
 * never silently left).
 *
 * The life of a file: found (scan or file system event) → waited on until its size, mtime and
 * inode stay the same for `stableMs` (stable-file.ts) → a symbolic link (to a file or a folder,
 * inside the folder or out of it) is never followed: it is left in place and reported once, as is
 * anything else that is not a regular file, and a name that is not valid UTF-8 → refused without being read when over
 * `MAX_FILE_BYTES` → sha256 → still unchanged? (else waited on again) → enqueued as an
 * `ImportJobData` with origin `watch`, job id `<account>@<sha256>` → its result awaited → still the
 * same file? (else taken up again) → moved (moves.ts). The file stays where it was until its result
 * is known, so a restart finds it again and enqueues the same job, whose result comes back:
 * nothing is imported twice. A failing runner (Redis down) is not the file's fault: the file
 * stays, the error is reported and the file is tried again after a capped, jittered backoff, for
 * as long as the watcher runs (a cap on attempts would need somewhere to put the file, and
 * `failed/` is for files that are bad).
 *
 * Options (defaults in brackets):
 *
 * | option         | behaviour |
 * | -------------- | --------- |
 * | `folder`       | the watched folder; must exist |
 * | `runner`       | the pipeline (queue or in-process) |
 * | `account`      | the account files go to (an athlete map entry may name another) |
 * | `athleteId`    | [none] `--athlete ID` |
 * | `athleteMap`   | [none] `--map FILE`, from `readAthleteMap` |
 * | `timeZone`     | [none: the account's] zone for files with naive local times, put in every job |
 * | `csvMapping`   | [none] a CSV column mapping's JSON object (`--csv-mapping FILE`), put in every job; checked here |
 * | `stableMs`     | [2000] how long a file must stay unchanged to be taken as complete |
 * | `pollMs`       | [stableMs / 4, between 10 and 250] how often a file being waited on is looked at; chokidar's polling interval too |
 * | `usePolling`   | [false] let chokidar poll instead of using file system events (network shares, some containers) |
 * | `rescanMs`     | [300000] the whole folder is scanned again this often, a safety net for lost events; 0: never |
 * | `concurrency`  | [16] files taken up at once (waited on, hashed, enqueued, their result awaited); the rest wait their turn |
 * | `retryDelayMs` | [2 s doubling to 5 min, ±20%] delay before the `n`th retry after a runner error |
 * | `signal`       | [none] aborting it closes the watcher |
 * | `onEvent`      | [none] structured events (watch-events.ts); must not throw |
 */
import { lstat, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import { csvMappingOfJob } from '../csv-mapping.js';
import { sha256OfFile } from '../jobs/hash.js';
import { importJobSchema, MAX_FILE_BYTES } from '../jobs/job-data.js';
import type { ImportJobData, ImportResult } from '../jobs/job-data.js';
import type { ImportRunner } from '../jobs/runner.js';
import type { AthleteMap } from './athlete-map.js';
import { reportOfLocalFailure, reportOfResult, reasonOf } from './error-report.js';
import type { ErrorReport } from './error-report.js';
import { DONE_FOLDER, ERROR_REPORT_SUFFIX, FAILED_FOLDER, isIgnoredPath } from './ignored-names.js';
import { moveWithoutOverwrite, writeNewFile } from './moves.js';
import { resolveAthlete } from './resolve-athlete.js';
import type { AthleteResolution, AthleteSources } from './resolve-athlete.js';
import { scanFolder } from './scan-folder.js';
import { sameSnapshot, snapshotKey, snapshotOf, waitUntilStable } from './stable-file.js';
import { errnoOf, messageOf, WatchError } from './watch-error.js';
import type { WatchErrorCode } from './watch-error.js';
import type { WatchEvent } from './watch-events.js';

export interface WatchFolderOptions {
  folder: string;
  runner: ImportRunner;
  account: string;
  athleteId?: string;
  athleteMap?: AthleteMap;
  timeZone?: string;
  csvMapping?: Record<string, unknown>;
  stableMs?: number;
  pollMs?: number;
  usePolling?: boolean;
  rescanMs?: number;
  concurrency?: number;
  retryDelayMs?: (attempt: number) => number;
  signal?: AbortSignal;
  onEvent?: (event: WatchEvent) => void;
}

export interface ResolvedWatchFolderOptions {
  /** Absolute. */
  folder: string;
  runner: ImportRunner;
  sources: AthleteSources;
  timeZone?: string;
  csvMapping?: Record<string, unknown>;
  stableMs: number;
  pollMs: number;
  usePolling: boolean;
  rescanMs: number;
  concurrency: number;
  retryDelayMs: (attempt: number) => number;
  signal?: AbortSignal;
  onEvent: (event: WatchEvent) => void;
}

export interface FolderWatcher {
  /** The watched folder, absolute. */
  readonly folder: string;
  /** Resolves when the watcher is watching and the files already in the folder are taken up. */
  readonly ready: Promise<void>;
  /** Resolves once `ready` and no file is pending (being waited on, awaited or due for a retry), or when closed. */
  idle(): Promise<void>;
  /** Stops watching, stops waiting; files not finished stay where they are. */
  close(): Promise<void>;
}

export interface FolderSummary {
  /** Files moved to `done/`. */
  done: number;
  /** Files moved to `failed/`. */
  failed: number;
  /** Files left in place: the runner failed, or the file could not be moved (see the events). */
  left: number;
}

export const DEFAULT_STABLE_MS = 2000;
export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_RESCAN_MS = 300_000;

/** The delay before the `attempt`th retry after a runner error: 2 s doubling, at most 5 minutes, ±20% jitter. */
export function defaultRetryDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(2000 * 2 ** Math.max(0, attempt - 1), 300_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Starts watching `options.folder`. Rejects with a `WatchError` for bad options or a missing folder. */
export async function watchFolder(options: WatchFolderOptions): Promise<FolderWatcher> {
  return startWatcher(await resolveWatchFolderOptions(options), false);
}

/**
 * The `--once` mode (cron, tests): scans the folder, imports every file present, and resolves
 * when each has a result and is moved, or is left in place for a reason the events give. No file
 * system watcher; a runner error is not retried in this run (the file stays for the next one).
 */
export async function importFolderOnce(options: WatchFolderOptions): Promise<FolderSummary> {
  const summary: FolderSummary = { done: 0, failed: 0, left: 0 };
  const left = new Set<string>();
  const resolved = await resolveWatchFolderOptions(options);
  const forward = resolved.onEvent;
  resolved.onEvent = (event) => {
    if (event.type === 'moved') {
      summary[event.folder === DONE_FOLDER ? 'done' : 'failed']++;
      left.delete(event.path);
    } else if (event.type === 'runner-error' || (event.type === 'error' && event.path !== undefined)) left.add(event.path as string);
    forward(event);
  };
  const watcher = startWatcher(resolved, true);
  try {
    await watcher.idle();
  } finally {
    await watcher.close();
  }
  summary.left = left.size;
  return summary;
}

const accountSchema = importJobSchema.shape.account;
const athleteIdSchema = importJobSchema.shape.athleteId;

/** Checks the options (every problem in one `WatchError`, code `bad-option`) and that the folder is one. */
export async function resolveWatchFolderOptions(options: WatchFolderOptions): Promise<ResolvedWatchFolderOptions> {
  const problems: string[] = [];
  const check = (ok: boolean, message: string): void => {
    if (!ok) problems.push(message);
  };
  check(typeof options.folder === 'string' && options.folder !== '', 'folder: must be a path');
  check(typeof options.runner?.enqueue === 'function' && typeof options.runner?.waitFor === 'function', 'runner: must be an ImportRunner');
  check(accountSchema.safeParse(options.account).success, `account: must be an account name (letters, digits, ., _ and -), got ${JSON.stringify(options.account)}`);
  if (options.athleteId !== undefined) check(athleteIdSchema.safeParse(options.athleteId).success, `athleteId: must be 1 to 64 characters, not blank, got ${JSON.stringify(options.athleteId)}`);
  if (options.athleteMap !== undefined) check(options.athleteMap.entries instanceof Map, 'athleteMap: must come from readAthleteMap or parseAthleteMap');
  if (options.timeZone !== undefined) check(isTimeZone(options.timeZone), `timeZone: ${JSON.stringify(options.timeZone)} is not an IANA time zone`);
  if (options.csvMapping !== undefined) {
    try {
      csvMappingOfJob(options.csvMapping);
    } catch (error) {
      problems.push(`csvMapping: ${(error as Error).message}`);
    }
  }
  const stableMs = options.stableMs ?? DEFAULT_STABLE_MS;
  check(Number.isFinite(stableMs) && stableMs >= 0, `stableMs: must be a number of milliseconds ≥ 0, got ${String(options.stableMs)}`);
  const pollMs = options.pollMs ?? Math.min(250, Math.max(10, Math.round(stableMs / 4)));
  check(Number.isFinite(pollMs) && pollMs > 0, `pollMs: must be a number of milliseconds > 0, got ${String(options.pollMs)}`);
  const rescanMs = options.rescanMs ?? DEFAULT_RESCAN_MS;
  check(Number.isFinite(rescanMs) && rescanMs >= 0, `rescanMs: must be a number of milliseconds ≥ 0 (0: never), got ${String(options.rescanMs)}`);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  check(Number.isInteger(concurrency) && concurrency >= 1, `concurrency: must be a whole number ≥ 1, got ${String(options.concurrency)}`);
  if (problems.length > 0) {
    throw new WatchError(problems.length === 1 ? `option ${problems[0]}` : `bad options:\n${problems.map((p) => `  ${p}`).join('\n')}`, { code: 'bad-option' });
  }
  const folder = resolve(options.folder);
  let info: Stats;
  try {
    info = await stat(folder);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') throw new WatchError(`${folder}: no such folder to watch`, { code: 'not-found', file: folder, cause: error });
    throw new WatchError(`${folder}: cannot watch it: ${messageOf(error)}`, { code: 'unreadable', file: folder, cause: error });
  }
  if (!info.isDirectory()) throw new WatchError(`${folder}: not a folder; give the folder to watch`, { code: 'not-a-folder', file: folder });

  const sources: AthleteSources = { account: options.account };
  if (options.athleteId !== undefined) sources.athleteId = athleteIdSchema.parse(options.athleteId);
  if (options.athleteMap !== undefined) sources.athleteMap = options.athleteMap;
  const resolved: ResolvedWatchFolderOptions = {
    folder,
    runner: options.runner,
    sources,
    stableMs,
    pollMs,
    usePolling: options.usePolling ?? false,
    rescanMs,
    concurrency,
    retryDelayMs: options.retryDelayMs ?? ((attempt) => defaultRetryDelay(attempt)),
    onEvent: options.onEvent ?? (() => undefined),
  };
  if (options.timeZone !== undefined) resolved.timeZone = options.timeZone;
  if (options.csvMapping !== undefined) resolved.csvMapping = options.csvMapping;
  if (options.signal !== undefined) resolved.signal = options.signal;
  return resolved;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A file taken up: at most one per path at a time. */
interface Task {
  path: string;
  /** Relative to the watched folder. */
  file: string;
  /** Runner errors so far. */
  attempt: number;
  /** A file system event arrived while it was active: take it up again afterwards. */
  dirty: boolean;
  /** `found` was reported (once per task, not again on each retry). */
  announced: boolean;
  /** `deferred`: its result is known and its move waits for its Polar companion's (see the module comment). */
  state: 'queued' | 'active' | 'retrying' | 'deferred';
  timer?: NodeJS.Timeout;
  /** The result and the file it is of, while `deferred` (and when taken up again to be moved). */
  deferred?: { info: Stats; result: ImportResult };
  /** `folder + NUL + lower-case stem` of a `.hrm` or `.gpx`: tasks of one key are companions. */
  companionKey?: string;
}

/**
 * The mode of a file's `.error.json`: read and write for the watcher's user, and for its group and
 * others what the failed file itself grants them (the umask still applies). The report names the
 * file, the athlete and the account: whoever may read the workout may read why it failed, nobody
 * else.
 */
export function reportModeOf(fileMode: number): number {
  return 0o600 | (fileMode & 0o066);
}

/** The companion key of a `.hrm` or `.gpx` path, else undefined. */
function companionKeyOf(path: string): string | undefined {
  const match = /^(.*)\.(hrm|gpx)$/i.exec(basename(path));
  return match === null ? undefined : `${dirname(path)}\0${(match[1] as string).toLowerCase()}`;
}

function startWatcher(options: ResolvedWatchFolderOptions, once: boolean): FolderWatcher {
  const { folder: root, runner, sources } = options;
  const abort = new AbortController();
  const signal = abort.signal;
  const pending = new Map<string, Task>();
  /** Pending `.hrm`/`.gpx` tasks by companion key. */
  const companions = new Map<string, Set<Task>>();
  const fifo: Task[] = [];
  const running = new Set<Promise<void>>();
  /** Files that could not be dealt with (not movable, not a file), by path: their snapshot, skipped until it changes. */
  const stuck = new Map<string, string>();
  /** Names that are not valid UTF-8 already reported (their escaped paths). */
  const badNames = new Set<string>();
  let idleWaiters: Array<() => void> = [];
  let active = 0;
  let scanned = false;
  let closed = false;
  let closing: Promise<void> | undefined;
  let watcher: FSWatcher | undefined;
  let rescanTimer: NodeJS.Timeout | undefined;
  let rescanning = false;

  const emit = (event: WatchEvent): void => {
    try {
      options.onEvent(event);
    } catch (error) {
      // A bug of the caller's: surfaced as an uncaught exception rather than lost.
      queueMicrotask(() => {
        throw error;
      });
    }
  };
  const fileError = (task: Task, code: WatchErrorCode, message: string, error?: unknown): void => {
    emit({ type: 'error', code, message: `${task.file}: ${message}`, path: task.path, file: task.file, ...(error === undefined ? {} : { error }) });
  };

  const checkIdle = (): void => {
    if ((scanned && pending.size === 0) || closed) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  };

  const schedule = (path: string): void => {
    if (closed) return;
    const file = relative(root, path);
    if (file === '' || file.startsWith('..') || isAbsolute(file) || isIgnoredPath(file)) return;
    const existing = pending.get(path);
    if (existing !== undefined) {
      if (existing.state === 'active') existing.dirty = true;
      return;
    }
    const task: Task = { path, file, attempt: 0, dirty: false, announced: false, state: 'queued' };
    const key = companionKeyOf(path);
    if (key !== undefined) {
      task.companionKey = key;
      const group = companions.get(key) ?? new Set<Task>();
      group.add(task);
      companions.set(key, group);
    }
    pending.set(path, task);
    fifo.push(task);
    pump();
  };

  /** The other pending tasks of a task's Polar exercise (`x.hrm` ↔ `x.gpx`). */
  const companionsOf = (task: Task): Task[] => (task.companionKey === undefined ? [] : [...(companions.get(task.companionKey) ?? [])].filter((other) => other !== task));

  const forget = (task: Task): void => {
    pending.delete(task.path);
    if (task.companionKey === undefined) return;
    const group = companions.get(task.companionKey);
    group?.delete(task);
    if (group?.size === 0) companions.delete(task.companionKey);
    // Its companions that waited for it are moved now.
    for (const other of group ?? []) {
      if (other.state !== 'deferred' || closed) continue;
      other.state = 'queued';
      fifo.push(other);
    }
  };

  const pump = (): void => {
    while (!closed && active < options.concurrency) {
      const task = fifo.shift();
      if (task === undefined) break;
      task.state = 'active';
      task.dirty = false;
      active++;
      const run = (async () => {
        try {
          if (task.deferred !== undefined) await finishDeferred(task);
          else await processFile(task);
        } catch (error) {
          fileError(task, 'watcher', `unexpected error: ${messageOf(error)}`, error);
        } finally {
          active--;
          settle(task);
        }
      })();
      running.add(run);
      void run.then(() => running.delete(run));
    }
  };

  const settle = (task: Task): void => {
    if (task.state !== 'retrying' && task.state !== 'deferred') {
      forget(task);
      if (task.dirty) schedule(task.path);
    }
    pump();
    checkIdle();
  };

  const processFile = async (task: Task): Promise<void> => {
    let first: Stats;
    try {
      first = await lstat(task.path);
    } catch (error) {
      // Gone before it was taken up (moved by this watcher after a late event, or by someone): not news.
      if (errnoOf(error) !== 'ENOENT') fileError(task, 'unreadable', `cannot look at it: ${messageOf(error)}`, error);
      return;
    }
    if (stuck.get(task.path) === snapshotKey(snapshotOf(first))) return;
    const owner = resolveAthlete(task.file, sources);
    if (!task.announced) emit({ type: 'found', path: task.path, file: task.file, account: owner.account, ...(owner.ok ? { athleteId: owner.athleteId } : {}) });
    task.announced = true;

    let info: Stats;
    let contentHash: string;
    for (;;) {
      try {
        info = await waitUntilStable(task.path, { stableMs: options.stableMs, pollMs: options.pollMs, signal });
      } catch (error) {
        if (!signal.aborted) gone(task, error);
        return;
      }
      if (!info.isFile()) {
        stuck.set(task.path, snapshotKey(snapshotOf(info)));
        const what = info.isSymbolicLink() ? 'not a regular file but a symbolic link: links are never followed, wherever they point (only regular files in the folder are read)' : 'not a regular file';
        fileError(task, 'unreadable', `${what}; left in place`);
        return;
      }
      if (!owner.ok) {
        await failLocally(task, info, owner, { code: owner.code, reason: owner.reason });
        return;
      }
      if (info.size > MAX_FILE_BYTES) {
        const reason = `the file is ${info.size} bytes, over the cap of ${MAX_FILE_BYTES} bytes (${MAX_FILE_BYTES / 1024 / 1024} MiB) for one file; it was not read`;
        await failLocally(task, info, owner, { code: 'too-large', reason });
        return;
      }
      try {
        contentHash = await sha256OfFile(task.path);
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') gone(task, error);
        else await failLocally(task, info, owner, { code: 'unreadable', reason: `cannot read the file: ${messageOf(error)}` });
        return;
      }
      if (signal.aborted) return;
      let after: Stats;
      try {
        after = await lstat(task.path);
      } catch (error) {
        gone(task, error);
        return;
      }
      if (sameSnapshot(snapshotOf(after), snapshotOf(info))) break;
      // It changed while it was being hashed: still being written; wait again.
    }

    const data: ImportJobData = {
      v: 1,
      account: owner.account,
      athleteId: owner.athleteId,
      file: { kind: 'path', path: task.path },
      fileName: basename(task.path),
      contentHash,
      origin: 'watch',
      submittedAt: Date.now(),
    };
    if (options.timeZone !== undefined) data.timeZone = options.timeZone;
    if (options.csvMapping !== undefined) data.csvMapping = options.csvMapping;
    // A job the runner would refuse (a path or name too long) is the file's problem, not a runner error to retry.
    const checked = importJobSchema.safeParse(data);
    if (!checked.success) {
      const problems = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      await failLocally(task, info, owner, { code: 'bad-job', reason: `the file cannot be put in an import job: ${problems}` });
      return;
    }
    let result: ImportResult;
    try {
      const { jobId, added } = await runner.enqueue(data);
      emit({ type: 'queued', path: task.path, file: task.file, jobId, added, account: data.account, athleteId: data.athleteId, contentHash, size: info.size });
      result = await runner.waitFor(jobId, signal);
    } catch (error) {
      if (!signal.aborted) runnerFailed(task, error);
      return;
    }
    if (signal.aborted) return;
    task.attempt = 0;

    // The file must still be the one that was imported: if it was replaced meanwhile, take the new one up.
    if (!(await stillTheSame(task, info))) return;

    // Its Polar companion's job still has to find this file in place: move both once that one is known.
    if (companionsOf(task).some((other) => other.state !== 'deferred')) {
      task.state = 'deferred';
      task.deferred = { info, result };
      return;
    }
    await finishResult(task, info, result);
  };

  /** Whether the file is still the one that was imported: gone, or replaced (taken up again), is false. */
  const stillTheSame = async (task: Task, info: Stats): Promise<boolean> => {
    let now: Stats;
    try {
      now = await lstat(task.path);
    } catch (error) {
      gone(task, error);
      return false;
    }
    if (!sameSnapshot(snapshotOf(now), snapshotOf(info))) {
      task.dirty = true;
      return false;
    }
    return true;
  };

  /** A deferred task taken up again: still the same file? Then it goes where its result says. */
  const finishDeferred = async (task: Task): Promise<void> => {
    const { info, result } = task.deferred as NonNullable<Task['deferred']>;
    delete task.deferred;
    if (!(await stillTheSame(task, info))) return;
    await finishResult(task, info, result);
  };

  const finishResult = async (task: Task, info: Stats, result: ImportResult): Promise<void> => {
    if (result.outcome === 'imported' || result.outcome === 'duplicate') {
      emit({ type: 'imported', path: task.path, file: task.file, jobId: result.jobId, outcome: result.outcome, workoutIds: result.workoutIds, result });
      await moveTo(task, info, DONE_FOLDER);
      return;
    }
    const { reason, code } = reasonOf(result);
    emit({ type: 'failed', path: task.path, file: task.file, jobId: result.jobId, outcome: result.outcome, code, reason, result });
    await moveTo(task, info, FAILED_FOLDER, (name) => reportOfResult(result, name, task.file));
  };

  const gone = (task: Task, error: unknown): void => {
    if (errnoOf(error) === 'ENOENT') emit({ type: 'vanished', path: task.path, file: task.file });
    else fileError(task, 'unreadable', `cannot look at it: ${messageOf(error)}`, error);
  };

  const failLocally = async (task: Task, info: Stats, owner: AthleteResolution, failure: { code: string; reason: string }): Promise<void> => {
    emit({ type: 'failed', path: task.path, file: task.file, outcome: 'failed', code: failure.code, reason: failure.reason });
    const finishedAt = new Date().toISOString();
    await moveTo(task, info, FAILED_FOLDER, (name) =>
      reportOfLocalFailure({ ...failure, account: owner.account, finishedAt, ...(owner.ok ? { athleteId: owner.athleteId } : {}) }, name, task.file),
    );
  };

  const moveTo = async (task: Task, info: Stats, folder: 'done' | 'failed', report?: (name: string) => ErrorReport): Promise<void> => {
    const targetDir = join(root, folder, dirname(task.file));
    let to: string;
    try {
      to = await moveWithoutOverwrite(task.path, targetDir, report === undefined ? {} : { sidecar: ERROR_REPORT_SUFFIX });
    } catch (error) {
      stuck.set(task.path, snapshotKey(snapshotOf(info)));
      fileError(task, 'move-failed', `cannot move it to ${folder}/, left in place: ${messageOf(error)}`, error);
      return;
    }
    stuck.delete(task.path);
    let reportPath: string | undefined;
    if (report !== undefined) {
      reportPath = to + ERROR_REPORT_SUFFIX;
      try {
        await writeNewFile(reportPath, `${JSON.stringify(report(basename(to)), null, 2)}\n`, reportModeOf(info.mode));
      } catch (error) {
        fileError(task, 'move-failed', `moved to ${to}, but its report ${reportPath} could not be written: ${messageOf(error)}`, error);
        reportPath = undefined;
      }
    }
    emit({ type: 'moved', path: task.path, file: task.file, folder, to, ...(reportPath === undefined ? {} : { report: reportPath }) });
  };

  const runnerFailed = (task: Task, error: unknown): void => {
    task.attempt++;
    const message = `${task.file}: the runner failed, the file stays in place: ${messageOf(error)}`;
    if (once) {
      emit({ type: 'runner-error', path: task.path, file: task.file, attempt: task.attempt, message, error });
      return;
    }
    const retryInMs = options.retryDelayMs(task.attempt);
    emit({ type: 'runner-error', path: task.path, file: task.file, attempt: task.attempt, message, retryInMs, error });
    task.state = 'retrying';
    task.timer = setTimeout(() => {
      delete task.timer;
      if (closed) return;
      task.state = 'queued';
      fifo.push(task);
      pump();
    }, retryInMs);
  };

  const scanAll = async (): Promise<void> => {
    const files = await scanFolder(root, (problem) => {
      if (problem.kind !== 'name') {
        emit({ type: 'error', code: 'watcher', message: `${problem.path}: cannot read the folder: ${messageOf(problem.error)}`, error: problem.error });
        return;
      }
      // Said once per watcher, not at every rescan.
      if (badNames.has(problem.path)) return;
      badNames.add(problem.path);
      const file = relative(root, problem.path);
      emit({ type: 'error', code: 'unreadable', message: `${file}: ${messageOf(problem.error)}`, path: problem.path, file });
    });
    for (const path of files) schedule(path);
  };

  const startWatching = async (): Promise<void> => {
    const w = watch(root, {
      ignoreInitial: true,
      ignored: (path: string) => isIgnoredPath(relative(root, path)),
      followSymlinks: false,
      usePolling: options.usePolling,
      interval: options.pollMs,
      binaryInterval: options.pollMs,
      persistent: true,
    });
    watcher = w;
    w.on('add', (path) => schedule(path));
    w.on('change', (path) => schedule(path));
    w.on('error', (error) => emit({ type: 'error', code: 'watcher', message: `${root}: the file system watcher failed: ${messageOf(error)}`, error }));
    // Closed before chokidar was ready: it never will be, so stop waiting for it.
    await new Promise<void>((done) => {
      w.once('ready', done);
      signal.addEventListener('abort', () => done(), { once: true });
    });
  };

  const ready = (async () => {
    if (!once) await startWatching();
    if (closed) return;
    await scanAll();
    scanned = true;
    emit({ type: 'ready', folder: root, pending: pending.size });
    checkIdle();
    if (!once && options.rescanMs > 0 && !closed) {
      rescanTimer = setInterval(() => {
        if (rescanning || closed) return;
        rescanning = true;
        void scanAll().finally(() => {
          rescanning = false;
        });
      }, options.rescanMs);
    }
  })();
  ready.catch(() => undefined); // awaited by the caller; not an unhandled rejection meanwhile

  const onAbort = (): void => void close();

  const close = (): Promise<void> => {
    if (closing !== undefined) return closing;
    closed = true;
    closing = (async () => {
      options.signal?.removeEventListener('abort', onAbort);
      abort.abort(new WatchError(`${root}: the watcher was closed`, { code: 'watcher', file: root }));
      if (rescanTimer !== undefined) clearInterval(rescanTimer);
      for (const task of pending.values()) if (task.timer !== undefined) clearTimeout(task.timer);
      fifo.length = 0;
      await watcher?.close();
      await Promise.allSettled([...running]);
      pending.clear();
      companions.clear();
      checkIdle();
    })();
    return closing;
  };

  if (options.signal?.aborted) void close();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    folder: root,
    ready,
    async idle() {
      if (closed) return;
      await ready;
      if (pending.size === 0 || closed) return;
      await new Promise<void>((wake) => idleWaiters.push(wake));
    },
    close,
  };
}
