/**
 * The import job as it sits in Redis: the contract between whoever enqueues (the watch folder, a
 * migration, `createImportClient` of another service, or a program in another language) and the
 * workers. docs/job-format.md documents it for other languages; this schema is the source of truth.
 *
 * A job never holds a token: the worker looks the account's endpoint and token up in its own
 * config. Its id is `<account>@<sha256 of the file's bytes>`, so the same file enqueued twice for
 * one account is one job.
 */
import { z } from 'zod';

/** The BullMQ queue's name and the prefix of every key this project keeps in Redis. */
export const QUEUE_NAME = 'imports';
export const KEY_PREFIX = 'optimo-import';
/** Largest file accepted (read from a path or stored in Redis). */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
/** Largest file another service may store in Redis with the job. */
export const MAX_STORED_FILE_BYTES = 32 * 1024 * 1024;
/** BullMQ priorities (lower runs first): files a person is waiting for overtake a migration. */
export const PRIORITY = { watch: 1, submit: 1, migrate: 10 } as const;

const ACCOUNT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** Every format id the parsers read (`supportedFormats()` of @optimo-import/parsers; a test keeps them equal). */
export const FORMATS = ['fit', 'tcx', 'gpx', 'polar-hrm', 'polar-xml', 'polar-json', 'pwx', 'polar-csv', 'csv'] as const;

/** Largest `csvMapping` a job may carry, as JSON text (mappings are a few hundred bytes). */
export const MAX_CSV_MAPPING_JSON = 64 * 1024;

export const jobFileSchema = z.discriminatedUnion('kind', [
  /** A path every worker can read (a shared folder). */
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }),
  /** Bytes stored in Redis under `key` (a string key, binary value) by the submitter. */
  z.object({ kind: z.literal('redis'), key: z.string().min(1).max(512), size: z.number().int().min(0).max(MAX_STORED_FILE_BYTES) }),
]);

export const importJobSchema = z
  .object({
    /** The job format's version. */
    v: z.literal(1),
    /** The account's name in the workers' config (never its token). */
    account: z.string().regex(ACCOUNT, 'an account name: letters, digits, ., _ and -'),
    /** The Optimo Sport athlete the workouts belong to. */
    athleteId: z.string().trim().min(1).max(64),
    file: jobFileSchema,
    /** The file's name as the user knows it (shown in reports; a detection tie-breaker). */
    fileName: z.string().min(1).max(1024),
    /** sha256 of the file's bytes, lowercase hex. */
    contentHash: z.string().regex(SHA256, 'sha256 as 64 lowercase hex digits'),
    /** Force a format instead of detecting it. */
    format: z.enum(FORMATS).optional(),
    /** Who enqueued it. */
    origin: z.enum(['watch', 'migrate', 'submit']),
    /** The migration this job belongs to (progress, report). */
    migration: z.string().min(1).max(128).optional(),
    /** Zone for files that record naive local times; default the account's. */
    timeZone: z.string().min(1).max(64).optional(),
    /**
     * A CSV column mapping (the JSON object of a mapping file, packages/parsers/src/csv/README.md):
     * the CSV parser uses it, and a file no parser detects is read as CSV with it. Checked with
     * `readCsvMapping` when the job runs; a bad mapping fails the job (`bad-job`).
     */
    csvMapping: z
      .record(z.string(), z.unknown())
      .refine((value) => JSON.stringify(value).length <= MAX_CSV_MAPPING_JSON, `a column mapping of at most ${MAX_CSV_MAPPING_JSON} characters of JSON`)
      .optional(),
    /** Epoch ms when it was enqueued. */
    submittedAt: z.number().int().nonnegative(),
  })
  .strict();

export type ImportJobData = z.infer<typeof importJobSchema>;
export type JobFile = z.infer<typeof jobFileSchema>;

/** `<account>@<contentHash>`: one job per file per account. */
export function jobIdOf(account: string, contentHash: string): string {
  return `${account}@${contentHash}`;
}

/** Checks job data read from Redis or given by a caller; throws an Error listing what is wrong. */
export function parseJobData(value: unknown): ImportJobData {
  const result = importJobSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(job)'}: ${issue.message}`);
  throw new Error(`invalid import job: ${problems.join('; ')}`);
}

/** What happened to one workout (or one entry that held none). */
export type EntryOutcome = 'uploaded' | 'already-uploaded' | 'duplicate' | 'failed' | 'skipped';

export interface EntryReport {
  /** The entry's name: the file name, or `archive.zip!ride.fit`. */
  entry: string;
  /** The workout's index among the entry's workouts (0 for a file of one), absent for an entry without workouts. */
  index?: number;
  outcome: EntryOutcome;
  workoutId?: string;
  externalId?: string;
  fingerprint?: string;
  sport?: string;
  /** ISO 8601 UTC. */
  startTime?: string;
  /** HTTP requests this workout cost (retries and lookups included). */
  requests: number;
  /** Why it failed or was skipped; for a duplicate, what it duplicates. */
  reason?: string;
  /** A ParseError or UploadError code, when it failed. */
  code?: string;
  /** A duplicate: the file (and job) whose workout it is, and that workout's id when known. */
  duplicateOf?: { fileName: string; jobId: string; workoutId?: string };
  warnings?: number;
}

/**
 * The file's outcome: `imported` (every workout uploaded, now or before), `duplicate` (every
 * workout was already imported from another file), `partial` (some entries failed, the rest were
 * imported), `failed` (nothing imported).
 */
export type FileOutcome = 'imported' | 'duplicate' | 'partial' | 'failed';

export interface ImportResult {
  jobId: string;
  account: string;
  athleteId: string;
  fileName: string;
  /** The path, for a job that named one. */
  path?: string;
  contentHash: string;
  origin: ImportJobData['origin'];
  migration?: string;
  outcome: FileOutcome;
  /** Ids of the workouts uploaded or found already uploaded, in file order. */
  workoutIds: string[];
  /** HTTP requests the whole file cost. */
  requests: number;
  /** The first failure, for a `failed` or `partial` file. */
  reason?: string;
  code?: string;
  entries: EntryReport[];
  /** ISO 8601. */
  finishedAt: string;
  /** Attempts the job took (1 = first try). */
  attempts: number;
}
