/**
 * For the migrate tests: pipeline results as the workers write them, a run that has every
 * outcome, a strict RFC 4180 reader to read the CSV back, and where the example files and the
 * shared corpus are (the corpus is read in place, and may be absent).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntryReport, ImportResult } from '../jobs/job-data.js';
import type { ReportFileInput } from './report.js';

/** The repository root (this file is apps/worker/src/migrate/test-reports.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
/** ../shared/corpus beside the repository. */
export const CORPUS_ROOT = resolve(REPO_ROOT, '../shared/corpus');

/** A corpus folder, or undefined when this machine has none. */
export function corpusDir(name: string): string | undefined {
  const dir = join(CORPUS_ROOT, name);
  return existsSync(dir) ? dir : undefined;
}

export const ACCOUNT = 'riverside';
export const hashOf = (c: string): string => c.repeat(64).slice(0, 64);
export const jobOf = (c: string): string => `${ACCOUNT}@${hashOf(c)}`;

export function importResult(over: Partial<ImportResult> & { fileName: string; contentHash: string }): ImportResult {
  return {
    jobId: `${ACCOUNT}@${over.contentHash}`,
    account: ACCOUNT,
    athleteId: '42',
    origin: 'migrate',
    migration: 'm-1',
    outcome: 'imported',
    workoutIds: [],
    requests: 0,
    entries: [],
    finishedAt: '2026-10-20T10:00:00.000Z',
    attempts: 1,
    ...over,
  };
}

export function workoutEntry(over: Partial<EntryReport> & { entry: string }): EntryReport {
  return { index: 0, outcome: 'uploaded', requests: 1, sport: 'cycling', startTime: '2026-10-03T06:30:00.000Z', fingerprint: '2026-10-03T06:30:00Z/3720', ...over };
}

/**
 * A run with every outcome: an imported multisport FIT (one lookup request not tied to a
 * workout), the TCX of its first session (a duplicate), a partial archive, a failed GPX, a waiting
 * file, a missing one, a byte-for-byte copy of the FIT and a copy of the failed GPX.
 */
export function sampleRun(): ReportFileInput[] {
  const ride = importResult({
    fileName: 'ride.fit',
    contentHash: hashOf('a'),
    workoutIds: ['8812', '8813'],
    requests: 3,
    entries: [
      workoutEntry({ entry: 'ride.fit', index: 0, workoutId: '8812', externalId: 'fit:1:2#0' }),
      workoutEntry({ entry: 'ride.fit', index: 1, workoutId: '8813', externalId: 'fit:1:2#1', sport: 'running', startTime: '2026-10-03T07:40:00.000Z', fingerprint: '2026-10-03T07:40:00Z/900' }),
    ],
  });
  const tcx = importResult({
    fileName: 'ride.tcx',
    contentHash: hashOf('b'),
    outcome: 'duplicate',
    requests: 0,
    reason: 'the same recording as ride.fit',
    entries: [
      workoutEntry({
        entry: 'ride.tcx',
        outcome: 'duplicate',
        requests: 0,
        reason: 'the same recording as ride.fit',
        duplicateOf: { fileName: 'ride.fit', jobId: jobOf('a'), workoutId: '8812' },
      }),
    ],
  });
  const club = importResult({
    fileName: 'club, "october".zip',
    contentHash: hashOf('c'),
    outcome: 'partial',
    workoutIds: ['8814'],
    requests: 2,
    reason: '[fit] club, "october".zip!broken.fit byte 12: the header is corrupt',
    code: 'corrupt',
    entries: [
      workoutEntry({ entry: 'club, "october".zip!tempo.tcx', workoutId: '8814', requests: 2, sport: 'running' }),
      { entry: 'club, "october".zip!broken.fit', outcome: 'failed', requests: 0, reason: '[fit] club, "october".zip!broken.fit byte 12: the header is corrupt', code: 'corrupt' },
      { entry: 'club, "october".zip!notes.txt', outcome: 'skipped', requests: 0, reason: 'not a workout file this tool reads' },
    ],
    attempts: 2,
  });
  const hike = importResult({
    fileName: 'hike.gpx',
    contentHash: hashOf('d'),
    outcome: 'failed',
    requests: 1,
    reason: '=cmd|calc: the server refused the workout (40030)',
    code: 'invalid-value',
    entries: [{ entry: 'hike.gpx', index: 0, outcome: 'failed', requests: 1, reason: '=cmd|calc: the server refused the workout (40030)', code: 'invalid-value' }],
  });
  return [
    { path: 'in/ride.fit', jobId: jobOf('a'), contentHash: hashOf('a'), result: ride },
    { path: 'in/ride.tcx', jobId: jobOf('b'), contentHash: hashOf('b'), result: tcx },
    { path: 'in/club, "october".zip', jobId: jobOf('c'), contentHash: hashOf('c'), result: club },
    { path: 'in/hike.gpx', jobId: jobOf('d'), contentHash: hashOf('d'), result: hike },
    { path: 'in/later.fit', jobId: jobOf('e'), contentHash: hashOf('e'), waitingReason: 'held by the quota until 2026-10-21T00:00:00+01:00' },
    { path: 'in/gone.fit', problem: { code: 'not-found', message: 'no such file or folder' } },
    { path: 'in/copy/ride.fit', jobId: jobOf('a'), contentHash: hashOf('a'), result: ride },
    { path: 'in/copy/hike.gpx', jobId: jobOf('d'), contentHash: hashOf('d'), result: hike },
  ];
}

/** A strict RFC 4180 reader: throws on anything a conforming writer would not produce. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error(`unterminated quoted field at ${i}`);
        cell += text.slice(i, q);
        if (text[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const end = text.slice(i).search(/,|\r\n/);
      cell = end < 0 ? text.slice(i) : text.slice(i, i + end);
      if (/["\r\n]/.test(cell)) throw new Error(`unquoted field with a quote or line break at ${i}: ${JSON.stringify(cell)}`);
      i += cell.length;
    }
    row.push(cell);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
      if (i === text.length) return rows;
      continue;
    }
    throw new Error(`expected a comma or CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 10))}`);
  }
}

/** Rows as objects keyed by the header. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) throw new Error('no header');
  for (const row of rows) if (row.length !== header.length) throw new Error(`a row of ${row.length} cells under a header of ${header.length}`);
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] as string])));
}
