import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFitActivity, buildGpxBytes, buildTcxBytes, buildTwelveHourRide, buildZip } from '@optimo-import/fixtures';
import { parseFile } from '@optimo-import/parsers';
import type { ParseErrorCode } from '@optimo-import/parsers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectFiles } from '../files.js';
import { DEFAULT_DAILY_LIMIT, dryRunFiles } from './dry-run.js';
import { buildReport } from './report.js';
import type { ReportFile } from './report.js';
import { writeReport } from './report-write.js';
import { corpusDir, csvRecords, EXAMPLES_DIR } from './test-reports.js';

let dir: string;
const RIDE_START = Date.UTC(2024, 4, 1, 7);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const METADATA_ONLY_GPX = '<?xml version="1.0"?>\n<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><metadata><name>x</name></metadata></gpx>\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'optimo-dry-run-'));
  // One ride exported twice: the FIT from the device and the TCX from the platform.
  writeFileSync(join(dir, 'ride.fit'), buildFitActivity({ startTime: RIDE_START, durationSeconds: 600 }));
  writeFileSync(join(dir, 'ride.tcx'), buildTcxBytes({ startTime: '2024-05-01T07:00:00Z', durationSeconds: 600, sport: 'Biking' }));
  mkdirSync(join(dir, 'copies'));
  copyFileSync(join(EXAMPLES_DIR, 'morning-ride.fit'), join(dir, 'copies', 'morning-ride (1).fit'));
  writeFileSync(
    join(dir, 'mixed.zip'),
    buildZip([
      { name: 'walk.gpx', bytes: buildGpxBytes({ startTime: '2024-06-01T08:00:00Z', durationSeconds: 900, sport: 'walking' }) },
      { name: 'waypoints.gpx', bytes: new TextEncoder().encode(METADATA_ONLY_GPX) },
      { name: 'photo.jpg', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) },
    ]),
  );
  writeFileSync(join(dir, 'again.zip'), buildZip([{ name: 'ride-again.tcx', bytes: buildTcxBytes({ startTime: '2024-05-01T07:00:02Z', durationSeconds: 600, sport: 'Biking' }) }]));
  writeFileSync(join(dir, 'empty.fit'), '');
  writeFileSync(join(dir, 'notes.txt'), 'not a workout');
  writeFileSync(join(dir, 'waypoints.gpx'), METADATA_ONLY_GPX);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dryRunFiles on the example files', () => {
  it('judges every example: what would be sent and what it would cost', async () => {
    const seen: [string, number, number][] = [];
    const result = await dryRunFiles([EXAMPLES_DIR], { athleteId: '42', account: 'riverside', onFile: (f, i, n) => seen.push([f.fileName, i, n]) });
    const names = readdirSync(EXAMPLES_DIR).sort();
    expect(result.files.map((f) => f.fileName)).toEqual(names);
    expect(seen).toEqual(names.map((name, i) => [name, i, names.length]));
    expect(result.files.map((f) => [f.fileName, f.outcome, f.requests, f.entries.length])).toEqual([
      ['brick-session.fit', 'would-import', 3, 3],
      ['club-export.zip', 'would-import', 2, 3],
      ['commute.gpx.gz', 'would-import', 1, 1],
      ['hill-hike.gpx', 'would-import', 1, 1],
      ['morning-ride.fit', 'would-import', 1, 1],
      ['pool-swim.fit', 'would-import', 1, 1],
      ['track-intervals.tcx', 'would-import', 1, 1],
    ]);
    expect(result.totals).toEqual({ files: 7, imported: 7, duplicate: 0, partial: 0, failed: 0, waiting: 0, workouts: 10, requests: 10, dailyLimit: DEFAULT_DAILY_LIMIT, quotaDays: 0.01 });
    expect(result.dailyLimit).toBe(5000);
  });

  it('rows carry the content hash, the job id the real run would use, and each workout\'s identity', async () => {
    const { files } = await dryRunFiles([join(EXAMPLES_DIR, 'club-export.zip'), join(EXAMPLES_DIR, 'brick-session.fit')], { account: 'riverside' });
    const [club, brick] = files as [ReportFile, ReportFile];
    const bytes = readFileSync(join(EXAMPLES_DIR, 'club-export.zip'));
    expect(club.contentHash).toBe(sha256(bytes));
    expect(club.jobId).toBe(`riverside@${sha256(bytes)}`);
    expect(club.entries).toEqual([
      expect.objectContaining({ entry: 'club-export.zip!tempo-run.tcx', index: 0, outcome: 'would-import', requests: 1, sport: 'running', startTime: '2026-10-14T06:00:00.000Z', fingerprint: expect.stringMatching(/^2026-10-14T06:00:00Z\/\d+$/), externalId: expect.stringMatching(/^sha256:/) }),
      expect.objectContaining({ entry: 'club-export.zip!recovery-spin.fit', outcome: 'would-import', externalId: 'fit:3400000002:1161018000' }),
      { entry: 'club-export.zip!README.txt', outcome: 'skipped', requests: 0, reason: 'not a workout file this tool reads' },
    ]);
    expect(brick.entries.map((e) => [e.entry, e.index, e.sport])).toEqual([
      ['brick-session.fit', 0, 'cycling'],
      ['brick-session.fit', 1, 'multisport'],
      ['brick-session.fit', 2, 'running'],
    ]);
    expect(Object.keys(club)).toEqual(['file', 'fileName', 'outcome', 'workoutIds', 'requests', 'jobId', 'contentHash', 'entries']);
  });

  it('without an account there is no job id; the dry run never needs one', async () => {
    const { files } = await dryRunFiles([join(EXAMPLES_DIR, 'pool-swim.fit')]);
    expect(files[0]).not.toHaveProperty('jobId');
    expect(files[0]?.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('dryRunFiles finds duplicates', () => {
  it('the FIT and the TCX of one ride: uploaded once, the later file in the order given is the duplicate', async () => {
    const fitFirst = await dryRunFiles([join(dir, 'ride.fit'), join(dir, 'ride.tcx')]);
    expect(fitFirst.files.map((f) => f.outcome)).toEqual(['would-import', 'duplicate']);
    const tcx = fitFirst.files[1] as ReportFile;
    expect(tcx).toMatchObject({ requests: 0, reason: `the same recording as ${join(dir, 'ride.fit')}, workout 1`, duplicateOf: { file: join(dir, 'ride.fit'), fileName: 'ride.fit', entry: 'ride.fit' } });
    expect(tcx.entries).toEqual([expect.objectContaining({ outcome: 'duplicate', requests: 0, fingerprint: '2024-05-01T07:00:00Z/600', duplicateOf: { file: join(dir, 'ride.fit'), fileName: 'ride.fit', entry: 'ride.fit' } })]);
    expect(fitFirst.totals).toMatchObject({ files: 2, imported: 1, duplicate: 1, workouts: 1, requests: 1 });

    const tcxFirst = await dryRunFiles([join(dir, 'ride.tcx'), join(dir, 'ride.fit')]);
    expect(tcxFirst.files.map((f) => [f.fileName, f.outcome])).toEqual([
      ['ride.tcx', 'would-import'],
      ['ride.fit', 'duplicate'],
    ]);
  });

  it('a recording inside an archive, 2 s apart from the first: the entry is the duplicate', async () => {
    const { files } = await dryRunFiles([join(dir, 'ride.fit'), join(dir, 'again.zip')]);
    expect(files[1]).toMatchObject({ outcome: 'duplicate', duplicateOf: { fileName: 'ride.fit' } });
    expect(files[1]?.entries[0]).toMatchObject({ entry: 'again.zip!ride-again.tcx', outcome: 'duplicate' });
  });

  it('the same bytes twice are one file: the copy is a duplicate of the first, costing nothing', async () => {
    const original = join(EXAMPLES_DIR, 'morning-ride.fit');
    const copy = join(dir, 'copies', 'morning-ride (1).fit');
    const { files, totals } = await dryRunFiles([original, copy], { account: 'riverside' });
    expect(files[1]).toMatchObject({ file: copy, outcome: 'duplicate', requests: 0, reason: `the same content as ${original}`, duplicateOf: { file: original, fileName: 'morning-ride.fit' } });
    expect(files[1]?.jobId).toBe(files[0]?.jobId);
    expect(files[1]?.entries).toEqual([expect.objectContaining({ entry: 'morning-ride (1).fit', outcome: 'duplicate', requests: 0 })]);
    expect(totals).toMatchObject({ imported: 1, duplicate: 1, workouts: 1, requests: 1 });
  });
});

describe('dryRunFiles reports what would fail', () => {
  it('an archive with a bad entry is partial: the good entry counted, the bad one with its ParseError code', async () => {
    const { files } = await dryRunFiles([join(dir, 'mixed.zip')]);
    const mixed = files[0] as ReportFile;
    expect(mixed).toMatchObject({ outcome: 'partial', requests: 1, code: 'no-data', reason: expect.stringContaining('mixed.zip!waypoints.gpx') });
    expect(mixed.entries.map((e) => [e.entry, e.outcome, e.code])).toEqual([
      ['mixed.zip!walk.gpx', 'would-import', undefined],
      ['mixed.zip!waypoints.gpx', 'would-fail', 'no-data'],
      ['mixed.zip!photo.jpg', 'skipped', undefined],
    ]);
  });

  it('missing, empty, unknown and empty-of-data files fail with their codes; nothing is thrown', async () => {
    const { files, totals } = await dryRunFiles([join(dir, 'nowhere.fit'), join(dir, 'empty.fit'), join(dir, 'notes.txt'), join(dir, 'waypoints.gpx')]);
    expect(files.map((f) => [f.fileName, f.outcome, f.code])).toEqual([
      ['nowhere.fit', 'would-fail', 'not-found'],
      ['empty.fit', 'would-fail', 'no-data'],
      ['notes.txt', 'would-fail', 'unknown-format'],
      ['waypoints.gpx', 'would-fail', 'no-data'],
    ]);
    expect(files[2]?.reason).toContain('notes.txt');
    expect(totals).toMatchObject({ files: 4, failed: 4, workouts: 0, requests: 0, quotaDays: 0 });
  });

  it('a file over 256 MiB is refused without being read', async () => {
    const huge = join(dir, 'huge.fit');
    writeFileSync(huge, '');
    truncateSync(huge, 256 * 1024 * 1024 + 1); // sparse: no disk used, and reading it would take long
    try {
      const t0 = performance.now();
      const { files } = await dryRunFiles([huge]);
      expect(files[0]).toMatchObject({ outcome: 'would-fail', code: 'too-large', reason: '268,435,457 bytes is over the cap of 268,435,456 bytes (256 MiB) for one file; nothing was read' });
      expect(files[0]).not.toHaveProperty('contentHash');
      expect(performance.now() - t0).toBeLessThan(1000);
    } finally {
      rmSync(huge);
    }
  });

  it('rejects bad options before reading anything', async () => {
    await expect(dryRunFiles([dir], { timeZone: 'Mars/Olympus' })).rejects.toThrow('[migrate] dryRunFiles: `timeZone`: unknown time zone "Mars/Olympus"');
    await expect(dryRunFiles([dir], { athleteId: ' 42' })).rejects.toThrow('`athleteId` must be a non-blank id');
    await expect(dryRunFiles([dir], { dailyLimit: 0 })).rejects.toThrow('`dailyLimit` must be a whole number > 0, got 0');
  });
});

describe('dryRunFiles counts requests with the mapper', () => {
  it('a 12-hour ride with every channel is over 10 MiB of samples: create + one samples.add', async () => {
    const path = join(dir, 'twelve-hours.fit');
    writeFileSync(path, buildTwelveHourRide());
    const { files, totals } = await dryRunFiles([path], { athleteId: '42', timeZone: 'Europe/Lisbon' });
    expect(files[0]).toMatchObject({ outcome: 'would-import', requests: 2 });
    expect(totals).toMatchObject({ workouts: 1, requests: 2 });
  });
});

describe('a dry run report, written and read back', () => {
  it('has a CSV row per workout or workout-less entry, and the JSON the report', async () => {
    const result = await dryRunFiles([EXAMPLES_DIR, dir], { athleteId: '42' });
    const report = buildReport({ migration: 'dry-1', athleteId: '42', startedAt: 0, endedAt: 1, dryRun: result });
    const out = mkdtempSync(join(tmpdir(), 'optimo-dry-report-'));
    try {
      const paths = await writeReport(report, join(out, 'dry.json'));
      expect(JSON.parse(readFileSync(paths.json, 'utf8'))).toEqual(report);
      const rows = csvRecords(readFileSync(paths.csv, 'utf8'));
      expect(rows).toHaveLength(report.files.reduce((n, f) => n + Math.max(1, f.entries.length), 0));
      expect(rows.reduce((n, r) => n + Number(r.requests), 0)).toBe(report.totals.requests);
      expect(new Set(rows.map((r) => r.file))).toEqual(new Set(report.files.map((f) => f.file)));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

const PARSE_CODES: readonly ParseErrorCode[] = ['unknown-format', 'corrupt', 'truncated', 'no-data', 'unsupported-variant', 'too-large'];
const corpus = ['fit', 'tcx', 'gpx', 'bad'].map(corpusDir).filter((d): d is string => d !== undefined);

describe(`dryRunFiles over ${corpus.length > 0 ? 'the shared corpus (fit, tcx, gpx, bad)' : 'the examples (no shared corpus here)'}`, () => {
  const folders = corpus.length > 0 ? corpus : [EXAMPLES_DIR];

  it('gives every file one row, in order, with consistent counts; duplicates point backwards', async () => {
    const found = await collectFiles(folders);
    const { files, totals } = await dryRunFiles(folders, { athleteId: '42', account: 'riverside' });
    expect(files.map((f) => f.file)).toEqual(found.map((f) => f.path));
    const seen = new Set<string>();
    let workouts = 0;
    for (const file of files) {
      expect(['would-import', 'would-fail', 'partial', 'duplicate']).toContain(file.outcome);
      expect(file.requests).toBe(file.entries.reduce((n, e) => n + e.requests, 0));
      if (file.outcome === 'would-fail' || file.outcome === 'partial') expect(PARSE_CODES as readonly string[]).toContain(file.code);
      if (file.outcome === 'would-import') expect(file.requests).toBeGreaterThanOrEqual(1);
      for (const entry of file.entries) {
        if (entry.outcome === 'would-import') {
          workouts++;
          expect(entry.requests).toBeGreaterThanOrEqual(1);
          expect(entry.fingerprint).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\/\d+$/);
        }
        if (entry.outcome === 'duplicate') {
          expect(entry.requests).toBe(0);
          expect(seen.has(entry.duplicateOf?.file as string) || entry.duplicateOf?.file === file.file).toBe(true);
        }
      }
      seen.add(file.file);
    }
    expect(totals.workouts).toBe(workouts);
    expect(totals.files).toBe(found.length);
    expect(totals.imported + totals.duplicate + totals.partial + totals.failed).toBe(found.length);
  });

  it('counts every workout the parser finds exactly once: imported or duplicate', async () => {
    const { files } = await dryRunFiles(folders);
    for (const file of files) {
      if (!file.contentHash || file.reason?.startsWith('the same content as')) continue;
      const parsed = parseFile(new Uint8Array(readFileSync(file.file)), { fileName: file.fileName }).flatMap((r) => (r.status === 'ok' ? r.workouts : []));
      const judged = file.entries.filter((e) => e.index !== undefined && e.outcome !== 'would-fail');
      expect(judged.map((e) => e.fingerprint), file.file).toEqual(parsed.map((w) => w.fingerprint));
    }
  });

  it('is deterministic', async () => {
    const a = await dryRunFiles(folders);
    const b = await dryRunFiles(folders);
    expect(b).toEqual(a);
  });
});
