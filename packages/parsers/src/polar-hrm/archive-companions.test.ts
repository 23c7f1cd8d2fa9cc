import { describe, expect, it } from 'vitest';
import { buildGpxBytes, buildHrmBytes, buildPddBytes, buildZip } from '@optimo-import/fixtures';
import type { GpxBuildOptions, HrmBuildOptions } from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { corpusFiles, readBytes } from '../../test/corpus.js';
import { parseFile, parseWorkout } from '../registry.js';
import type { EntryResult } from '../types.js';

// 09:00 in Berlin (CEST) is 07:00Z, the GPX builder's default start.
const BERLIN = { timeZone: 'Europe/Berlin' };
const hrmBytes = (options: HrmBuildOptions = {}): Uint8Array => buildHrmBytes({ durationSeconds: 600, start: '2024-05-01T09:00:00', ...options });
const gpxBytes = (options: GpxBuildOptions = {}): Uint8Array => buildGpxBytes({ durationSeconds: 600, sport: 'cycling', channels: { heartRate: false, cadence: false }, ...options });
const pddBytes = (): Uint8Array =>
  buildPddBytes({
    date: '2024-05-01',
    exercises: [
      { name: 'Hungerburg', note: 'Gegenwind', sportId: 2, startSeconds: 9 * 3600, totalSeconds: 600, hrmFile: '24050101.hrm', gpxFile: '24050101.gpx' },
      { name: 'Abendlauf', sportId: 1, startSeconds: 19 * 3600, totalSeconds: 600, hrmFile: '24050102.hrm' },
    ],
  });

const zip = (entries: Record<string, Uint8Array>): Uint8Array => buildZip(Object.entries(entries).map(([name, bytes]) => ({ name, bytes })));
const summary = (results: readonly EntryResult[]): [string, string, string][] =>
  results.map((r) => [r.name, r.status, r.status === 'ok' ? `${r.format} ×${r.workouts.length}` : r.status === 'skipped' ? r.reason : r.error.code]);
const only = (results: readonly EntryResult[], name: string): Workout => {
  const r = results.find((x) => x.name === name);
  if (r?.status !== 'ok') throw new Error(`${name} is not ok: ${JSON.stringify(r)}`);
  return r.workouts[0] as Workout;
};

describe('Polar companions inside a zip', () => {
  it('x.hrm, x.gpx and the day file become one workout: merged by time, named and sported from the .pdd', () => {
    const bytes = zip({ 'polar/24050101.hrm': hrmBytes({ laps: 2 }), 'polar/24050101.GPX': gpxBytes(), 'polar/20240501.pdd': pddBytes() });
    const results = parseFile(bytes, { fileName: 'export.zip', ...BERLIN });
    expect(summary(results)).toEqual([
      ['export.zip!polar/24050101.hrm', 'ok', 'polar-hrm ×1'],
      ['export.zip!polar/24050101.GPX', 'skipped', 'a Polar companion: merged into 24050101.hrm'],
      ['export.zip!polar/20240501.pdd', 'skipped', 'a Polar day file: read for 24050101.hrm'],
    ]);
    const w = only(results, 'export.zip!polar/24050101.hrm');
    expect(validateWorkout(w)).toEqual([]);
    expect(w).toMatchObject({ name: 'Hungerburg', notes: 'Gegenwind', sport: 'cycling', sourceSport: { sport: '2' }, startTime: Date.parse('2024-05-01T07:00:00Z') });
    expect(w.extras).toMatchObject({ 'companion-gpx': '24050101.GPX', 'companion-pdd': '20240501.pdd', 'pdd-exercise': 1 });
    expect(w.samples.latitudeDegrees?.every((v) => v !== undefined)).toBe(true);
    expect(w.laps).toHaveLength(2);
    expect(parseWorkout(bytes, { fileName: 'export.zip', ...BERLIN })).toHaveLength(1);
  });

  it('an .hrm alone (or with a GPX of another name or folder) is left as it was', () => {
    const hrm = hrmBytes();
    const alone = parseFile(hrm, { fileName: 'export.zip!24050101.hrm', ...BERLIN });
    const results = parseFile(zip({ '24050101.hrm': hrm, '24050102.gpx': gpxBytes(), 'other/24050101.gpx': gpxBytes() }), { fileName: 'export.zip', ...BERLIN });
    expect(summary(results)).toEqual([
      ['export.zip!24050101.hrm', 'ok', 'polar-hrm ×1'],
      ['export.zip!24050102.gpx', 'ok', 'gpx ×1'],
      ['export.zip!other/24050101.gpx', 'ok', 'gpx ×1'],
    ]);
    expect(results[0]).toEqual(alone[0]);
  });

  it('the day file alone names the exercise; one day file serves every HRM of its day', () => {
    const results = parseFile(zip({ '24050101.hrm': hrmBytes(), '24050102.hrm': hrmBytes({ start: '2024-05-01T19:00:00', extraParams: { ExerciseType: 'Running' } }), '20240501.pdd': pddBytes() }), {
      fileName: 'day.zip',
      ...BERLIN,
    });
    expect(summary(results)).toEqual([
      ['day.zip!24050101.hrm', 'ok', 'polar-hrm ×1'],
      ['day.zip!24050102.hrm', 'ok', 'polar-hrm ×1'],
      ['day.zip!20240501.pdd', 'skipped', 'a Polar day file: read for 24050101.hrm, 24050102.hrm'],
    ]);
    expect(only(results, 'day.zip!24050101.hrm')).toMatchObject({ name: 'Hungerburg', sport: 'cycling' });
    expect(only(results, 'day.zip!24050102.hrm')).toMatchObject({ name: 'Abendlauf', sport: 'running' });
    expect(only(results, 'day.zip!24050101.hrm').samples.latitudeDegrees).toBeUndefined();
  });

  it('a GPX that does not overlap the HRM is a workout of its own; the HRM says nothing was merged', () => {
    const results = parseFile(zip({ '24050101.hrm': hrmBytes(), '24050101.gpx': gpxBytes({ startTime: '2024-05-03T07:00:00Z' }) }), { fileName: 'a.zip', ...BERLIN });
    expect(summary(results).map(([, status]) => status)).toEqual(['ok', 'ok']);
    expect(only(results, 'a.zip!24050101.hrm').warnings.map((w) => w.code)).toContain('companion-no-overlap');
  });

  it('an HRM that does not parse leaves its GPX to import on its own', () => {
    const results = parseFile(zip({ '24050101.hrm': new TextEncoder().encode('[Params]\r\nVersion=106\r\n'), '24050101.gpx': gpxBytes() }), { fileName: 'a.zip', ...BERLIN });
    expect(summary(results)).toEqual([
      ['a.zip!24050101.hrm', 'failed', 'corrupt'],
      ['a.zip!24050101.gpx', 'ok', 'gpx ×1'],
    ]);
  });

  it('a day file that cannot be read: the HRM imports with a warning, the .pdd is skipped saying why', () => {
    const results = parseFile(zip({ '24050101.hrm': hrmBytes(), '20240501.pdd': new TextEncoder().encode('[DayInfo]\r\n99\t1\t1\t6\t0\t512\r\n20240501\t0\r\n') }), { fileName: 'a.zip', ...BERLIN });
    expect(summary(results)[1]).toEqual(['a.zip!20240501.pdd', 'skipped', 'a Polar day file (.pdd) that could not be read: not a readable Polar day file (.pdd): [DayInfo] is version 99, not 100']);
    expect(only(results, 'a.zip!24050101.hrm').warnings.map((w) => w.code)).toContain('companion-pdd-unreadable');
  });

  it('a day file on its own is named for what it is', () => {
    const [inZip] = parseFile(zip({ '20240501.pdd': pddBytes(), 'ride.gpx': gpxBytes() }), { fileName: 'a.zip' });
    expect(inZip).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^unsupported format: Polar day file \(\.pdd\) \(the day's index of exercises, no recording/) });
    const [alone] = parseFile(pddBytes(), { fileName: '20240501.pdd' });
    expect(alone).toMatchObject({ status: 'failed', error: { code: 'unknown-format', message: expect.stringMatching(/Polar day file \(\.pdd\)/) } });
  });

  it('the corpus day file names a built HRM of its exercise (23032101.hrm, 2023-03-21 16:19:04)', () => {
    const path = corpusFiles('hrm').find((f) => f.endsWith('.pdd'));
    if (!path) return console.warn('archive companions: ../shared/corpus/hrm is absent; skipped');
    const hrm = buildHrmBytes({ start: '2023-03-21T16:19:04', durationSeconds: 4950, channels: { speed: true, cycling: true } });
    const results = parseFile(zip({ 'ProTrainer/23032101.hrm': hrm, 'ProTrainer/20230321.pdd': readBytes(path) }), { fileName: 'pt.zip', timeZone: 'Europe/Vienna' });
    expect(summary(results)[1]).toEqual(['pt.zip!ProTrainer/20230321.pdd', 'skipped', 'a Polar day file: read for 23032101.hrm']);
    expect(only(results, 'pt.zip!ProTrainer/23032101.hrm')).toMatchObject({ name: 'Arzler Alm Trail', sport: 'cycling', energyKilocalories: 832 });
  });
});
