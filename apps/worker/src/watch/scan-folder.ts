/**
 * The scan that finds the files already in the watched folder (dropped while the watcher was
 * down), and again every `rescanMs` as a safety net for events a file system did not deliver
 * (network shares). Folders in name order; ignored names and the `done/` and `failed/` trees are
 * never entered; symbolic links to folders are not followed (no loops, no escaping the folder).
 * A name that is not valid UTF-8 cannot be put in a job (a path is a string): it is reported as a
 * problem of kind `name` (`path` shows its bad bytes as `\xNN`) and left where it is.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { escapeNameBytes, invalidUtf8Names } from '../printable.js';
import { isIgnoredPath } from './ignored-names.js';

export interface ScanProblem {
  /** `name`: a file whose name is not valid UTF-8; `folder` (absent): a folder that cannot be read. */
  kind?: 'folder' | 'name';
  path: string;
  error: unknown;
}

/** Absolute paths of the candidate files under `root`; unreadable folders are reported and skipped. */
export async function scanFolder(root: string, onProblem: (problem: ScanProblem) => void): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      onProblem({ path: dir, error });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const invalid = await invalidUtf8Names(
      entries.map((entry) => entry.name),
      () => readdir(dir, { encoding: 'buffer' }),
    ).catch(() => []);
    // How many entries of each decoded name are such files (two may decode alike; a valid name may too).
    const lossy = new Map<string, number>();
    for (const raw of invalid) lossy.set(raw.toString('utf8'), (lossy.get(raw.toString('utf8')) ?? 0) + 1);
    for (const raw of invalid) {
      const path = join(dir, escapeNameBytes(raw));
      if (isIgnoredPath(relative(root, path))) continue;
      onProblem({ kind: 'name', path, error: new Error('the name is not valid UTF-8 (its bad bytes shown as \\xNN); it cannot be imported under that name: rename it; left in place') });
    }
    for (const entry of entries) {
      const left = lossy.get(entry.name) ?? 0;
      if (left > 0) {
        lossy.set(entry.name, left - 1);
        continue; // the decoded name is not the file's: it would not be found
      }
      const path = join(dir, entry.name);
      if (isIgnoredPath(relative(root, path))) continue;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(path);
    }
  };
  await walk(root);
  return out;
}
