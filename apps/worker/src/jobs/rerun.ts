/**
 * Which finished jobs a new run of the same file runs again (the job id is `<account>@<sha256>`,
 * so a file enqueued again meets its old result): a failure whose cause may be gone, or a parse
 * failure when the new job brings a CSV column mapping.
 */
import type { ImportJobData, ImportResult } from './job-data.js';

/** Failure codes that a new run of the same files tries again (the cause may be gone); the rest are the file's own. */
const RERUN_CODES = new Set(['account-unknown', 'transient', 'maybe-done', 'limiter', 'ledger', 'redis', 'io', 'internal', 'results', 'aborted', 'bad-token', 'token-stopped', 'quota-spent']);

/** Failures a CSV column mapping may cure: a file no parser read, or a CSV read wrong. */
const MAPPING_RERUN_CODES = new Set(['unknown-format', 'no-data', 'corrupt']);

/**
 * Whether a failed result is worth running again when its file is enqueued again: its cause may
 * be gone, or (`data` given) the new job brings a CSV column mapping for a file that failed to
 * parse (`isMappingRerun`).
 */
export function isRetryableOnRerun(result: ImportResult, data?: ImportJobData): boolean {
  return (result.outcome === 'failed' && result.code !== undefined && RERUN_CODES.has(result.code)) || (data !== undefined && isMappingRerun(result, data));
}

/**
 * A file that failed to parse, enqueued again with a CSV column mapping: it is read again with
 * the mapping (the job id, `<account>@<sha256>`, stays the same, so the old result is dropped first).
 */
export function isMappingRerun(result: ImportResult, data: ImportJobData): boolean {
  return data.csvMapping !== undefined && result.outcome === 'failed' && result.code !== undefined && MAPPING_RERUN_CODES.has(result.code);
}
