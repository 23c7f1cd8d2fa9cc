/**
 * One import job, whatever runs it (the BullMQ worker or the embedded runner): read the file,
 * check its hash, parse it (every entry of a container), and upload each workout that is not a
 * duplicate of one already claimed, through the account's client, limiter and ledger.
 *
 * What the file is read with: the job's zone (else the account's) for naive local times; its CSV
 * column mapping, when it has one, for the CSV parser and for a file no parser detects
 * (csv-mapping.ts; a mapping that does not check fails the job with `bad-job`). A file named by
 * path is one of a folder: a Polar `x.hrm` takes in the `x.gpx` and the day's `.pdd` beside it,
 * and an `x.gpx` merged into such an HRM uploads nothing — each of its workouts is a `duplicate`
 * of the HRM's job (polar-companions.ts).
 *
 * How it ends:
 * - returns the `ImportResult` (written to the result store first) when the file is settled:
 *   `imported`, `duplicate` or `partial`;
 * - throws `JobFailed` (result written) when nothing can be imported: a bad file, an unknown
 *   account, every workout refused for good. Never retried.
 * - throws `JobHold` when the account cannot send now (quota spent, token refused): the job waits
 *   until `until` without counting as a failure; other accounts go on.
 * - throws `JobRetry` on a transient failure (network, server, Redis): tried again with backoff.
 *   The ledger makes a retry skip what was already stored and look up what may have been.
 */
import { readFile, stat } from 'node:fs/promises';
import { isParseError } from '@optimo-import/parsers';
import type { CsvMapping, EntryResult } from '@optimo-import/parsers';
import { isFinished, isUploadError, uploadWorkout } from '@optimo-import/uploader';
import type { UploadError } from '@optimo-import/uploader';
import type { Workout } from '@optimo-import/workout';
import { csvMappingOfJob, parseInput } from '../csv-mapping.js';
import { createFolderListings, resolveDiskCompanions } from '../polar-companions.js';
import { AccountUnknownError } from './accounts.js';
import type { AccountRuntime, AccountRuntimes } from './accounts.js';
import { sha256Hex } from './hash.js';
import { jobIdOf, KEY_PREFIX, MAX_FILE_BYTES } from './job-data.js';
import type { EntryReport, FileOutcome, ImportJobData, ImportResult } from './job-data.js';
import type { RecordingStore } from './recordings.js';
import type { ResultStore } from './result-store.js';

/** How long an account whose token was refused waits before its jobs try again (the token file is re-read each time). */
export const TOKEN_HOLD_MS = 5 * 60_000;

export class JobFailed extends Error {
  override readonly name = 'JobFailed';
  constructor(readonly result: ImportResult) {
    super(result.reason ?? 'the file could not be imported');
  }
}

export class JobHold extends Error {
  override readonly name = 'JobHold';
  constructor(
    readonly account: string,
    /** Epoch ms. */
    readonly until: number,
    readonly code: 'quota-spent' | 'bad-token',
    message: string,
  ) {
    super(message);
  }
}

export class JobRetry extends Error {
  override readonly name = 'JobRetry';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ProcessDeps {
  accounts: AccountRuntimes;
  recordings: RecordingStore;
  results: ResultStore;
  /** Reads bytes stored in Redis for a submitted file (queue mode). */
  readStored?: (key: string) => Promise<Uint8Array | undefined>;
  /** Called after each workout's upload attempt (metrics). */
  onEntry?: (entry: EntryReport, account: string) => void;
  /** Reconcile delay of uploadWorkout (default 1000 ms). */
  reconcileDelayMs?: number;
  /** How long the jobs of an account whose token was refused wait (default `TOKEN_HOLD_MS`; tests shorten it). */
  tokenHoldMs?: number;
  clock?: () => number;
}

export interface ProcessContext {
  /** Attempts before this one. */
  attemptsMade: number;
  signal?: AbortSignal;
}

type Final = { code: string; reason: string };

async function loadBytes(data: ImportJobData, deps: ProcessDeps): Promise<Uint8Array | Final> {
  if (data.file.kind === 'redis') {
    if (deps.readStored === undefined) return { code: 'not-found', reason: 'the file was stored in Redis but this runner has no Redis' };
    if (!data.file.key.startsWith(`${KEY_PREFIX}:file:`)) return { code: 'bad-job', reason: `stored files are kept under ${KEY_PREFIX}:file:<job id>, not ${JSON.stringify(data.file.key)}` };
    try {
      const bytes = await deps.readStored(data.file.key);
      return bytes ?? { code: 'not-found', reason: `the stored file (${data.file.key}) is gone from Redis (it expires 14 days after submission)` };
    } catch (error) {
      throw new JobRetry('redis', `reading the stored file failed: ${(error as Error).message}`, { cause: error });
    }
  }
  const path = data.file.path;
  try {
    const info = await stat(path);
    if (!info.isFile()) return { code: 'not-a-file', reason: `${path} is not a file` };
    if (info.size > MAX_FILE_BYTES) return { code: 'too-large', reason: `${path} is ${info.size} bytes; files over ${MAX_FILE_BYTES} bytes are not read` };
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { code: 'not-found', reason: `${path} no longer exists (moved or deleted after it was queued)` };
    if (code === 'EACCES' || code === 'EPERM') return { code: 'unreadable', reason: `${path} cannot be read: permission denied` };
    if (code === 'EISDIR') return { code: 'not-a-file', reason: `${path} is a folder` };
    throw new JobRetry('io', `reading ${path} failed: ${(error as Error).message}`, { cause: error });
  }
}

function outcomeOf(entries: readonly EntryReport[]): FileOutcome {
  const done = entries.filter((entry) => entry.outcome === 'uploaded' || entry.outcome === 'already-uploaded').length;
  const duplicates = entries.filter((entry) => entry.outcome === 'duplicate').length;
  const failed = entries.filter((entry) => entry.outcome === 'failed').length;
  if (failed > 0) return done + duplicates > 0 ? 'partial' : 'failed';
  if (done > 0) return 'imported';
  if (duplicates > 0) return 'duplicate';
  return 'failed';
}

function isoOf(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** The report of one workout before anything is done with it (outcome `uploaded` until told otherwise). */
function reportOf(entryName: string, index: number, workout: Workout): EntryReport {
  return {
    entry: entryName,
    index,
    outcome: 'uploaded',
    externalId: workout.externalId,
    fingerprint: workout.fingerprint,
    sport: workout.sport,
    startTime: isoOf(workout.startTime),
    requests: 0,
    ...(workout.warnings.length > 0 ? { warnings: workout.warnings.reduce((sum, warning) => sum + (warning.count ?? 1), 0) } : {}),
  };
}

/** UploadError codes that end a workout for good (the rest hold or retry the job). */
const FINAL_UPLOAD_CODES = new Set(['failed', 'too-large', 'unexpected-answer', 'duplicate']);

export async function processImport(data: ImportJobData, context: ProcessContext, deps: ProcessDeps): Promise<ImportResult> {
  const clock = deps.clock ?? Date.now;
  const jobId = jobIdOf(data.account, data.contentHash);
  const attempts = context.attemptsMade + 1;
  const base = resultBase(data);
  const finish = async (entries: EntryReport[], first?: Final): Promise<ImportResult> => {
    const outcome = first === undefined ? outcomeOf(entries) : 'failed';
    const failure = first ?? entries.find((entry) => entry.outcome === 'failed' && entry.reason !== undefined);
    const reason = first?.reason ?? (failure as EntryReport | undefined)?.reason ?? (outcome === 'failed' ? 'the file holds no workout' : undefined);
    const code = first?.code ?? (failure as EntryReport | undefined)?.code ?? (outcome === 'failed' ? 'no-data' : undefined);
    const result: ImportResult = {
      ...base,
      outcome,
      workoutIds: entries.flatMap((entry) => (entry.workoutId !== undefined && entry.outcome !== 'duplicate' ? [entry.workoutId] : [])),
      requests: entries.reduce((sum, entry) => sum + entry.requests, 0),
      ...(outcome === 'failed' || outcome === 'partial' ? { reason, code } : {}),
      entries,
      finishedAt: isoOf(clock()),
      attempts,
    };
    try {
      await deps.results.write(result);
    } catch (error) {
      throw new JobRetry('results', `the result could not be stored: ${(error as Error).message}`, { cause: error });
    }
    if (outcome === 'failed') throw new JobFailed(result);
    return result;
  };

  let csvMapping: CsvMapping | undefined;
  if (data.csvMapping !== undefined) {
    try {
      csvMapping = csvMappingOfJob(data.csvMapping);
    } catch (error) {
      return finish([], { code: 'bad-job', reason: (error as Error).message });
    }
  }

  const loaded = await loadBytes(data, deps);
  if (!(loaded instanceof Uint8Array)) return finish([], loaded);
  const hash = sha256Hex(loaded);
  if (hash !== data.contentHash) {
    return finish([], { code: 'changed', reason: `${data.fileName} changed after it was queued (sha256 ${hash.slice(0, 12)}…, queued as ${data.contentHash.slice(0, 12)}…); queue it again` });
  }

  let runtime: AccountRuntime;
  try {
    runtime = await deps.accounts.get(data.account);
  } catch (error) {
    if (error instanceof AccountUnknownError) return finish([], { code: error.code, reason: error.message });
    throw classifyUpload(error, data.account, clock, deps.tokenHoldMs);
  }

  const timeZone = data.timeZone ?? runtime.timeZone;
  let parsed: EntryResult[];
  try {
    parsed = parseInput(loaded, {
      fileName: data.fileName,
      timeZone,
      ...(data.format === undefined ? {} : { format: data.format }),
      ...(csvMapping === undefined ? {} : { csvMapping }),
    });
  } catch (error) {
    return finish([], { code: isParseError(error) ? error.code : 'corrupt', reason: `${data.fileName}: ${(error as Error).message}` });
  }

  const entries: EntryReport[] = [];
  if (data.file.kind === 'path') {
    let companions;
    try {
      companions = await resolveDiskCompanions(data.file.path, parsed, { listings: createFolderListings(), timeZone });
    } catch (error) {
      throw new JobRetry('io', `looking at the files beside ${data.file.path} failed: ${(error as Error).message}`, { cause: error });
    }
    if (companions.role === 'hrm') parsed = companions.results;
    else if (companions.role === 'gpx-companion') {
      const { hrm } = companions;
      for (const entry of parsed) {
        if (entry.status !== 'ok') continue;
        for (const [index, workout] of entry.workouts.entries()) {
          const report: EntryReport = {
            ...reportOf(entry.name, index, workout),
            outcome: 'duplicate',
            reason: `a Polar companion of ${hrm.fileName}: imported as part of it`,
            duplicateOf: { fileName: hrm.fileName, jobId: jobIdOf(data.account, hrm.contentHash) },
          };
          entries.push(report);
          deps.onEntry?.(report, data.account);
        }
      }
      return finish(entries);
    }
  }

  for (const entry of parsed) {
    if (entry.status === 'failed') {
      entries.push({ entry: entry.name, outcome: 'failed', requests: 0, code: entry.error.code, reason: entry.error.message });
      continue;
    }
    if (entry.status === 'skipped') {
      entries.push({ entry: entry.name, outcome: 'skipped', requests: 0, reason: entry.reason });
      continue;
    }
    for (const [index, workout] of entry.workouts.entries()) {
      const report = await uploadOne(entry.name, index, workout);
      entries.push(report);
      deps.onEntry?.(report, data.account);
    }
  }
  return finish(entries);

  /**
   * The limiter would make an upload wait for tomorrow's quota (or a 429's drain) inside this job,
   * keeping a worker slot from other accounts: hold the account's jobs instead.
   */
  async function holdIfSpent(): Promise<void> {
    let status;
    try {
      status = await runtime.limiter.status();
    } catch (error) {
      throw new JobRetry('limiter', `the quota limiter failed: ${(error as Error).message}`, { cause: error });
    }
    const now = clock();
    if (status.drainUntil > now) {
      throw new JobHold(data.account, status.drainUntil, 'quota-spent', `the API said the account "${data.account}" has no requests left; its jobs wait until ${isoOf(status.drainUntil)}`);
    }
    if (status.synced && status.available <= 0 && status.resetAt > now) {
      throw new JobHold(data.account, status.resetAt, 'quota-spent', `the account "${data.account}" has used its ${status.limit - status.reserve} requests for today (${status.reserve} kept in reserve); its jobs wait until ${isoOf(status.resetAt)}`);
    }
  }

  async function uploadOne(entryName: string, index: number, workout: Workout): Promise<EntryReport> {
    const report = reportOf(entryName, index, workout);
    const owner = { jobId, slot: `${entryName}#${index}`, fileName: data.fileName };
    let claim;
    try {
      claim = await deps.recordings.claim(data.account, data.athleteId, workout.fingerprint, owner);
    } catch (error) {
      throw new JobRetry('redis', `the duplicate check failed: ${(error as Error).message}`, { cause: error });
    }
    if (!claim.claimed) {
      const other = claim.owner;
      return {
        ...report,
        outcome: 'duplicate',
        reason: `the same recording (${workout.fingerprint}) was already imported from ${other.fileName}${other.workoutId === undefined ? '' : ` as workout ${other.workoutId}`}`,
        duplicateOf: { fileName: other.fileName, jobId: other.jobId, ...(other.workoutId === undefined ? {} : { workoutId: other.workoutId }) },
      };
    }
    const ledgerKey = `${data.account}|${data.athleteId}|${workout.externalId}`;
    const known = await runtime.ledger.read(ledgerKey).catch(() => undefined);
    if (!isFinished(known)) await holdIfSpent();
    for (let tokenReloads = 0; ; tokenReloads += 1) {
      try {
        const uploaded = await uploadWorkout(runtime.client, workout, {
          athleteId: data.athleteId,
          timeZone: runtime.timeZone,
          ledger: runtime.ledger,
          ledgerKey,
          ...(deps.reconcileDelayMs === undefined ? {} : { reconcileDelayMs: deps.reconcileDelayMs }),
          ...(context.signal === undefined ? {} : { signal: context.signal }),
        });
        report.requests += uploaded.requests;
        report.workoutId = uploaded.workoutId;
        if (uploaded.reconciled && uploaded.requests === 0) report.outcome = 'already-uploaded';
        await deps.recordings.settle(data.account, data.athleteId, workout.fingerprint, { ...owner, workoutId: uploaded.workoutId }).catch(() => undefined);
        return report;
      } catch (error) {
        if (!isUploadError(error)) throw new JobRetry('internal', `uploading ${entryName} failed: ${(error as Error).message}`, { cause: error });
        report.requests += error.requests ?? 0;
        if ((error.code === 'bad-token' || error.code === 'token-stopped') && tokenReloads === 0 && (await runtime.reloadToken())) continue;
        if (FINAL_UPLOAD_CODES.has(error.code)) {
          await deps.recordings.release(data.account, data.athleteId, workout.fingerprint, owner).catch(() => undefined);
          return { ...report, outcome: 'failed', code: error.code, reason: error.message };
        }
        throw classifyUpload(error, data.account, clock, deps.tokenHoldMs);
      }
    }
  }
}

/** An error that does not end the file: hold the account's jobs, or retry this one later. */
export function classifyUpload(error: unknown, account: string, clock: () => number = Date.now, tokenHoldMs: number = TOKEN_HOLD_MS): JobHold | JobRetry {
  if (!isUploadError(error)) return new JobRetry('internal', (error as Error)?.message ?? String(error), { cause: error });
  const upload = error as UploadError;
  if (upload.code === 'quota-spent') {
    const until = upload.resetAt ?? clock() + (upload.retryAfterSeconds ?? 3600) * 1000;
    return new JobHold(account, until, 'quota-spent', `the account "${account}" has spent today's requests; its jobs wait until ${new Date(until).toISOString()}`);
  }
  if (upload.code === 'bad-token' || upload.code === 'token-stopped') {
    const until = clock() + tokenHoldMs;
    const every = tokenHoldMs % 60_000 === 0 ? `${tokenHoldMs / 60_000} minutes` : `${Math.round(tokenHoldMs / 1000)} s`;
    return new JobHold(account, until, 'bad-token', `the API refused the token of the account "${account}"; its jobs wait (the token file is read again every ${every}; or restart with a new OPTIMO_TOKEN)`);
  }
  return new JobRetry(upload.code, upload.message, { cause: error });
}

/** What every result of a job says of the job itself: its id, account, athlete, file and origin. */
function resultBase(data: ImportJobData) {
  return {
    jobId: jobIdOf(data.account, data.contentHash),
    account: data.account,
    athleteId: data.athleteId,
    fileName: data.fileName,
    ...(data.file.kind === 'path' ? { path: data.file.path } : {}),
    contentHash: data.contentHash,
    origin: data.origin,
    ...(data.migration === undefined ? {} : { migration: data.migration }),
  };
}

/** The final result of a job whose transient failures outlasted its attempts (a new run may try it again). */
export function gaveUpResult(data: ImportJobData, attempts: number, retry: JobRetry, now: number): ImportResult {
  return {
    ...resultBase(data),
    outcome: 'failed',
    workoutIds: [],
    requests: 0,
    reason: `gave up after ${attempts} attempts: ${retry.message}`,
    code: retry.code,
    entries: [],
    finishedAt: new Date(now).toISOString(),
    attempts,
  };
}
