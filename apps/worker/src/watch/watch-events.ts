/**
 * What the watcher reports through `onEvent`, for the CLI to print or log. Every event about a
 * file has `path` (absolute, where it was found) and `file` (relative to the watched folder).
 *
 * | type           | when                                                                   |
 * | -------------- | ---------------------------------------------------------------------- |
 * | `ready`        | the watcher is watching and its first scan is done (`pending` files found) |
 * | `found`        | a file is taken up (from the scan or a file system event); waits for it to be complete |
 * | `queued`       | it is complete, hashed and enqueued (`added: false`: the same content was enqueued before) |
 * | `imported`     | its result is `imported` or `duplicate`                                 |
 * | `failed`       | its result is `failed` or `partial`, or the watcher refused it (`no-athlete`, `bad-athlete`, `too-large`, `unreadable`, `bad-job`) |
 * | `moved`        | it is now in `done/` or `failed/` (`report`: its `.error.json`)         |
 * | `runner-error` | the runner failed (Redis down…): the file stays, retried after `retryInMs` (absent: not retried in this run) |
 * | `vanished`     | the file went away before its result was known                          |
 * | `error`        | anything else that needs a person: a move or a report that failed, an unreadable folder, the watcher's own errors |
 */
import type { FileOutcome, ImportResult } from '../jobs/job-data.js';
import type { WatchErrorCode } from './watch-error.js';

interface FileEvent {
  /** Absolute path where the file was found. */
  path: string;
  /** The path relative to the watched folder. */
  file: string;
}

export type WatchEvent =
  | { type: 'ready'; folder: string; pending: number }
  | (FileEvent & { type: 'found'; athleteId?: string; account: string })
  | (FileEvent & { type: 'queued'; jobId: string; added: boolean; account: string; athleteId: string; contentHash: string; size: number })
  | (FileEvent & { type: 'imported'; jobId: string; outcome: Extract<FileOutcome, 'imported' | 'duplicate'>; workoutIds: string[]; result: ImportResult })
  | (FileEvent & { type: 'failed'; jobId?: string; outcome: Extract<FileOutcome, 'failed' | 'partial'>; code: string; reason: string; result?: ImportResult })
  | (FileEvent & { type: 'moved'; folder: 'done' | 'failed'; to: string; report?: string })
  | (FileEvent & { type: 'runner-error'; attempt: number; message: string; retryInMs?: number; error: unknown })
  | (FileEvent & { type: 'vanished' })
  | { type: 'error'; code: WatchErrorCode; message: string; path?: string; file?: string; error?: unknown };

export type WatchEventType = WatchEvent['type'];
