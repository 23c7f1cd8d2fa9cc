import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCell, toReportCsv } from './report-csv.js';
import { buildReport } from './report.js';
import { ACCOUNT, csvRecords, jobOf, parseCsv, sampleRun } from './test-reports.js';

const report = buildReport({ migration: 'm-1', account: ACCOUNT, athleteId: '42', startedAt: 0, endedAt: 1000, files: sampleRun() });

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r\nlf', '"cr\r\nlf"'],
    [42, '42'],
    [undefined, ''],
    ['', ''],
  ])('%j → %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1 555', "'+1 555"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tindent', "'\tindent"],
    ['\rreturn', `"'\rreturn"`],
    ['a=b', 'a=b'],
  ])('guards a formula: %j → %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

describe('toReportCsv', () => {
  const text = toReportCsv(report);
  const records = csvRecords(text);

  it('is RFC 4180 with a BOM: CRLF line ends, a header, every row as wide as the header', () => {
    expect(text.startsWith('\uFEFFfile,entry,file_outcome,outcome,workout_id,')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    // Outside quoted fields, every line break is CRLF.
    expect(text.replace(/"(?:[^"]|"")*"/g, '').match(/(?<!\r)\n/)).toBeNull();
    expect(parseCsv(text.slice(1))[0]).toEqual([...CSV_COLUMNS]);
  });

  it('has one row per workout, and one for every file or entry without one', () => {
    expect(records.map((r) => [r.file, r.entry, r.file_outcome, r.outcome, r.workout_id])).toEqual([
      ['in/ride.fit', '', 'imported', 'uploaded', '8812'],
      ['in/ride.fit', '', 'imported', 'uploaded', '8813'],
      ['in/ride.tcx', '', 'duplicate', 'duplicate', ''],
      ['in/club, "october".zip', 'tempo.tcx', 'partial', 'uploaded', '8814'],
      ['in/club, "october".zip', 'broken.fit', 'partial', 'failed', ''],
      ['in/club, "october".zip', 'notes.txt', 'partial', 'skipped', ''],
      ['in/hike.gpx', '', 'failed', 'failed', ''],
      ['in/later.fit', '', 'waiting', 'waiting', ''],
      ['in/gone.fit', '', 'failed', 'failed', ''],
      ['in/copy/ride.fit', '', 'duplicate', 'duplicate', ''],
      ['in/copy/ride.fit', '', 'duplicate', 'duplicate', ''],
      ['in/copy/hike.gpx', '', 'failed', 'failed', ''],
    ]);
  });

  it('the requests column sums to the report total (a file\'s unattributed requests on its first row)', () => {
    expect(records.map((r) => Number(r.requests))).toEqual([2, 1, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0]);
    expect(records.reduce((sum, r) => sum + Number(r.requests), 0)).toBe(report.totals.requests);
  });

  it('names what a duplicate duplicates and the workout holding it', () => {
    expect(records[2]).toMatchObject({ duplicate_of: 'in/ride.fit', duplicate_of_workout_id: '8812', reason: 'the same recording as ride.fit', job_id: jobOf('b') });
    expect(records[9]).toMatchObject({ duplicate_of: 'in/ride.fit', duplicate_of_workout_id: '8812', reason: 'the same content as in/ride.fit' });
    expect(records[10]).toMatchObject({ duplicate_of_workout_id: '8813' });
  });

  it('carries start, sport, fingerprint, external id, code and reason; a formula in a reason is defused', () => {
    expect(records[1]).toMatchObject({ start_time: '2026-10-03T07:40:00.000Z', sport: 'running', fingerprint: '2026-10-03T07:40:00Z/900', external_id: 'fit:1:2#1', job_id: jobOf('a') });
    expect(records[4]).toMatchObject({ code: 'corrupt', reason: '[fit] club, "october".zip!broken.fit byte 12: the header is corrupt' });
    expect(records[6]?.reason).toBe("'=cmd|calc: the server refused the workout (40030)");
    expect(records[7]?.reason).toBe('held by the quota until 2026-10-21T00:00:00+01:00');
    expect(records[8]).toMatchObject({ code: 'not-found', reason: 'no such file or folder', job_id: '' });
  });

  it('survives file names with commas, quotes and line breaks', () => {
    const odd = 'in/we,"ird"\nname.gpx';
    const r = buildReport({ migration: 'm', athleteId: '1', startedAt: 0, endedAt: 0, files: [{ path: odd, problem: { code: 'unreadable', message: 'EACCES, "denied"' } }] });
    expect(csvRecords(toReportCsv(r))).toEqual([expect.objectContaining({ file: odd, reason: 'EACCES, "denied"', outcome: 'failed' })]);
  });
});
