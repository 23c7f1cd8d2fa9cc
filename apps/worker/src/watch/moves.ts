/**
 * Moving a file into `done/` or `failed/` without ever overwriting or losing anything.
 *
 * - The target name is the file's own name; when taken, `name (1).fit`, `name (2).fit`, …
 *   (`ride (1).fit.gz` for a compressed file). With a `sidecar` suffix, a number is only used when
 *   the sidecar name (`ride (1).fit.error.json`) is free too.
 * - No overwrite even against a race: the file is first hard-linked to the target (`link` fails
 *   with EEXIST instead of replacing), then its old name is removed. Where hard links are not
 *   supported (some network and FAT file systems) it checks that the target is free, then renames.
 * - Another file system (EXDEV): the bytes are copied with `COPYFILE_EXCL` (never replacing),
 *   flushed to disk, the copy's size is checked against the source's, and only then is the source
 *   removed. A copy that does not check out is removed (it is this module's own file) and the
 *   source stays.
 */
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { errnoOf, WatchError } from './watch-error.js';

/** The file system calls a move uses (replaceable in tests, to simulate EXDEV or a file system without links). */
export interface MoveFs {
  link(existing: string, created: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  copyFile(from: string, to: string, mode: number): Promise<void>;
  unlink(path: string): Promise<void>;
}

const NODE_FS: MoveFs = { link, rename, copyFile, unlink };

/** `link` errors meaning "this file system cannot hard-link": fall back to rename. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EINVAL', 'EACCES']);
/** Give up after this many taken names (`name (9999).fit`). */
const MAX_NUMBER = 9999;

export interface MoveOptions {
  /** A suffix whose file must be free beside the target too (`.error.json`). */
  sidecar?: string;
  fs?: Partial<MoveFs>;
}

/**
 * `ride.fit` → `ride (n).fit`; `ride.fit.gz` → `ride (n).fit.gz`; `README` → `README (n)`.
 * `n` 0 is the name itself.
 */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  let ext = extname(name);
  if (ext.toLowerCase() === '.gz') {
    const inner = extname(name.slice(0, -ext.length));
    if (/^\.[A-Za-z0-9]{1,5}$/.test(inner)) ext = inner + ext;
  }
  const stem = ext === '' || ext === name ? name : name.slice(0, -ext.length);
  return `${stem} (${n})${stem === name ? '' : ext}`;
}

/**
 * Moves `source` into the folder `targetDir` (created if needed) under its own name or the first
 * free numbered one; resolves with the new path. Throws a `WatchError` (`move-failed`) with the
 * cause when it cannot; the source is then still where it was.
 */
export async function moveWithoutOverwrite(source: string, targetDir: string, options: MoveOptions = {}): Promise<string> {
  const fs: MoveFs = { ...NODE_FS, ...options.fs };
  const name = basename(source);
  try {
    await mkdir(targetDir, { recursive: true });
    const size = (await stat(source)).size;
    let linksWork = true;
    let sameDevice = true;
    for (let n = 0; n <= MAX_NUMBER; n++) {
      const target = join(targetDir, numberedName(name, n));
      if (options.sidecar !== undefined && (await exists(target + options.sidecar))) continue;
      if (sameDevice && linksWork) {
        try {
          await fs.link(source, target);
        } catch (error) {
          const code = errnoOf(error);
          if (code === 'EEXIST') continue;
          if (code === 'EXDEV') sameDevice = false;
          else if (code !== undefined && NO_LINKS.has(code)) linksWork = false;
          else throw error;
        }
        if (sameDevice && linksWork) {
          await removeOldName(fs, source, target);
          return target;
        }
      }
      if (sameDevice) {
        if (await exists(target)) continue;
        try {
          await fs.rename(source, target);
          return target;
        } catch (error) {
          if (errnoOf(error) !== 'EXDEV') throw error;
          sameDevice = false;
        }
      }
      try {
        await fs.copyFile(source, target, constants.COPYFILE_EXCL);
      } catch (error) {
        if (errnoOf(error) === 'EEXIST') continue;
        throw error;
      }
      await verifyCopy(fs, target, size);
      await fs.unlink(source);
      return target;
    }
    throw new Error(`${targetDir}: names up to ${numberedName(name, MAX_NUMBER)} are all taken`);
  } catch (error) {
    throw new WatchError(`${source}: cannot move it to ${targetDir}: ${error instanceof Error ? error.message : String(error)}`, { code: 'move-failed', file: source, cause: error });
  }
}

/** After a hard link, removes the source's name; if that fails, removes the new link again (the file is untouched either way). */
async function removeOldName(fs: MoveFs, source: string, target: string): Promise<void> {
  try {
    await fs.unlink(source);
  } catch (error) {
    await fs.unlink(target).catch(() => undefined);
    throw error;
  }
}

/** Flushes the copy and checks its size; removes the copy (never the source) when it is wrong. */
async function verifyCopy(fs: MoveFs, target: string, size: number): Promise<void> {
  const handle = await open(target, 'r');
  let copied: number;
  try {
    await handle.sync();
    copied = (await handle.stat()).size;
  } finally {
    await handle.close();
  }
  if (copied !== size) {
    await fs.unlink(target).catch(() => undefined);
    throw new Error(`the copy at ${target} has ${copied} bytes, the file ${size}; the file was left in place`);
  }
}

/** Writes a new file, failing (EEXIST) rather than replacing one; `mode` (default 0o666) is masked by the umask. */
export async function writeNewFile(path: string, text: string, mode = 0o666): Promise<void> {
  await writeFile(path, text, { flag: 'wx', mode });
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw error;
  }
}
