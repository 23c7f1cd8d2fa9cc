/**
 * When a dropped file is complete: a copy in progress keeps changing its size and modification
 * time, so a file whose size, mtime and inode have not changed for `stableMs` is taken as complete.
 *
 * Worked example with `stableMs` 2000 and `pollMs` 250: a copy writes a chunk every second; each
 * poll that sees a new size or mtime restarts the 2 s wait, so the file is judged complete 2 s
 * after its last chunk, whatever its size. A file whose mtime is already `stableMs` old when first
 * seen (dropped while the watcher was down) is complete after one poll that sees no change.
 *
 * chokidar's `awaitWriteFinish` is not used: it checks the size only, and the watcher needs the
 * same check for the files found by its own scan.
 */
import { lstat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

export interface FileSnapshot {
  size: number;
  mtimeMs: number;
  ino: number;
  dev: number;
}

export interface StableFileOptions {
  /** How long size, mtime and inode must stay the same. */
  stableMs: number;
  /** How often to look. */
  pollMs: number;
  signal?: AbortSignal;
  /** The clock (epoch ms); `Date.now` by default. */
  now?: () => number;
}

export function snapshotOf(info: Stats): FileSnapshot {
  return { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, dev: info.dev };
}

export function sameSnapshot(a: FileSnapshot, b: FileSnapshot): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.dev === b.dev;
}

/** A key for a snapshot (to remember a file that could not be dealt with until it changes). */
export function snapshotKey(s: FileSnapshot): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
}

/**
 * Resolves with the file's stats (`lstat`: of a link itself) once it has stayed the same for `stableMs`. Rejects with the
 * `lstat` error (ENOENT when the file went away) or with `signal.reason` when aborted.
 */
export async function waitUntilStable(path: string, options: StableFileOptions): Promise<Stats> {
  const now = options.now ?? Date.now;
  // lstat: a symbolic link is judged as the link, never as what it points to (watch-folder.ts refuses it).
  let last = await lstat(path);
  let since = now();
  let polls = 0;
  for (;;) {
    if (options.stableMs <= 0) return last;
    await sleep(options.pollMs, options.signal);
    const current = await lstat(path);
    const t = now();
    if (!sameSnapshot(snapshotOf(current), snapshotOf(last))) {
      last = current;
      since = t;
      polls = 0;
      continue;
    }
    polls++;
    if (t - since >= options.stableMs) return current;
    // Unchanged over a poll and last modified long enough ago: an old file, not a copy in progress.
    if (polls >= 1 && t - current.mtimeMs >= options.stableMs) return current;
  }
}

/** Resolves after `ms`; rejects with `signal.reason` when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
