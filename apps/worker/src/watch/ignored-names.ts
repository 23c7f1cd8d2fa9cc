/**
 * Which names in a watched folder are not dropped files: the watcher's own result folders,
 * hidden files and the temporary names that copy tools, browsers and editors use while a file is
 * still being written (the finished file appears under its real name, by a rename, and is seen then).
 *
 * | rule                               | why                                                            |
 * | ---------------------------------- | -------------------------------------------------------------- |
 * | a folder named `done` or `failed`  | the results (`<folder>/done/…`, `<folder>/failed/…`); any depth, any letter case |
 * | starts with `.`                    | hidden files, `.DS_Store`, LibreOffice `.~lock.*#`, rsync `.name.XXXXXX` |
 * | starts with `~$`                   | Microsoft Office owner files                                   |
 * | ends with `.part`, `.partial`      | Firefox, wget, curl and many sync tools while downloading      |
 * | ends with `.crdownload`, `.download` | Chrome and Safari while downloading                          |
 * | ends with `.tmp`, `~`              | temporary files, editor backups                                |
 * | ends with `.error.json`            | this watcher's own failure reports                             |
 * | ends with `.pdd`                   | Polar day files: no recording; the job of each `.hrm` beside them reads them (they stay in place) |
 * | `Thumbs.db`, `desktop.ini`         | Windows Explorer's own files                                   |
 *
 * Suffixes compare without letter case.
 */
import { sep } from 'node:path';

/** The folders (directly in the watched folder) that receive the files once their result is known. */
export const DONE_FOLDER = 'done';
export const FAILED_FOLDER = 'failed';
/** Suffix of the report written beside a file in `failed/`. */
export const ERROR_REPORT_SUFFIX = '.error.json';

const RESULT_FOLDERS = new Set([DONE_FOLDER, FAILED_FOLDER]);
const PREFIXES = ['.', '~$'];
/** Polar's day files (`YYYYMMDD.pdd`): read as companions of the day's `.hrm` files, never imported, never moved. */
export const DAY_FILE_SUFFIX = '.pdd';
const SUFFIXES = ['.part', '.partial', '.crdownload', '.download', '.tmp', '~', ERROR_REPORT_SUFFIX, DAY_FILE_SUFFIX];
const NAMES = new Set(['thumbs.db', 'desktop.ini']);

/** True for a name that is never a dropped file (whatever folder it is in). */
export function isIgnoredName(name: string): boolean {
  const lower = name.toLowerCase();
  if (PREFIXES.some((prefix) => name.startsWith(prefix))) return true;
  if (SUFFIXES.some((suffix) => lower.endsWith(suffix))) return true;
  return NAMES.has(lower);
}

/** True for `done` and `failed` (any letter case): folders the watcher writes, never reads. */
export function isResultFolderName(name: string): boolean {
  return RESULT_FOLDERS.has(name.toLowerCase());
}

/**
 * True for a path (relative to the watched folder, `/` or the platform's separator) that the
 * watcher leaves alone: any segment is an ignored name, or any folder on the way is `done` or
 * `failed`. The watched folder itself (`''`) is not ignored.
 */
export function isIgnoredPath(relativePath: string): boolean {
  if (relativePath === '') return false;
  const segments = relativePath.split(sep === '/' ? '/' : /[\\/]/);
  // A segment named `done` or `failed` is ignored even when it is the last one: the watcher is
  // asked about folders before it enters them, and a fitness file is never called just `done`.
  return segments.some((segment) => isIgnoredName(segment) || isResultFolderName(segment));
}
