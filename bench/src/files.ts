import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BenchFormat } from './contender.js';
import { CORPUS_DIR } from './paths.js';

/** One input of the benchmark. */
export interface BenchFile {
  name: string;
  path: string;
  format: BenchFormat;
  bytes: Uint8Array;
  origin: 'perf' | 'corpus' | 'generated';
  /** Facts about the file that explain a result (a chained FIT, a generated size). */
  notes: string[];
}

const EXTENSIONS: Record<string, BenchFormat> = { fit: 'fit', tcx: 'tcx', gpx: 'gpx', hrm: 'hrm', pwx: 'pwx', csv: 'csv' };
export const FORMAT_ORDER: readonly BenchFormat[] = ['fit', 'tcx', 'gpx', 'hrm', 'pwx', 'csv'];
/** The corpus folders each format's real files come from (Timex's PWX files have a folder of their own). */
const FOLDERS: Readonly<Record<BenchFormat, readonly string[]>> = { fit: ['fit'], tcx: ['tcx'], gpx: ['gpx'], hrm: ['hrm'], pwx: ['pwx', 'timex'], csv: ['csv'] };
/** Largest files taken from each corpus folder besides perf/ (more would pass three minutes). */
const LARGEST_PER_FOLDER = 1;

export interface DiscoverOptions {
  quick: boolean;
  filter?: string;
  log: (line: string) => void;
}

/**
 * The real files to race on, found at run time: every FIT/TCX/GPX/HRM/PWX/CSV in corpus/perf (a
 * folder of large inputs kept for benchmarks) and the largest file of corpus/fit, tcx, gpx, hrm,
 * pwx, timex and csv that perf does not already hold (compared by content). With `quick`, only
 * the largest file of each format.
 */
export function discoverCorpusFiles(options: DiscoverOptions): BenchFile[] {
  if (!existsSync(CORPUS_DIR)) {
    options.log(`[bench] ${CORPUS_DIR} not found: corpus files skipped, generated files only`);
    return [];
  }
  const perf: (Listed & { origin: BenchFile['origin'] })[] = listFormatFiles(join(CORPUS_DIR, 'perf'), options.log).map((f) => ({ ...f, origin: 'perf' }));
  const seen = new Set(perf.map((f) => f.hash));
  const extra: typeof perf = [];
  for (const format of FORMAT_ORDER) {
    for (const folder of FOLDERS[format]) {
      const largest = listFormatFiles(join(CORPUS_DIR, folder), options.log)
        .filter((f) => f.format === format && !seen.has(f.hash))
        .sort((a, b) => b.size - a.size)
        .slice(0, LARGEST_PER_FOLDER);
      for (const f of largest) {
        seen.add(f.hash);
        extra.push({ ...f, origin: 'corpus' as const });
      }
    }
  }
  let found = [...perf, ...extra];
  if (options.quick) {
    found = FORMAT_ORDER.flatMap((format) => found.filter((f) => f.format === format).sort((a, b) => b.size - a.size).slice(0, 1));
  }
  if (options.filter) found = found.filter((f) => f.name.includes(options.filter ?? ''));
  return found.map((f) => toBenchFile(f.path, f.format, f.origin));
}

export function toBenchFile(path: string, format: BenchFormat, origin: BenchFile['origin'], notes: string[] = []): BenchFile {
  const bytes = new Uint8Array(readFileSync(path));
  const chained = format === 'fit' ? countChainedFitParts(bytes) : 1;
  const allNotes = chained > 1 ? [...notes, `chained FIT of ${chained} parts`] : notes;
  return { name: basename(path), path, format, bytes, origin, notes: allNotes };
}

/** Files in canonical order: FIT, TCX, GPX, HRM, PWX, CSV; generated first, then by size, largest first. */
export function sortBenchFiles(files: readonly BenchFile[]): BenchFile[] {
  const rank = (f: BenchFile): number => (f.origin === 'generated' ? 0 : 1);
  return [...files].sort(
    (a, b) => FORMAT_ORDER.indexOf(a.format) - FORMAT_ORDER.indexOf(b.format) || rank(a) - rank(b) || b.bytes.length - a.bytes.length,
  );
}

interface Listed {
  path: string;
  name: string;
  format: BenchFormat;
  size: number;
  hash: string;
}

function listFormatFiles(dir: string, log: (line: string) => void): Listed[] {
  if (!existsSync(dir)) {
    log(`[bench] ${dir} not found: skipped`);
    return [];
  }
  const listed: Listed[] = [];
  for (const name of readdirSync(dir).sort()) {
    const format = EXTENSIONS[name.slice(name.lastIndexOf('.') + 1).toLowerCase()];
    const path = join(dir, name);
    if (!format || !statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    listed.push({ path, name, format, size: bytes.length, hash: createHash('sha256').update(bytes).digest('hex') });
  }
  return listed;
}

/** How many FIT files are chained one after another in these bytes (1 for a plain file). */
export function countChainedFitParts(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  let parts = 0;
  while (offset + 12 <= bytes.length) {
    const headerSize = bytes[offset] ?? 0;
    const isFit = bytes[offset + 8] === 0x2e && bytes[offset + 9] === 0x46 && bytes[offset + 10] === 0x49 && bytes[offset + 11] === 0x54;
    if ((headerSize !== 12 && headerSize !== 14) || !isFit) break;
    parts++;
    offset += headerSize + view.getUint32(offset + 4, true) + 2;
  }
  return Math.max(parts, 1);
}
