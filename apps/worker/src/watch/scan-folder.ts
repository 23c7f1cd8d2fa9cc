/**
 * The scan that finds the files already in the watched folder (dropped while the watcher was
 * down), and again every `rescanMs` as a safety net for events a file system did not deliver
 * (network shares). Folders in name order; ignored names and the `done/` and `failed/` trees are
 * never entered; symbolic links to folders are not followed (no loops, no escaping the folder).
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isIgnoredPath } from './ignored-names.js';

export interface ScanProblem {
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
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (isIgnoredPath(relative(root, path))) continue;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(path);
    }
  };
  await walk(root);
  return out;
}
