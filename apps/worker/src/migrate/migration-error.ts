/**
 * The one error of the migrate building blocks.
 *
 * | code              | meaning                                                                              |
 * | ----------------- | ------------------------------------------------------------------------------------ |
 * | `report-conflict` | the report path names a file that exists and is not a migration report: not replaced |
 * | `report-write`    | the report could not be written (folder missing, disk full, no permission)           |
 */

export type MigrationErrorCode = 'report-conflict' | 'report-write';

export interface MigrationErrorInit {
  code: MigrationErrorCode;
  /** Without the `[migrate]` prefix; starts with its context (the path). */
  message: string;
  /** The file concerned. */
  path?: string;
  cause?: unknown;
}

/** `[migrate] /srv/report.json: exists and is not a migration report; …`. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly code: MigrationErrorCode;
  readonly path: string | undefined;

  constructor(init: MigrationErrorInit) {
    super(`[migrate] ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.path = init.path;
  }
}

/** Type guard by name, so that two copies of the module still match. */
export function isMigrationError(error: unknown): error is MigrationError {
  return error instanceof Error && error.name === 'MigrationError' && typeof (error as MigrationError).code === 'string';
}
