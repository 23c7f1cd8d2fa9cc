/**
 * The one error of the import client.
 *
 * | code              | meaning                                                                          | retryable? |
 * | ----------------- | -------------------------------------------------------------------------------- | ---------- |
 * | `invalid-input`   | `submit()` got a job that breaks the job schema (`problems` lists every one)     | no         |
 * | `unreadable-file` | the path names no readable regular file                                          | no         |
 * | `file-too-large`  | bytes over `MAX_STORED_FILE_BYTES`, or a file over `MAX_FILE_BYTES`              | no         |
 * | `unknown-job`     | `waitForResult()`: no job and no result with this id                             | no         |
 * | `timeout`         | `waitForResult()`: no result within `timeoutMs`                                  | yes        |
 * | `closed`          | the client was closed                                                            | no         |
 *
 * Redis errors are not wrapped: they reach the caller as ioredis throws them.
 */

export type ImportClientErrorCode = 'invalid-input' | 'unreadable-file' | 'file-too-large' | 'unknown-job' | 'timeout' | 'closed';

export interface ImportClientErrorInit {
  code: ImportClientErrorCode;
  /** Without the `[import-client]` prefix; starts with its context. */
  message: string;
  jobId?: string;
  /** `invalid-input`: every problem, `field: rule`. */
  problems?: readonly string[];
  cause?: unknown;
}

/** `[import-client] invalid job: athleteId: …; fileName: …`. */
export class ImportClientError extends Error {
  override readonly name = 'ImportClientError';
  readonly code: ImportClientErrorCode;
  readonly jobId: string | undefined;
  readonly problems: readonly string[];

  constructor(init: ImportClientErrorInit) {
    super(`[import-client] ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.jobId = init.jobId;
    this.problems = init.problems ?? [];
  }
}

/** Type guard by name, so that two copies of the module still match. */
export function isImportClientError(error: unknown): error is ImportClientError {
  return error instanceof Error && error.name === 'ImportClientError' && typeof (error as ImportClientError).code === 'string';
}
