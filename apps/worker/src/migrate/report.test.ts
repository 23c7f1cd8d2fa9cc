import { describe, expect, it } from 'vitest';
import { buildReport, quotaDaysOf, sameContentAs } from './report.js';
import type { ReportFile } from './report.js';
import { ACCOUNT, hashOf, importResult, jobOf, sampleRun, workoutEntry } from './test-reports.js';

const STARTED = Date.UTC(2026, 9, 20, 9);
const ENDED = Date.UTC(2026, 9, 20, 11);
const meta = { migration: 'm-1', account: ACCOUNT, athleteId: '42', startedAt: STARTED, endedAt: ENDED };

describe('buildReport of a real run', () => {
  const report = buildReport({ ...meta, files: sampleRun() });

  it('has the header fields, in the documented order, and finishedAt for a run that ended', () => {
    expect(Object.keys(report)).toEqual(['version', 'migration', 'account', 'athleteId', 'dryRun', 'startedAt', 'finishedAt', 'complete', 'totals', 'files']);
    expect(report).toMatchObject({ version: 1, migration: 'm-1', account: ACCOUNT, athleteId: '42', dryRun: false, startedAt: '2026-10-20T09:00:00.000Z', finishedAt: '2026-10-20T11:00:00.000Z', complete: false });
  });

  it('counts every outcome once; copies cost nothing and workouts are counted once', () => {
    expect(report.totals).toEqual({ files: 8, imported: 1, duplicate: 2, partial: 1, failed: 3, waiting: 1, workouts: 3, requests: 6 });
    expect(report.files.map((f) => [f.file, f.outcome, f.requests])).toEqual([
      ['in/ride.fit', 'imported', 3],
      ['in/ride.tcx', 'duplicate', 0],
      ['in/club, "october".zip', 'partial', 2],
      ['in/hike.gpx', 'failed', 1],
      ['in/later.fit', 'waiting', 0],
      ['in/gone.fit', 'failed', 0],
      ['in/copy/ride.fit', 'duplicate', 0],
      ['in/copy/hike.gpx', 'failed', 0],
    ]);
  });

  it('keeps an imported file\'s ids, job, hash, attempts and entries, fields in the documented order', () => {
    const ride = report.files[0] as ReportFile;
    expect(Object.keys(ride)).toEqual(['file', 'fileName', 'outcome', 'workoutIds', 'requests', 'jobId', 'contentHash', 'attempts', 'finishedAt', 'entries']);
    expect(ride).toMatchObject({ fileName: 'ride.fit', workoutIds: ['8812', '8813'], jobId: jobOf('a'), contentHash: hashOf('a'), attempts: 1 });
    expect(ride.entries.map((e) => [e.index, e.outcome, e.workoutId, e.externalId])).toEqual([
      [0, 'uploaded', '8812', 'fit:1:2#0'],
      [1, 'uploaded', '8813', 'fit:1:2#1'],
    ]);
  });

  it('names the file of this migration a cross-format duplicate duplicates', () => {
    const tcx = report.files[1] as ReportFile;
    const dup = { file: 'in/ride.fit', fileName: 'ride.fit', jobId: jobOf('a'), workoutId: '8812' };
    expect(tcx.duplicateOf).toEqual(dup);
    expect(tcx.entries[0]?.duplicateOf).toEqual(dup);
    expect(tcx.reason).toBe('the same recording as ride.fit');
    expect(tcx.workoutIds).toEqual([]);
  });

  it('a duplicate of a workout imported outside the migration has no path, only the file name and job', () => {
    const only = buildReport({
      ...meta,
      files: [
        {
          path: 'x/ride.tcx',
          result: importResult({
            fileName: 'ride.tcx',
            contentHash: hashOf('f'),
            outcome: 'duplicate',
            entries: [workoutEntry({ entry: 'ride.tcx', outcome: 'duplicate', requests: 0, duplicateOf: { fileName: 'old.fit', jobId: jobOf('z') } })],
          }),
        },
      ],
    });
    expect(only.files[0]?.duplicateOf).toEqual({ fileName: 'old.fit', jobId: jobOf('z') });
    expect(only.files[0]?.jobId).toBe(jobOf('f'));
    expect(only.complete).toBe(true);
  });

  it('a duplicate found while its original was still uploading (no id then) gets the id from the original in this run', () => {
    const inputs = sampleRun().slice(0, 2);
    const tcx = inputs[1]?.result;
    const entry = tcx?.entries[0];
    if (entry?.duplicateOf === undefined) throw new Error('the sample run changed: its TCX is no longer a duplicate');
    delete entry.duplicateOf.workoutId;
    entry.fingerprint = '2026-10-03T06:30:02Z/3719';
    const built = buildReport({ ...meta, files: inputs });
    const dup = { file: 'in/ride.fit', fileName: 'ride.fit', jobId: jobOf('a'), workoutId: '8812' };
    expect(built.files[1]?.duplicateOf).toEqual(dup);
    expect(built.files[1]?.entries[0]?.duplicateOf).toEqual(dup);
  });

  it('reports a partial archive with its first failure and every entry', () => {
    const club = report.files[2] as ReportFile;
    expect(club).toMatchObject({ reason: expect.stringContaining('broken.fit byte 12'), code: 'corrupt', attempts: 2, workoutIds: ['8814'] });
    expect(club.entries.map((e) => e.outcome)).toEqual(['uploaded', 'failed', 'skipped']);
  });

  it('a waiting file says why; a file that never reached the queue fails with its problem', () => {
    expect(report.files[4]).toEqual({
      file: 'in/later.fit',
      fileName: 'later.fit',
      outcome: 'waiting',
      workoutIds: [],
      requests: 0,
      reason: 'held by the quota until 2026-10-21T00:00:00+01:00',
      jobId: jobOf('e'),
      contentHash: hashOf('e'),
      entries: [],
    });
    expect(report.files[5]).toEqual({ file: 'in/gone.fit', fileName: 'gone.fit', outcome: 'failed', workoutIds: [], requests: 0, reason: 'no such file or folder', code: 'not-found', entries: [] });
  });

  it('the same content twice is one file: the copy is a duplicate of the first path, workout by workout', () => {
    const copy = report.files[6] as ReportFile;
    expect(copy).toMatchObject({ file: 'in/copy/ride.fit', fileName: 'ride.fit', outcome: 'duplicate', workoutIds: [], requests: 0, reason: 'the same content as in/ride.fit', jobId: jobOf('a') });
    expect(copy.duplicateOf).toEqual({ file: 'in/ride.fit', fileName: 'ride.fit', jobId: jobOf('a') });
    expect(copy.entries.map((e) => [e.entry, e.outcome, e.requests, e.duplicateOf?.workoutId])).toEqual([
      ['ride.fit', 'duplicate', 0, '8812'],
      ['ride.fit', 'duplicate', 0, '8813'],
    ]);
  });

  it('a copy of a failed file fails with it, pointing at it, at no cost', () => {
    expect(report.files[7]).toMatchObject({
      outcome: 'failed',
      requests: 0,
      code: 'invalid-value',
      reason: 'the same content as in/hike.gpx, which failed: =cmd|calc: the server refused the workout (40030)',
      duplicateOf: { file: 'in/hike.gpx', fileName: 'hike.gpx', jobId: jobOf('d') },
    });
  });

  it('a copy of a waiting file waits', () => {
    const r = buildReport({ ...meta, files: [{ path: 'a.fit', contentHash: hashOf('q') }, { path: 'b/a.fit', contentHash: hashOf('q') }] });
    expect(r.files.map((f) => [f.outcome, f.reason])).toEqual([
      ['waiting', undefined],
      ['waiting', 'the same content as a.fit, which is waiting'],
    ]);
  });

  it('is JSON round-trippable without undefined holes', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('buildReport: interruption, completion, dry run and options', () => {
  it('an interrupted run has interruptedAt and no finishedAt', () => {
    const r = buildReport({ ...meta, files: sampleRun(), interrupted: true });
    expect(r.interruptedAt).toBe('2026-10-20T11:00:00.000Z');
    expect(r).not.toHaveProperty('finishedAt');
    expect(r.complete).toBe(false);
  });

  it('complete means no file is waiting', () => {
    const r = buildReport({ ...meta, files: sampleRun().filter((f) => f.result || f.problem) });
    expect(r.totals.waiting).toBe(0);
    expect(r.complete).toBe(true);
  });

  it('a dry run takes the rows as they are and adds the days of quota', () => {
    const row: ReportFile = { file: 'a.fit', fileName: 'a.fit', outcome: 'would-import', workoutIds: [], requests: 12_000, entries: [{ entry: 'a.fit', index: 0, outcome: 'would-import', requests: 12_000 }] };
    const r = buildReport({ migration: 'dry', athleteId: '42', startedAt: '2026-10-20T09:00:00Z', endedAt: ENDED, dryRun: { files: [row], dailyLimit: 5000 } });
    expect(r.dryRun).toBe(true);
    expect(r).not.toHaveProperty('account');
    expect(r.totals).toEqual({ files: 1, imported: 1, duplicate: 0, partial: 0, failed: 0, waiting: 0, workouts: 1, requests: 12_000, dailyLimit: 5000, quotaDays: 2.4 });
  });

  it('rejects both or neither input, and bad dates', () => {
    expect(() => buildReport({ ...meta })).toThrow('give exactly one of `files` (a real run) and `dryRun` (a dry run)');
    expect(() => buildReport({ ...meta, files: [], dryRun: { files: [], dailyLimit: 5000 } })).toThrow(RangeError);
    expect(() => buildReport({ ...meta, files: [], startedAt: 'yesterday' })).toThrow('`startedAt` must be epoch ms or an ISO 8601 date-time, got "yesterday"');
  });

  it('quotaDaysOf rounds up to 0.01 and is 0 only for no work', () => {
    expect(quotaDaysOf(0, 5000)).toBe(0);
    expect(quotaDaysOf(1, 5000)).toBe(0.01);
    expect(quotaDaysOf(22_000, 5000)).toBe(4.4);
    expect(quotaDaysOf(5000, 5000)).toBe(1);
  });

  it('sameContentAs renames archive entries after the copy', () => {
    const first: ReportFile = {
      file: 'a/club.zip',
      fileName: 'club.zip',
      outcome: 'would-import',
      workoutIds: [],
      requests: 1,
      contentHash: hashOf('c'),
      entries: [
        { entry: 'club.zip!ride.fit', index: 0, outcome: 'would-import', requests: 1 },
        { entry: 'club.zip!notes.txt', outcome: 'skipped', requests: 0, reason: 'not a workout file this tool reads' },
      ],
    };
    const copy = sameContentAs(first, 'b/club-copy.zip');
    expect(copy.entries).toEqual([
      {
        entry: 'club-copy.zip!ride.fit',
        index: 0,
        outcome: 'duplicate',
        requests: 0,
        reason: 'the same content as a/club.zip',
        duplicateOf: { file: 'a/club.zip', fileName: 'club.zip', entry: 'club.zip!ride.fit' },
      },
    ]);
    expect(copy.contentHash).toBe(hashOf('c'));
  });
});
