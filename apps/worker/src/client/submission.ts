/**
 * What `submit()` checks and builds before anything reaches Redis: the input against the job
 * schema (every problem at once), the file (an absolute path to a readable file, or bytes), its
 * sha256, and the job data. Reads the file; writes nothing.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { isParseError } from '@optimo-import/parsers';
import { csvMappingOfJob } from '../csv-mapping.js';
import { sha256Hex, sha256OfFile } from '../jobs/hash.js';
import { importJobSchema, jobIdOf, MAX_FILE_BYTES, MAX_STORED_FILE_BYTES } from '../jobs/job-data.js';
import type { FORMATS, ImportJobData, JobFile } from '../jobs/job-data.js';
import { ImportClientError } from './client-error.js';

export interface SubmitInput {
  /** The account's name in the workers' config. */
  account: string;
  /** The Optimo Sport athlete the workouts belong to. */
  athleteId: string;
  /**
   * An absolute path every worker can read (a shared folder; it is read here once, for its hash),
   * or the file's bytes (stored in Redis with the job, at most `MAX_STORED_FILE_BYTES`).
   */
  file: string | Uint8Array;
  /** The file's name as the user knows it (reports; a format detection tie-breaker). */
  fileName: string;
  /** Force a format instead of detecting it. */
  format?: (typeof FORMATS)[number];
  /** Zone for files that record naive local times; default the account's. */
  timeZone?: string;
  /**
   * A CSV column mapping (the JSON object of a mapping file): used by the CSV parser, and a
   * file no parser detects is read as CSV with it. Checked here with `readCsvMapping`.
   */
  csvMapping?: Record<string, unknown>;
}

export interface Submission {
  jobId: string;
  data: ImportJobData;
  /** The bytes to store at `data.file.key` before the job is added (`file.kind` `redis`). */
  bytes?: Uint8Array;
}

function invalid(problems: string[]): ImportClientError {
  return new ImportClientError({ code: 'invalid-input', message: `invalid job: ${problems.join('; ')}`, problems });
}

/** The zod problems of `value`, `field: rule`. */
function schemaProblems(value: unknown): Array<{ field: string; text: string }> {
  const result = importJobSchema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const field = issue.path.join('.') || '(job)';
    return { field, text: `${field}: ${issue.message}` };
  });
}

/** Checks the input, hashes the file, builds the job data. `fileKey(jobId)` is where bytes go. */
export async function prepareSubmission(input: SubmitInput, fileKey: (jobId: string) => string, now: number): Promise<Submission> {
  if (typeof input !== 'object' || input === null) {
    throw invalid([`(input): an object { account, athleteId, file, fileName, format?, timeZone?, csvMapping? }, got ${input === null ? 'null' : typeof input}`]);
  }
  const { file } = input;
  const fileProblems: string[] = [];
  if (typeof file === 'string') {
    if (!isAbsolute(file)) fileProblems.push(`file: an absolute path the workers can read, got "${file}"`);
  } else if (file instanceof Uint8Array) {
    if (file.byteLength > MAX_STORED_FILE_BYTES) {
      throw new ImportClientError({
        code: 'file-too-large',
        message: `file: ${file.byteLength} bytes is over the ${MAX_STORED_FILE_BYTES} bytes a job may store in Redis; put the file in a folder the workers share and submit its path`,
      });
    }
    if (file.byteLength === 0) fileProblems.push('file: empty (0 bytes)');
  } else {
    fileProblems.push(`file: a path (string) or the file's bytes (Uint8Array), got ${file === null ? 'null' : typeof file}`);
  }

  const build = (contentHash: string, jobFile: JobFile): Record<string, unknown> => ({
    v: 1,
    account: input.account,
    athleteId: input.athleteId,
    file: jobFile,
    fileName: input.fileName,
    contentHash,
    ...(input.format === undefined ? {} : { format: input.format }),
    origin: 'submit',
    ...(input.timeZone === undefined ? {} : { timeZone: input.timeZone }),
    ...(input.csvMapping === undefined ? {} : { csvMapping: input.csvMapping }),
    submittedAt: now,
  });
  const jobFileOf = (key: string): JobFile => (typeof file === 'string' ? { kind: 'path', path: file } : { kind: 'redis', key, size: (file as Uint8Array).byteLength });
  // Every problem of the input at once, before the file is read: placeholders stand in for the
  // hash and the Redis key (both checked again below).
  const draftFile: JobFile = fileProblems.length > 0 ? { kind: 'path', path: '/' } : jobFileOf('draft');
  const draftProblems = schemaProblems(build('0'.repeat(64), draftFile));
  const problems = [...fileProblems, ...draftProblems.filter((problem) => fileProblems.length === 0 || (problem.field !== 'file' && !problem.field.startsWith('file.'))).map((problem) => problem.text)];
  if (input.csvMapping !== undefined && !draftProblems.some((problem) => problem.field.startsWith('csvMapping'))) {
    try {
      csvMappingOfJob(input.csvMapping);
    } catch (error) {
      problems.push(`csvMapping: ${isParseError(error) ? error.detail : (error as Error).message}`);
    }
  }
  if (problems.length > 0) throw invalid(problems);

  let contentHash: string;
  let bytes: Uint8Array | undefined;
  if (typeof file === 'string') {
    contentHash = await hashPath(file);
  } else {
    bytes = file as Uint8Array;
    contentHash = sha256Hex(bytes);
  }
  const jobId = jobIdOf(input.account, contentHash);
  const data = build(contentHash, jobFileOf(fileKey(jobId)));
  const late = schemaProblems(data);
  if (late.length > 0) throw invalid(late.map((problem) => problem.text));
  return { jobId, data: data as ImportJobData, ...(bytes === undefined ? {} : { bytes }) };
}

async function hashPath(path: string): Promise<string> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ImportClientError({ code: 'unreadable-file', message: `${path}: cannot read it (${reason})`, cause: error });
  }
  if (size > MAX_FILE_BYTES) {
    throw new ImportClientError({ code: 'file-too-large', message: `${path}: ${size} bytes is over the largest file accepted (${MAX_FILE_BYTES} bytes)` });
  }
  if (size === 0) throw invalid([`file: ${path} is empty (0 bytes)`]);
  try {
    return await sha256OfFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ImportClientError({ code: 'unreadable-file', message: `${path}: cannot read it (${reason})`, cause: error });
  }
}
