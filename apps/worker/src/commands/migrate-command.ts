/**
 * `optimo-import migrate <file|folder|zip>... --athlete ID [--dry-run] [--report FILE]
 * [--time-zone ZONE] [--csv-mapping FILE] [--no-work] [--concurrency N] [--sandbox]
 * [--state-dir DIR] [config flags]`.
 *
 * A batch run. Each file is hashed and enqueued once (job id `<account>@<sha256>`); with a Redis
 * URL the jobs go to the shared queue and this process works them as one more worker (unless
 * `--no-work`: then it only follows them while `work` processes do the work); without one the
 * embedded runner does it all here, keeping its state in `--state-dir` (default ./.optimo-import).
 * Ctrl-C (or a crash) and the same command again: files with a final result are not run again,
 * workouts the ledger knows are not sent again. The report (JSON + CSV) is written at the end and
 * when interrupted: `--report FILE`, default `optimo-import-report-<migration>.json/.csv` here.
 *
 * Polar `.pdd` day files are no jobs: they hold no recording, and the job of each `.hrm` beside
 * them reads them (polar-companions.ts). `--csv-mapping FILE` is checked here (a bad one is a
 * usage error) and travels in every job as `csvMapping`; a file that failed to parse in an
 * earlier run is read again when the mapping is given.
 *
 * Exit codes: 0 every file imported or a duplicate; 1 some file failed (or, interrupted, 130);
 * 2 usage or config error.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isValidTimeZone } from '@optimo-import/parsers';
import type { CliIo } from '../cli.js';
import { CONFIG_FLAG_OPTIONS, readProcessContext } from '../config.js';
import type { ResolveConfigOptions } from '../config.js';
import { readCsvMappingFile } from '../csv-mapping.js';
import type { CsvMappingFile } from '../csv-mapping.js';
import { collectFiles } from '../files.js';
import { isMappingRerun, isRetryableOnRerun } from '../jobs/rerun.js';
import { sha256OfFile } from '../jobs/hash.js';
import { jobIdOf, MAX_FILE_BYTES } from '../jobs/job-data.js';
import type { ImportJobData, ImportResult } from '../jobs/job-data.js';
import { REDIS_KEYS } from '../jobs/keys.js';
import { dryRunFiles } from '../migrate/dry-run.js';
import type { ProgressStream } from '../migrate/progress.js';
import { createProgress } from '../migrate/progress.js';
import { buildReport } from '../migrate/report.js';
import type { MigrationReport, ReportFileInput } from '../migrate/report.js';
import { formatSummary } from '../migrate/report-summary.js';
import { reportPaths, writeReport } from '../migrate/report-write.js';
import { isPddName } from '../polar-companions.js';
import { printable } from '../printable.js';
import { startLocalWork } from './local-work.js';
import type { LocalWork } from './local-work.js';
import { openRunContext, RunSetupError } from './run-context.js';
import type { RunContext } from './run-context.js';
import { listenForStop } from './signals.js';

export interface MigrateCommandOptions {
  usage: string;
  context?: Pick<ResolveConfigOptions, 'env' | 'cwd'>;
  /** Where the progress bar goes; default stderr. */
  progress?: ProgressStream;
  /** Stops the run as Ctrl-C does (tests). */
  signal?: AbortSignal;
  /** How often progress is polled, ms. Default 1000. */
  pollMs?: number;
}

/** The same files for the same account and athlete are the same migration, run after run. */
export function migrationIdOf(account: string, athleteId: string, paths: readonly string[]): string {
  const hash = createHash('sha256').update(`${account}\n${athleteId}\n${[...paths].sort().join('\n')}`).digest('hex');
  return `m-${hash.slice(0, 16)}`;
}

interface Planned {
  input: ReportFileInput;
  job?: ImportJobData;
}

export async function migrateCommand(args: readonly string[], io: CliIo, options: MigrateCommandOptions): Promise<number> {
  const prefix = 'optimo-import migrate';
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        athlete: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        report: { type: 'string' },
        'csv-mapping': { type: 'string' },
        'no-work': { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        sandbox: { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...CONFIG_FLAG_OPTIONS,
      },
    });
  } catch (error) {
    io.err(`${prefix}: ${(error as Error).message}\n\n${options.usage}`);
    return 2;
  }
  const values = parsed.values;
  const positionals = parsed.positionals;
  if (values.help) {
    io.out(options.usage);
    return 0;
  }
  const usage = (message: string): number => {
    io.err(`${prefix}: ${message}`);
    return 2;
  };
  if (positionals.length === 0) return usage(`give at least one file, folder or zip\n\n${options.usage}`);
  const athleteId = values.athlete?.trim();
  if (athleteId === undefined || athleteId === '') return usage('--athlete ID is required: the athlete the workouts belong to');
  const timeZone = values['time-zone'];
  if (timeZone !== undefined && !isValidTimeZone(timeZone)) return usage(`--time-zone: unknown time zone "${timeZone}" (use an IANA name such as Europe/Lisbon)`);
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) return usage('--concurrency must be a whole number from 1 to 64');
  const context = options.context ?? readProcessContext();
  const progressStream = options.progress ?? process.stderr;
  let csvMapping: CsvMappingFile | undefined;
  if (values['csv-mapping'] !== undefined) {
    try {
      csvMapping = await readCsvMappingFile(resolve(context.cwd, values['csv-mapping']));
    } catch (error) {
      return usage(`--csv-mapping: ${(error as Error).message}`);
    }
  }
  const dayFilesLine = (count: number): void => {
    if (count > 0) io.out(`${count} Polar day file(s) (.pdd) read as companions`);
  };

  if (values['dry-run'] === true) {
    const started = Date.now();
    const result = await dryRunFiles(positionals.map((path) => resolve(context.cwd, path)), {
      athleteId,
      ...(timeZone === undefined ? {} : { timeZone }),
      ...(csvMapping === undefined ? {} : { csvMapping: csvMapping.mapping }),
    });
    dayFilesLine(result.dayFiles);
    const report = buildReport({ migration: 'dry-run', athleteId, startedAt: started, endedAt: Date.now(), dryRun: result });
    if (values.report !== undefined) {
      const written = await writeReport(report, resolve(context.cwd, values.report));
      io.out(`report: ${written.json} and ${written.csv}`);
    }
    for (const line of formatSummary(report)) io.out(printable(line));
    return report.totals.failed > 0 ? 1 : 0;
  }

  let run: RunContext;
  try {
    run = await openRunContext({ values, context, want: 'auto', sandbox: values.sandbox === true, ...(values['state-dir'] === undefined ? {} : { stateDir: values['state-dir'] }) });
  } catch (error) {
    if (!(error instanceof RunSetupError)) throw error;
    io.err(`${prefix}: ${error.message}`);
    return error.exitCode;
  }
  try {
    return await migrate(run);
  } finally {
    await run.close();
  }

  async function migrate(run: RunContext): Promise<number> {
    const account = run.accounts[0]?.name;
    if (account === undefined || run.accounts.length > 1) {
      return usage(account === undefined ? 'no account is configured' : `several accounts are configured (${run.accounts.map((a) => a.name).join(', ')}): choose one with --account NAME`);
    }
    const noWork = values['no-work'] === true;
    if (noWork && run.mode === 'embedded') return usage('--no-work needs the queue (a Redis URL): in the embedded mode nobody else would do the work');

    const paths = positionals.map((path) => resolve(context.cwd, path));
    const migration = migrationIdOf(account, athleteId as string, paths);
    const reportBase = resolve(context.cwd, values.report ?? `optimo-import-report-${migration}`);
    const excluded = new Set(Object.values(reportPaths(reportBase)));
    const collected = (await collectFiles(paths)).filter((file) => !excluded.has(resolve(file.path)));
    // Day files are no workouts: the jobs of the .hrm files beside them read them.
    const found = collected.filter((file) => file.problem !== undefined || !isPddName(file.path));
    if (run.sandboxPage !== undefined) io.out(`sandbox started in this process: ${run.sandboxPage}`);
    io.out(`migration ${migration}: ${found.length} file(s) for athlete ${athleteId} of account ${account} (${run.mode === 'queue' ? `queue at ${run.config.redis.shown}` : `embedded, state in ${run.stateDir ?? '?'}`})`);
    dayFilesLine(collected.length - found.length);

    const planned: Planned[] = [];
    for (const file of found) {
      const path = resolve(file.path);
      if (file.problem !== undefined) {
        planned.push({ input: { path, problem: { code: file.problem.code, message: `${file.path}: ${file.problem.message}` } } });
        continue;
      }
      try {
        const info = await stat(path);
        if (info.size > MAX_FILE_BYTES) {
          planned.push({ input: { path, problem: { code: 'too-large', message: `${file.path} is ${info.size} bytes; files over ${MAX_FILE_BYTES} bytes are not read` } } });
          continue;
        }
        const contentHash = await sha256OfFile(path);
        const job: ImportJobData = {
          v: 1,
          account,
          athleteId: athleteId as string,
          file: { kind: 'path', path },
          fileName: path.split(/[\\/]/).pop() as string,
          contentHash,
          origin: 'migrate',
          migration,
          ...(timeZone === undefined ? {} : { timeZone }),
          ...(csvMapping === undefined ? {} : { csvMapping: csvMapping.json }),
          submittedAt: Date.now(),
        };
        planned.push({ input: { path, contentHash, jobId: jobIdOf(account, contentHash) }, job });
      } catch (error) {
        planned.push({ input: { path, problem: { code: 'unreadable', message: `${file.path}: ${(error as Error).message}` } } });
      }
    }
    const jobs = new Map<string, ImportJobData>();
    for (const item of planned) if (item.job !== undefined && item.input.jobId !== undefined && !jobs.has(item.input.jobId)) jobs.set(item.input.jobId, item.job);

    const work = await startLocalWork(run, { work: !noWork, ...(concurrency === undefined ? {} : { concurrency }) });
    const stopping = listenForStop((name, count) => {
      if (count === 1) io.err(`\n${name}: stopping — finishing the files in flight and writing the report (again to stop at once)`);
    }, options.signal);
    const startedAt = Date.now();
    const finals = new Map<string, ImportResult>();
    try {
      if (run.redis !== undefined) {
        const key = REDIS_KEYS.migration(migration);
        await run.redis.multi().hsetnx(key, 'startedAt', String(startedAt)).hset(key, { total: String(jobs.size), account, athleteId: athleteId as string, files: String(planned.length) }).zadd(REDIS_KEYS.migrations, 'NX', startedAt, migration).exec();
      }
      let added = 0;
      const known = await work.results.readMany([...jobs.keys()]);
      for (const [index, [jobId, job]] of [...jobs.entries()].entries()) {
        if (stopping.stop.aborted) break;
        const before = known[index];
        if (before !== undefined && !isRetryableOnRerun(before, job)) {
          finals.set(jobId, before);
          continue;
        }
        // A parse failure met again with a CSV mapping: the runner drops the old job and result and reads the file with the mapping.
        if (before !== undefined && !isMappingRerun(before, job)) {
          // Failed last time for a reason that may be gone (network, token, an account not configured then): run it again.
          await work.results.remove(jobId);
          const stale = await work.queue?.getJob(jobId);
          if (stale !== undefined && (await stale.getState()) === 'failed') {
            await stale.retry();
            added += 1;
            continue;
          }
        }
        if ((await work.runner.enqueue(job)).added) added += 1;
      }
      const already = finals.size;
      io.out(`${added} file(s) queued${already > 0 ? `, ${already} already settled by an earlier run` : ''}${noWork ? '; the `work` processes do the work (this process only follows it)' : ''}`);

      const progress = createProgress({ stream: progressStream, total: jobs.size });
      const pending = new Set([...jobs.keys()].filter((jobId) => !finals.has(jobId)));
      const pollMs = options.pollMs ?? 1000;
      while (pending.size > 0 && !stopping.stop.aborted) {
        const ids = [...pending];
        const results = await work.results.readMany(ids).catch(() => ids.map(() => undefined));
        results.forEach((result, index) => {
          const jobId = ids[index] as string;
          if (result !== undefined && (result.outcome !== 'failed' || !isRetryableOnRerun(result) || result.finishedAt >= new Date(startedAt).toISOString())) {
            finals.set(jobId, result);
            pending.delete(jobId);
          }
        });
        const quota = (await work.quota().catch(() => [])).find((entry) => entry.account === account)?.status;
        const settled = [...finals.values()];
        const requests = settled.reduce((sum, result) => sum + result.requests, 0);
        progress.update({
          done: settled.length,
          failed: settled.filter((result) => result.outcome === 'failed' || result.outcome === 'partial').length,
          duplicate: settled.filter((result) => result.outcome === 'duplicate').length,
          waiting: pending.size,
          quotaUsed: quota?.usedToday ?? 0,
          quotaLimit: quota?.limit ?? 5000,
          ...(quota === undefined ? {} : { quotaResetAt: quota.resetAt }),
          ...(settled.length === 0 ? {} : { requestsPerFile: Math.max(1, requests / settled.length) }),
        });
        if (pending.size === 0) break;
        await new Promise<void>((resolve) => {
          // One listener at a time: a migration polls for days.
          const wake = (): void => {
            clearTimeout(timer);
            stopping.stop.removeEventListener('abort', wake);
            resolve();
          };
          const timer = setTimeout(wake, pollMs);
          stopping.stop.addEventListener('abort', wake, { once: true });
        });
      }
      progress.stop();
    } finally {
      await closeWork(work, stopping.force);
      stopping.dispose();
    }

    const interrupted = stopping.stop.aborted && [...jobs.keys()].some((jobId) => !finals.has(jobId));
    if (interrupted) {
      // Whatever finished while the workers wound down.
      const left = [...jobs.keys()].filter((jobId) => !finals.has(jobId));
      const late = await work.results.readMany(left).catch(() => left.map(() => undefined));
      late.forEach((result, index) => {
        if (result !== undefined) finals.set(left[index] as string, result);
      });
    }
    const report: MigrationReport = buildReport({
      migration,
      account,
      athleteId: athleteId as string,
      startedAt,
      endedAt: Date.now(),
      interrupted,
      files: planned.map((item) => {
        const result = item.input.jobId === undefined ? undefined : finals.get(item.input.jobId);
        return { ...item.input, ...(result === undefined ? {} : { result }) };
      }),
    });
    const written = await writeReport(report, reportBase);
    // File names come from outside: no forged lines, no terminal escapes (printable.ts).
    if (report.files.length <= LISTED_FILES) for (const line of formatFileLines(report)) io.out(printable(line));
    for (const line of formatSummary(report)) io.out(printable(line));
    io.out(`report: ${written.json} and ${written.csv}`);
    if (interrupted) {
      io.out('interrupted: run the same command again to go on where this run stopped');
      return 130;
    }
    return report.totals.failed + report.totals.partial > 0 ? 1 : 0;
  }
}

/** Runs of up to this many files list every file before the summary. */
const LISTED_FILES = 50;

/** One line per file: outcome, name, workout ids, requests (the report's CSV holds the rest). */
export function formatFileLines(report: MigrationReport): string[] {
  const width = Math.max(...report.files.map((file) => file.outcome.length), 7);
  return report.files.map((file) => {
    const ids = file.workoutIds.length === 0 ? '' : `  workout ${file.workoutIds.join(', ')}`;
    const of = file.duplicateOf === undefined ? '' : `  same recording as ${file.duplicateOf.fileName}`;
    const why = file.outcome === 'failed' || file.outcome === 'partial' ? `  ${[file.code, file.reason].filter((part) => part !== undefined).join(': ')}` : '';
    return `  ${file.outcome.padEnd(width)}  ${file.fileName}${ids}${of}  (${file.requests} request${file.requests === 1 ? '' : 's'})${why}`;
  });
}

async function closeWork(work: LocalWork, force: AbortSignal): Promise<void> {
  const forced = new Promise<void>((resolve) => {
    if (force.aborted) resolve();
    else force.addEventListener('abort', () => resolve(), { once: true });
  }).then(() => work.close(true));
  await Promise.race([work.close(false), forced]);
}
