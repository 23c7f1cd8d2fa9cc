import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeNameBytes, invalidUtf8Names } from './printable.js';

export interface FoundFile {
  path: string;
  /** Set when the path cannot be used (missing, unreadable, a link to a folder). */
  problem?: { code: 'not-found' | 'unreadable' | 'not-a-file'; message: string };
}

/**
 * Expands files and folders into the files to read, folders walked recursively in name order.
 * Symbolic links to files are read; links to folders are not followed (no loops, no escaping
 * the folder given) and are reported. A name in a folder that is not valid UTF-8 is reported
 * (`unreadable`, its path showing the bad bytes as `\xNN`): a job names its file by a string path.
 */
export async function collectFiles(paths: readonly string[]): Promise<FoundFile[]> {
  const out: FoundFile[] = [];
  for (const p of paths) await visit(p, true, out);
  return out;
}

async function visit(path: string, explicit: boolean, out: FoundFile[]): Promise<void> {
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    out.push({
      path,
      problem: code === 'ENOENT' ? { code: 'not-found', message: 'no such file or folder' } : { code: 'unreadable', message: (error as Error).message },
    });
    return;
  }
  if (info.isSymbolicLink()) {
    try {
      info = await stat(path);
    } catch {
      out.push({ path, problem: { code: 'not-found', message: 'a broken symbolic link' } });
      return;
    }
    if (info.isDirectory() && !explicit) {
      out.push({ path, problem: { code: 'not-a-file', message: 'a symbolic link to a folder; not followed' } });
      return;
    }
  }
  if (info.isDirectory()) {
    let names: string[];
    try {
      names = (await readdir(path)).sort();
    } catch (error) {
      out.push({ path, problem: { code: 'unreadable', message: (error as Error).message } });
      return;
    }
    const invalid = await invalidUtf8Names(names, () => readdir(path, { encoding: 'buffer' })).catch(() => []);
    // The decoded name of each such file (two may decode alike) → their escaped names.
    const bad = new Map<string, string[]>();
    for (const raw of invalid) bad.set(raw.toString('utf8'), [...(bad.get(raw.toString('utf8')) ?? []), escapeNameBytes(raw)]);
    for (const name of names) {
      const escaped = bad.get(name)?.shift();
      if (escaped !== undefined) {
        out.push({ path: join(path, escaped), problem: { code: 'unreadable', message: 'the file name is not valid UTF-8 (its bad bytes shown as \\xNN); rename it to import it' } });
        continue;
      }
      if (name.startsWith('.')) continue; // hidden files and partial downloads
      await visit(join(path, name), false, out);
    }
    return;
  }
  if (!info.isFile()) {
    out.push({ path, problem: { code: 'not-a-file', message: 'not a regular file' } });
    return;
  }
  out.push({ path });
}
