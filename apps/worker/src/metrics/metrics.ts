/**
 * The worker's Prometheus metrics, in a registry of their own (never prom-client's global one).
 *
 * | metric                                 | type      | labels    | moved by                                                   |
 * | -------------------------------------- | --------- | --------- | ---------------------------------------------------------- |
 * | `optimo_import_jobs_total`             | counter   | `outcome` | `jobFinished`: imported, duplicate, partial, failed        |
 * | `optimo_import_uploads_total`          | counter   | `result`  | one per workout, from `jobFinished` (or `entryFinished`, see `uploads`): uploaded, already-uploaded, duplicate, failed (skipped entries are not uploads) |
 * | `optimo_import_requests_total`         | counter   | `account` | `requests(account, n)`; also `jobFinished` (`result.requests`) when `countRequests` is `results` |
 * | `optimo_import_failures_total`         | counter   | `reason`  | `jobFailed(code)` (an attempt that failed, a held job); each failed entry's code (as uploads); a failed or partial file without a failed entry: the file's code |
 * | `optimo_import_job_duration_seconds`   | histogram | `outcome` | `jobFinished(result, durationMs)`                          |
 * | `optimo_import_quota_left`             | gauge     | `account` | the `quota` callback, on each scrape; also `_quota_used`, `_quota_limit` |
 * | `optimo_import_jobs`                   | gauge     | `state`   | the `queueCounts` callback, on each scrape                 |
 * | `optimo_import_collect_errors_total`   | counter   | `gauge`   | a callback that threw (the gauge is left empty for that scrape; the count shows from the next scrape) |
 *
 * Plus prom-client's default process metrics (`process_*`, `nodejs_*`) on the same registry.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EntryReport, FileOutcome, ImportResult } from '../jobs/job-data.js';

export interface QuotaSample {
  account: string;
  /** Requests normal work may still send today. */
  left: number;
  used: number;
  limit: number;
}

export interface WorkerMetricsOptions {
  /** Each account's quota, read on each scrape (the limiters' `status()`). */
  quota?: () => Promise<QuotaSample[]>;
  /** Jobs by state, read on each scrape (`readQueueCounts` of ../status/status.ts). */
  queueCounts?: () => Promise<Record<string, number>>;
  /**
   * Where `optimo_import_requests_total` comes from: `results` (default) adds each finished job's
   * `result.requests`; `calls`: only `requests(account, n)` moves it (count every request as it is
   * sent, retries and quota syncs included). Never both, or requests count twice.
   */
  countRequests?: 'results' | 'calls';
  /**
   * Where uploads and the failures of single workouts come from: `results` (default) reads each
   * finished job's `result.entries`; `entries`: only `entryFinished()` moves them, as each workout
   * finishes (fresher for large files). Never both, or uploads count twice.
   */
  uploads?: 'results' | 'entries';
  /** Add prom-client's default process metrics. Default true. */
  defaultMetrics?: boolean;
  /** Told when a scrape callback throws (the error is also counted). */
  onCollectError?: (error: unknown, gauge: string) => void;
}

export interface WorkerMetrics {
  readonly registry: Registry;
  /** A job settled with its result (completed, or failed for good). */
  jobFinished(result: ImportResult, durationMs: number): void;
  /** One workout (or entry) finished, with `uploads: 'entries'`. */
  entryFinished(entry: EntryReport, account: string): void;
  /** A failure that has no result of its own: an attempt to be retried, a held account, a refused job. */
  jobFailed(code: string): void;
  /** `n` HTTP requests sent for an account (with `countRequests: 'calls'`). */
  requests(account: string, n?: number): void;
  /** The Prometheus text of every metric. */
  metrics(): Promise<string>;
  /** The content type of `metrics()`. */
  readonly contentType: string;
}

const OUTCOMES: readonly FileOutcome[] = ['imported', 'duplicate', 'partial', 'failed'];
const UPLOAD_RESULTS = ['uploaded', 'already-uploaded', 'duplicate', 'failed'] as const;
/** Seconds: a file usually takes a second or two, longer when the quota paces it. */
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 10_800];

/** One call shared by the gauges a scrape collects at once. */
function shareInFlight<T>(call: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending === undefined) {
      pending = call().finally(() => {
        pending = undefined;
      });
    }
    return pending;
  };
}

function optionError(name: string, rule: string): TypeError {
  return new TypeError(`[metrics] option \`${name}\` must be ${rule}`);
}

export function createWorkerMetrics(options: WorkerMetricsOptions = {}): WorkerMetrics {
  if (options.quota !== undefined && typeof options.quota !== 'function') throw optionError('quota', 'a function returning a promise of quota samples');
  if (options.queueCounts !== undefined && typeof options.queueCounts !== 'function') throw optionError('queueCounts', 'a function returning a promise of counts by state');
  const countRequests = options.countRequests ?? 'results';
  if (countRequests !== 'results' && countRequests !== 'calls') throw optionError('countRequests', "'results' or 'calls'");
  const uploadsFrom = options.uploads ?? 'results';
  if (uploadsFrom !== 'results' && uploadsFrom !== 'entries') throw optionError('uploads', "'results' or 'entries'");
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const collectErrors = new Counter({ name: 'optimo_import_collect_errors_total', help: 'Scrape callbacks that threw, by gauge.', labelNames: ['gauge'], registers });
  const failedCollect = (gauge: string, error: unknown): void => {
    collectErrors.inc({ gauge });
    options.onCollectError?.(error, gauge);
  };

  const jobs = new Counter({ name: 'optimo_import_jobs_total', help: 'Files finished, by outcome.', labelNames: ['outcome'], registers });
  const uploads = new Counter({ name: 'optimo_import_uploads_total', help: 'Workouts handled, by result.', labelNames: ['result'], registers });
  const requestCount = new Counter({ name: 'optimo_import_requests_total', help: 'HTTP requests sent to the Optimo Sport API, by account.', labelNames: ['account'], registers });
  const failures = new Counter({ name: 'optimo_import_failures_total', help: 'Failures by reason (the error code).', labelNames: ['reason'], registers });
  const duration = new Histogram({ name: 'optimo_import_job_duration_seconds', help: 'Time a job took, from its start to its result, by outcome.', labelNames: ['outcome'], buckets: DURATION_BUCKETS, registers });
  for (const outcome of OUTCOMES) jobs.inc({ outcome }, 0);
  for (const result of UPLOAD_RESULTS) uploads.inc({ result }, 0);

  const quota = options.quota === undefined ? undefined : shareInFlight(options.quota);
  const quotaGauge = (name: string, help: string, pick: (sample: QuotaSample) => number): void => {
    if (quota === undefined) return;
    new Gauge({
      name,
      help,
      labelNames: ['account'],
      registers,
      async collect() {
        this.reset();
        try {
          for (const sample of await quota()) this.set({ account: sample.account }, pick(sample));
        } catch (error) {
          failedCollect(name, error);
        }
      },
    });
  };
  quotaGauge('optimo_import_quota_left', "Requests normal work may still send today, by account (the limiter's count).", (sample) => sample.left);
  quotaGauge('optimo_import_quota_used', 'Requests counted today, by account.', (sample) => sample.used);
  quotaGauge('optimo_import_quota_limit', "The account's daily request limit.", (sample) => sample.limit);

  const queueCounts = options.queueCounts;
  if (queueCounts !== undefined) {
    new Gauge({
      name: 'optimo_import_jobs',
      help: 'Jobs in the queue, by state.',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        try {
          for (const [state, count] of Object.entries(await queueCounts())) this.set({ state }, count);
        } catch (error) {
          failedCollect('optimo_import_jobs', error);
        }
      },
    });
  }

  function countEntry(entry: EntryReport, fileCode: string | undefined): void {
    if (entry.outcome === 'skipped') return;
    uploads.inc({ result: entry.outcome });
    if (entry.outcome === 'failed') failures.inc({ reason: entry.code ?? fileCode ?? 'unknown' });
  }

  return {
    registry,
    contentType: registry.contentType,
    jobFinished(result, durationMs) {
      jobs.inc({ outcome: result.outcome });
      duration.observe({ outcome: result.outcome }, Math.max(0, durationMs) / 1000);
      if (uploadsFrom === 'results') for (const entry of result.entries) countEntry(entry, result.code);
      const failedEntry = result.entries.some((entry) => entry.outcome === 'failed');
      if (!failedEntry && (result.outcome === 'failed' || result.outcome === 'partial')) failures.inc({ reason: result.code ?? 'unknown' });
      if (countRequests === 'results' && result.requests > 0) requestCount.inc({ account: result.account }, result.requests);
    },
    entryFinished(entry) {
      if (uploadsFrom === 'entries') countEntry(entry, undefined);
    },
    jobFailed(code) {
      failures.inc({ reason: code === '' ? 'unknown' : code });
    },
    requests(account, n = 1) {
      if (n > 0) requestCount.inc({ account }, n);
    },
    metrics: () => registry.metrics(),
  };
}
