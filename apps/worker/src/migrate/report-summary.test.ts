import { describe, expect, it } from 'vitest';
import { buildReport } from './report.js';
import type { ReportFile } from './report.js';
import { formatSummary, plural } from './report-summary.js';
import { ACCOUNT, sampleRun } from './test-reports.js';

describe('formatSummary', () => {
  it('a real run: state, counts, requests, what is left and the files that need attention', () => {
    const r = buildReport({ migration: 'm-1', account: ACCOUNT, athleteId: '42', startedAt: 0, endedAt: 1000, interrupted: true, files: sampleRun() });
    expect(formatSummary(r)).toEqual([
      'Migration m-1 for athlete 42 (account riverside): interrupted at 1970-01-01T00:00:01.000Z',
      '8 files: 1 imported, 2 duplicates, 1 partial, 3 failed, 1 waiting',
      '3 workouts in Optimo Sport, 6 requests used',
      '1 file still to do: run the same command again to go on where this run stopped',
      'Files that failed (in part or in full):',
      '  partial  in/club, "october".zip  corrupt: [fit] club, "october".zip!broken.fit byte 12: the header is corrupt',
      '  failed  in/hike.gpx  invalid-value: =cmd|calc: the server refused the workout (40030)',
      '  failed  in/gone.fit  not-found: no such file or folder',
      '  failed  in/copy/hike.gpx  invalid-value: the same content as in/hike.gpx, which failed: =cmd|calc: the server refused the workout (40030)',
    ]);
    expect(formatSummary(r, { maxListed: 1 }).slice(-2)).toEqual(['  partial  in/club, "october".zip  corrupt: [fit] club, "october".zip!broken.fit byte 12: the header is corrupt', '  … and 3 more (see the report)']);
  });

  it('a complete run says so and lists nothing when nothing failed', () => {
    const r = buildReport({ migration: 'm-2', account: ACCOUNT, athleteId: '42', startedAt: 0, endedAt: 1000, files: sampleRun().slice(0, 2) });
    expect(formatSummary(r)).toEqual([
      'Migration m-2 for athlete 42 (account riverside): complete',
      '2 files: 1 imported, 1 duplicate, 0 partial, 0 failed, 0 waiting',
      '2 workouts in Optimo Sport, 3 requests used',
    ]);
  });

  it('a dry run speaks in conditionals and gives the days of quota', () => {
    const rows: ReportFile[] = Array.from({ length: 20_000 }, (_, i) => ({
      file: `f${i}.fit`,
      fileName: `f${i}.fit`,
      outcome: i < 19_999 ? 'would-import' : 'would-fail',
      workoutIds: [],
      requests: i < 19_999 ? (i % 10 === 0 ? 2 : 1) : 0,
      code: i < 19_999 ? undefined : 'corrupt',
      reason: i < 19_999 ? undefined : '[fit] f19999.fit byte 14: bad header',
      entries: [],
    }));
    const r = buildReport({ migration: 'dry', athleteId: '42', startedAt: 0, endedAt: 0, dryRun: { files: rows, dailyLimit: 5000 } });
    expect(formatSummary(r)).toEqual([
      'Dry run of migration dry for athlete 42: nothing was sent, no quota used',
      '20,000 files: 19,999 would be imported, 0 duplicates, 0 partial, 1 would fail',
      '0 workouts to upload, 21,999 requests: 4.4 days of quota at 5,000 a day',
      'Files that would fail (in part or in full):',
      '  would-fail  f19999.fit  corrupt: [fit] f19999.fit byte 14: bad header',
    ]);
  });

  it('plural', () => {
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(0, 'file')).toBe('0 files');
    expect(plural(12_345, 'day')).toBe('12,345 days');
  });
});
