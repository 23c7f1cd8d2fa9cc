/**
 * The one error of the watch folder, and the codes it (and its events and `*.error.json` files) use.
 *
 * | code           | meaning                                                                      | the file         |
 * | -------------- | ---------------------------------------------------------------------------- | ---------------- |
 * | `bad-option`   | an option of `watchFolder` out of its rule (thrown at construction)           | —                |
 * | `not-found`    | the watched folder or the athlete map does not exist                          | —                |
 * | `not-a-folder` | the watched folder is not a folder                                            | —                |
 * | `unreadable`   | the athlete map, or a dropped file, cannot be read                            | to `failed/`     |
 * | `too-large`    | the athlete map is over its cap, or a dropped file over `MAX_FILE_BYTES`      | to `failed/`     |
 * | `bad-json`     | the athlete map is not JSON                                                   | —                |
 * | `bad-key`      | a subfolder name of the athlete map cannot be a subfolder (`a/b`, `.x`, `done`) | —              |
 * | `bad-value`    | an athlete map value is not an athlete id or `{ athleteId, account? }`        | —                |
 * | `no-athlete`   | no athlete is known for a dropped file                                        | to `failed/`     |
 * | `bad-athlete`  | a per-athlete subfolder's name is not an athlete id                           | to `failed/`     |
 * | `bad-job`      | the file cannot be put in an import job (its path or name is too long)        | to `failed/`     |
 * | `runner`       | the runner (Redis, the queue) failed: not the file's fault, retried           | stays in place   |
 * | `move-failed`  | the file could not be moved to `done/` or `failed/`, or its report not written | stays in place  |
 * | `watcher`      | the file system watcher or a folder scan reported an error                    | —                |
 */

export type WatchErrorCode =
  | 'bad-option'
  | 'not-found'
  | 'not-a-folder'
  | 'unreadable'
  | 'too-large'
  | 'bad-json'
  | 'bad-key'
  | 'bad-value'
  | 'no-athlete'
  | 'bad-athlete'
  | 'bad-job'
  | 'runner'
  | 'move-failed'
  | 'watcher';

export interface WatchErrorInit {
  code: WatchErrorCode;
  /** The file or folder at fault. */
  file?: string;
  /** The key of the athlete map at fault. */
  key?: string;
  cause?: unknown;
}

/** `[watch] /srv/inbox/athletes.json: "alice": athleteId must be …`. */
export class WatchError extends Error {
  override readonly name = 'WatchError';
  readonly code: WatchErrorCode;
  readonly file?: string;
  readonly key?: string;

  constructor(message: string, init: WatchErrorInit) {
    super(`[watch] ${message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    if (init.file !== undefined) this.file = init.file;
    if (init.key !== undefined) this.key = init.key;
  }
}

/** Type guard by name, so that two copies of the module still match. */
export function isWatchError(error: unknown): error is WatchError {
  return error instanceof Error && error.name === 'WatchError';
}

/** The `code` of a Node.js system error (`ENOENT`, `EACCES`, …), if it has one. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A message for any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
