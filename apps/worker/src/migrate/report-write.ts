/**
 * Writes a migration report as JSON and CSV, each atomically.
 *
 * Paths: `--report FILE` names both files. A name ending in `.json` or `.csv` (any case) loses
 * that ending and gets both: `out/riverside.json` → `out/riverside.json` + `out/riverside.csv`,
 * `out/riverside.csv` → the same pair, `out/riverside` → the same pair. Any other ending is kept
 * and both are appended: `report.txt` → `report.txt.json` + `report.txt.csv`.
 *
 * Replacing: a report of the same name is replaced (a resumed run rewrites its report at the end
 * and at every interruption; a report of another migration under the same name is replaced too —
 * choose another name to keep it). A file of that name that is NOT a migration report (its JSON
 * does not start with `{"version": 1, "migration": …`, its CSV's first line is not the report's
 * header) is never replaced: `writeReport` throws `report-conflict` before writing either file.
 * An empty file counts as replaceable.
 *
 * Atomic: each file is written to a hidden temporary file in the same folder (`.<name>.<pid>.<random>.tmp`,
 * which `collectFiles` skips), fsynced, renamed over the target, and the folder fsynced; a crash
 * leaves the old report or the new one, never half of one (at worst a stray `.tmp` beside it).
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CSV_HEADER, toReportCsv } from './report-csv.js';
import type { MigrationReport } from './report.js';
import { MigrationError } from './migration-error.js';

export interface ReportPaths {
  json: string;
  csv: string;
}

/** The two files `--report path` names (see the rule above). */
export function reportPaths(path: string): ReportPaths {
  const base = path.replace(/\.(json|csv)$/i, '');
  return { json: `${base}.json`, csv: `${base}.csv` };
}

/** The report's JSON text (two-space indented, fields in the documented order). */
export function toReportJson(report: MigrationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Writes `<base>.json` and `<base>.csv` (see the path rule above) and returns their paths.
 * Throws `MigrationError` `report-conflict` when either target is an unrelated file (nothing is
 * written then), `report-write` when writing fails (the temporary file is removed).
 */
export async function writeReport(report: MigrationReport, path: string): Promise<ReportPaths> {
  const paths = reportPaths(path);
  await assertReplaceable(paths.json, isReportJson);
  await assertReplaceable(paths.csv, isReportCsv);
  await writeAtomically(paths.json, toReportJson(report));
  await writeAtomically(paths.csv, toReportCsv(report));
  return paths;
}

/** Bytes read from an existing target to recognise it. */
const SNIFF_BYTES = 512;

function isReportJson(head: string): boolean {
  return /^\{\s*"version"\s*:\s*\d+\s*,\s*"migration"\s*:/.test(head);
}

function isReportCsv(head: string): boolean {
  const firstLine = head.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
  return firstLine === CSV_HEADER;
}

async function assertReplaceable(target: string, recognise: (head: string) => boolean): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(target, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new MigrationError({ code: 'report-write', path: target, message: `${target}: cannot check the existing file: ${(error as Error).message}`, cause: error });
  }
  let head: string;
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new MigrationError({ code: 'report-conflict', path: target, message: `${target}: exists and is not a file; the report was not written (give another --report path)` });
    if (info.size === 0) return;
    const buffer = Buffer.alloc(Math.min(SNIFF_BYTES, info.size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead).toString('utf8');
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError({ code: 'report-write', path: target, message: `${target}: cannot check the existing file: ${(error as Error).message}`, cause: error });
  } finally {
    await handle.close();
  }
  if (!recognise(head)) {
    throw new MigrationError({
      code: 'report-conflict',
      path: target,
      message: `${target}: exists and is not a migration report; not replaced, and the report was not written (give another --report path, or move that file)`,
    });
  }
}

async function writeAtomically(target: string, text: string): Promise<void> {
  const folder = dirname(target);
  const temp = join(folder, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    let leftover = '';
    await unlink(temp).catch((unlinkError: NodeJS.ErrnoException) => {
      if (unlinkError.code !== 'ENOENT') leftover = `; the temporary file ${temp} remains (${unlinkError.message})`;
    });
    throw new MigrationError({ code: 'report-write', path: target, message: `${target}: the report could not be written: ${(error as Error).message}${leftover}`, cause: error });
  }
  await syncFolder(folder);
}

/** Makes the rename durable. Some systems cannot fsync a folder (EISDIR, EINVAL, EPERM): the rename stands, only its durability is the system's. */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EBADF') {
      throw new MigrationError({ code: 'report-write', path: folder, message: `${folder}: the report was written but the folder could not be synced: ${(error as Error).message}`, cause: error });
    }
  } finally {
    await handle?.close();
  }
}
