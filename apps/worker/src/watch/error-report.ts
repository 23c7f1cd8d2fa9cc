/**
 * The `<name>.error.json` written beside a file in `failed/`: why it failed, in a form a person
 * can read and a program can parse. Every key is always present (`null` when unknown, as for a
 * file that failed before it was enqueued, `[]` when there are no entries).
 *
 * ```json
 * {
 *   "file": "ride.fit", "source": "alice/ride.fit", "outcome": "failed",
 *   "reason": "[fit] byte 812: truncated record", "code": "truncated",
 *   "jobId": "default@5f3c…", "account": "default", "athleteId": "10231", "contentHash": "5f3c…",
 *   "entries": [{ "entry": "ride.fit", "index": null, "outcome": "failed", "reason": "…", "code": "truncated", "workoutId": null }],
 *   "finishedAt": "2025-05-01T10:12:31.000Z"
 * }
 * ```
 */
import type { EntryReport, FileOutcome, ImportResult } from '../jobs/job-data.js';

export interface ErrorReportEntry {
  entry: string;
  index: number | null;
  outcome: EntryReport['outcome'];
  reason: string | null;
  code: string | null;
  workoutId: string | null;
  duplicateOf: EntryReport['duplicateOf'] | null;
}

export interface ErrorReport {
  /** The file's name in `failed/` (it may carry a number: `ride (1).fit`). */
  file: string;
  /** Where it was found, relative to the watched folder. */
  source: string;
  outcome: Exclude<FileOutcome, 'imported' | 'duplicate'>;
  reason: string;
  code: string;
  jobId: string | null;
  account: string;
  athleteId: string | null;
  contentHash: string | null;
  entries: ErrorReportEntry[];
  /** ISO 8601. */
  finishedAt: string;
}

/** The reason of a failed or partial result: its own, else its first failed entry's. */
export function reasonOf(result: ImportResult): { reason: string; code: string } {
  const entry = result.entries.find((e) => e.outcome === 'failed');
  const reason = result.reason ?? entry?.reason ?? `the import ended ${result.outcome} without a reason`;
  const code = result.code ?? entry?.code ?? result.outcome;
  return { reason, code };
}

/** The report of a file the pipeline failed (outcome `failed` or `partial`). */
export function reportOfResult(result: ImportResult, file: string, source: string): ErrorReport {
  const { reason, code } = reasonOf(result);
  return {
    file,
    source,
    outcome: result.outcome === 'partial' ? 'partial' : 'failed',
    reason,
    code,
    jobId: result.jobId,
    account: result.account,
    athleteId: result.athleteId,
    contentHash: result.contentHash,
    entries: result.entries.map((e) => ({
      entry: e.entry,
      index: e.index ?? null,
      outcome: e.outcome,
      reason: e.reason ?? null,
      code: e.code ?? null,
      workoutId: e.workoutId ?? null,
      duplicateOf: e.duplicateOf ?? null,
    })),
    finishedAt: result.finishedAt,
  };
}

export interface LocalFailure {
  code: string;
  reason: string;
  account: string;
  athleteId?: string;
  contentHash?: string;
  finishedAt: string;
}

/** The report of a file the watcher itself refused (no athlete, too large, unreadable): never enqueued. */
export function reportOfLocalFailure(failure: LocalFailure, file: string, source: string): ErrorReport {
  return {
    file,
    source,
    outcome: 'failed',
    reason: failure.reason,
    code: failure.code,
    jobId: null,
    account: failure.account,
    athleteId: failure.athleteId ?? null,
    contentHash: failure.contentHash ?? null,
    entries: [],
    finishedAt: failure.finishedAt,
  };
}
