import { describe, expect, it } from 'vitest';
import { buildPolarJson, buildPolarJsonBytes, buildPolarXmlBytes, buildZip, planPolarJson } from '@optimo-import/fixtures';
import type { PolarJsonBuildOptions } from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { unzip } from './containers.js';
import { isParseError } from './errors.js';
import { parseIsoDuration, polarJsonParser } from './polar-json.js';
import type { EntryResult } from './registry.js';
import { skippedPattern, summarizeSkipped } from './skipped-summary.js';
import { contextFor, parseFailure, utf8 } from './test-polar.js';
import type { ParseContext } from './types.js';
import { DEFAULT_LIMITS } from './types.js';
import { fuzzSeeds } from '../test/fuzz-seeds.js';

function parse(bytes: Uint8Array, extra: Partial<ParseContext> = {}): Workout[] {
  expect(polarJsonParser.detect(bytes)).toBe(true);
  const workouts = polarJsonParser.parse(bytes, contextFor(bytes, extra));
  for (const w of workouts) expect(validateWorkout(w)).toEqual([]);
  return workouts;
}

const codes = (w: Workout): string[] => w.warnings.map((x) => x.code);
const warning = (w: Workout, code: string) => w.warnings.find((x) => x.code === code);

/** A ride with every stream and two laps, then a run with automatic laps, a lagging route and heart-rate samples without value. */
const SESSION: PolarJsonBuildOptions = {
  startTime: '2024-06-01T06:00:00Z',
  offsetMinutes: 120,
  deviceId: 'A1B2C3D4',
  note: 'brick',
  exercises: [
    { sport: 'CYCLING', durationSeconds: 300, laps: [100, 200], streams: ['heartRate', 'speed', 'cadence', 'altitude', 'distance', 'temperature', 'power'] },
    { sport: 'RUNNING', durationSeconds: 240, laps: 0, autoLaps: 2, routeLagMs: 801, missingValueEvery: 10, streams: ['heartRate', 'speed', 'cadence'] },
  ],
};

describe('polar-json: account-data training sessions', () => {
  const plan = planPolarJson(SESSION);
  const bytes = buildPolarJsonBytes(SESSION);
  const workouts = parse(bytes);
  const [ride, run] = workouts;

  it('makes one workout per exercise, grouped as one session', () => {
    expect(workouts).toHaveLength(2);
    workouts.forEach((w, i) => {
      expect(w.source).toMatchObject({ format: 'polar-json', index: i, count: 2 });
      expect(w.source.group).toEqual({ id: `sha256:${contextFor(bytes).sha256}#session`, index: i, size: 2 });
    });
    expect(workouts.map((w) => [w.sport, w.sourceSport.sport])).toEqual([
      ['cycling', 'CYCLING'],
      ['running', 'RUNNING'],
    ]);
    expect(ride).toMatchObject({ name: 'Laufen', notes: 'brick', device: { manufacturer: 'Polar', serial: 'A1B2C3D4' } });
  });

  it("reads local times with the file's offset (UTC = local − offset)", () => {
    workouts.forEach((w, i) => {
      expect(w.startTime).toBe(plan.exercises[i]!.startTime);
      expect(w.utcOffsetMinutes).toBe(120);
      expect(w.utcOffsetSource).toBe('file');
    });
    expect(buildPolarJson(SESSION)).toContain('"startTime": "2024-06-01T08:00:00.000"');
  });

  it('keeps the totals the file states', () => {
    workouts.forEach((w, i) => {
      const p = plan.exercises[i]!;
      expect(w.elapsedSeconds).toBe(p.durationSeconds);
      expect(w.distanceMeters).toBe(p.distanceMeters);
      expect(w.energyKilocalories).toBe(p.calories);
    });
    const hr = plan.exercises[0]!.points.map((p) => p.heartRateBpm);
    expect(ride!.summary.heartRateMaxBpm).toBe(Math.max(...hr));
    expect(ride!.summary.heartRateMinBpm).toBe(Math.min(...hr));
  });

  it('aligns every stream and the route on one time base, units converted', () => {
    const p = plan.exercises[0]!;
    const s = ride!.samples;
    expect(s.offsetSeconds).toEqual(p.points.map((pt) => pt.movingSeconds));
    expect(s.heartRateBpm).toEqual(p.values.heartRate);
    s.speedMetersPerSecond!.forEach((v, k) => expect(v).toBeCloseTo(p.values.speed![k]! / 3.6, 9));
    expect(s.cadencePerMinute).toEqual(p.values.cadence); // rpm on a bike
    expect(s.altitudeMeters).toEqual(p.values.altitude);
    expect(s.distanceMeters).toEqual(p.values.distance);
    expect(s.temperatureCelsius).toEqual(p.values.temperature);
    expect(s.powerWatts).toEqual(p.values.power);
    expect(s.latitudeDegrees).toEqual(p.points.map((pt) => pt.latitudeDegrees));
    expect(s.longitudeDegrees).toEqual(p.points.map((pt) => pt.longitudeDegrees));
  });

  it('places a lagging route on the sampling grid, with gaps where a stream has no sample', () => {
    const p = plan.exercises[1]!;
    const n = p.points.length;
    const s = run!.samples;
    // The route runs 0.801 s late: it rounds into the next second's row, and one row is added at the end.
    expect(s.offsetSeconds).toHaveLength(n + 1);
    expect(s.latitudeDegrees![0]).toBeUndefined();
    expect(s.latitudeDegrees!.slice(1)).toEqual(p.points.map((pt) => pt.latitudeDegrees));
    expect(s.heartRateBpm![n]).toBeUndefined();
    // No altitude stream: the route's altitude is used, a second late like the route.
    expect(s.altitudeMeters!.slice(1)).toEqual(p.points.map((pt) => pt.altitudeMeters));
    // No distance stream: computed from the route.
    expect(s.distanceMeters![n]).toBeGreaterThan(0);
  });

  it('doubles stride cadence on foot and reads samples without value as gaps', () => {
    const p = plan.exercises[1]!;
    expect(run!.samples.cadencePerMinute!.slice(0, 3)).toEqual(p.values.cadence!.slice(0, 3).map((v) => v! * 2));
    expect(run!.samples.heartRateBpm![9]).toBeUndefined();
    expect(run!.samples.heartRateBpm![10]).toBe(p.values.heartRate![10]);
    expect(warning(run!, 'sample-without-value')).toMatchObject({ count: 24 });
    expect(codes(run!)).toContain('cadence-doubled');
  });

  it('reads laps from splitTime − duration, and automatic laps when there are no others', () => {
    expect(ride!.laps.map((l) => [(l.startTime - ride!.startTime) / 1000, l.elapsedSeconds, l.trigger])).toEqual([
      [0, 100, 'manual'],
      [100, 200, 'manual'],
    ]);
    expect(ride!.laps.map((l) => l.distanceMeters)).toEqual(plan.exercises[0]!.laps.map((l) => l.distanceMeters));
    expect(ride!.laps.map((l) => l.summary.heartRateAvgBpm)).toEqual(plan.exercises[0]!.laps.map((l) => l.heartRateAvgBpm));
    expect(run!.laps.map((l) => [(l.startTime - run!.startTime) / 1000, l.elapsedSeconds, l.trigger])).toEqual([
      [0, 120, 'auto'],
      [120, 120, 'auto'],
    ]);
  });

  it('keeps laps over automatic laps when a file has both', () => {
    const [w] = parse(buildPolarJsonBytes({ durationSeconds: 60, laps: 2, autoLaps: 3 }));
    expect(w!.laps).toHaveLength(2);
    expect(warning(w!, 'auto-laps-not-kept')).toMatchObject({ count: 3 });
  });

  it("moves a stream recorded on another clock to the exercise's start", () => {
    const [w] = parse(buildPolarJsonBytes({ durationSeconds: 60, routeClockShiftSeconds: 4827.8 }));
    expect(w!.samples.offsetSeconds).toHaveLength(61);
    expect(w!.samples.latitudeDegrees!.every((v) => v !== undefined)).toBe(true);
    expect(warning(w!, 'stream-time-shifted')!.message).toMatch(/recordedRoute starts 4827\.8 s after the exercise start/);
  });

  it("uses the session's timeZoneOffset when the exercise has none", () => {
    const [w] = parse(buildPolarJsonBytes({ offsetMinutes: -300, exerciseOffset: false, startTime: '2024-01-05T15:00:00Z', durationSeconds: 30 }));
    expect(w!.startTime).toBe(Date.parse('2024-01-05T15:00:00Z'));
    expect(w!).toMatchObject({ utcOffsetMinutes: -300, utcOffsetSource: 'file' });
  });

  it('reads the start in the time zone option when the file gives no offset', () => {
    const json = buildPolarJson({ offsetMinutes: 60, exerciseOffset: false, startTime: '2024-01-05T15:00:00Z', durationSeconds: 30 }).replace(/"timeZoneOffset": 60,/, '');
    const [w] = parse(utf8(json), { timeZone: 'Europe/Lisbon' });
    expect(new Date(w!.startTime).toISOString()).toBe('2024-01-05T16:00:00.000Z'); // 16:00 local in Lisbon (UTC+0 in winter)
    expect(w!).toMatchObject({ utcOffsetMinutes: 0, utcOffsetSource: 'time-zone-option' });
  });

  it('imports a session without exercises from its own totals', () => {
    const session = JSON.parse(buildPolarJson({ durationSeconds: 60 })) as Record<string, unknown>;
    session.exercises = [];
    session.averageHeartRate = 140;
    const [w] = parse(utf8(JSON.stringify(session)));
    expect(w!).toMatchObject({ elapsedSeconds: 60, sport: 'running', samples: { offsetSeconds: [] } });
    expect(w!.summary.heartRateAvgBpm).toBe(140);
    expect(codes(w!)).toContain('session-without-exercises');
  });

  it('reads an unknown exportVersion as 1.x, with a warning', () => {
    const [w] = parse(utf8(buildPolarJson({ durationSeconds: 10, exportVersion: '2.0' })));
    expect(codes(w!)).toContain('export-version-unknown');
  });
});

describe('polar-json: errors name the file and what is wrong', () => {
  it.each([
    ['not JSON', '{"exportVersion": "1.3", "exercises": [ nope', 'corrupt', /not valid JSON/],
    ['cut short', buildPolarJson({ durationSeconds: 10 }).slice(0, 500), 'truncated', /not valid JSON/],
    ['an array', '[{"exercises": []}]', 'corrupt', /not a JSON object/],
    ['no start anywhere', '{"exportVersion": "1.3", "exercises": []}', 'no-data', /holds no exercises \(an exercise without a startTime\)/],
    ['exercises without a start', '{"exportVersion": "1.3", "exercises": [{"sport": "RUNNING"}, 7]}', 'no-data', /without a startTime; exercise 2 is not an object/],
  ])('%s', (_case, text, code, message) => {
    const error = parseFailure(polarJsonParser, utf8(text));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^\[polar-json\] test-file: /);
    expect(error.message).toMatch(message);
  });

  it('refuses a file over the size cap before JSON.parse', () => {
    const bytes = buildPolarJsonBytes({ durationSeconds: 60 });
    const error = parseFailure(polarJsonParser, bytes, contextFor(bytes, { limits: { maxFileBytes: 1000 } }));
    expect(error.code).toBe('too-large');
    expect(error.message).toMatch(/over the cap of 1000 B/);
  });

  it('refuses an exercise with more samples than maxSamples', () => {
    const bytes = buildPolarJsonBytes({ durationSeconds: 60 });
    const error = parseFailure(polarJsonParser, bytes, contextFor(bytes, { limits: { maxSamples: 30 } }));
    expect(error.code).toBe('too-large');
  });
});

describe('polar-json: detection', () => {
  const other = (o: unknown): Uint8Array => utf8(JSON.stringify(o, null, 2));
  it('claims training sessions (with a BOM, leading space or a key order of its own)', () => {
    expect(polarJsonParser.detect(buildPolarJsonBytes())).toBe(true);
    expect(polarJsonParser.detect(utf8(`\ufeff  ${buildPolarJson({ durationSeconds: 5 })}`))).toBe(true);
    expect(polarJsonParser.detect(utf8('{"exercises": [], "startTime": "2024-01-01T00:00:00.000"}'))).toBe(true);
  });

  it("does not claim the export's other files, other formats or noise", () => {
    const notSessions = [
      other({ exportVersion: '1.3', username: 'x', firstName: 'A', lastName: 'B', physicalInformations: [] }),
      other({ exportVersion: '1.6', date: '2021-02-28', summary: { startTime: '2021-02-28T00:00:00.000', endTime: '2021-03-01T00:00:00.000', stepCount: 9000 }, samples: { steps: [], mets: [] } }),
      other({ exportVersion: '1.0', night: '2021-02-28', sleepStartTime: '2021-02-28T23:00:00.000', sleepEndTime: '2021-03-01T07:00:00.000' }),
      other([{ exercises: [], startTime: '2021-02-28T00:00:00.000' }]),
      other({ name: 'training target', exercises: [{ phases: [] }] }),
      utf8('exercises startTime'),
      buildPolarXmlBytes(),
      new Uint8Array(0),
      Uint8Array.from({ length: 512 }, (_, i) => (i * 37) & 0xff),
    ];
    for (const bytes of notSessions) expect(polarJsonParser.detect(bytes)).toBe(false);
    const seeds = fuzzSeeds();
    for (const format of ['fit', 'tcx', 'gpx'] as const) for (const bytes of seeds[format] ?? []) expect(polarJsonParser.detect(bytes)).toBe(false);
  });
});

describe('polar-json: the whole export zip', () => {
  /** What the registry does with each zip entry (containers.ts + registry.ts): parse what a parser claims, skip the rest. */
  function importArchive(zip: Uint8Array): EntryResult[] {
    return unzip(zip, 'polar-user-data-export.zip', DEFAULT_LIMITS).map((entry): EntryResult => {
      const bytes = entry.bytes!;
      if (!polarJsonParser.detect(bytes)) return { name: entry.name, status: 'skipped', reason: 'not a workout file this tool reads' };
      try {
        return { name: entry.name, status: 'ok', format: 'polar-json', workouts: polarJsonParser.parse(bytes, contextFor(bytes, { fileName: entry.name })) };
      } catch (error) {
        if (isParseError(error)) return { name: entry.name, status: 'failed', format: 'polar-json', error };
        throw error;
      }
    });
  }

  it('imports every training session and counts the rest as skipped, by kind', () => {
    const json = (o: unknown): Uint8Array => utf8(JSON.stringify(o));
    const dir = 'polar-user-data-export_0f3c/';
    const zip = buildZip([
      { name: `${dir}account-data-0f3c9a.json`, bytes: json({ exportVersion: '1.3', username: 'runner' }) },
      { name: `${dir}training-session-2024-06-01-8392-0f3c.json`, bytes: buildPolarJsonBytes({ startTime: '2024-06-01T06:00:00Z', durationSeconds: 60 }) },
      { name: `${dir}activity-2024-06-01-1a2b.json`, bytes: json({ exportVersion: '1.6', date: '2024-06-01', samples: { steps: [] } }) },
      { name: `${dir}activity-2024-06-02-1a2c.json`, bytes: json({ exportVersion: '1.6', date: '2024-06-02', samples: { steps: [] } }) },
      { name: `${dir}training-session-2024-06-02-8393-0f3d.json`, bytes: buildPolarJsonBytes({ startTime: '2024-06-02T06:00:00Z', exercises: [{ durationSeconds: 30 }, { durationSeconds: 30, sport: 'CYCLING' }] }) },
      { name: `${dir}sleep-result-2024-06-01-77.json`, bytes: json({ exportVersion: '1.0', night: '2024-06-01' }) },
      { name: `${dir}user-profile.json`, bytes: json({ exportVersion: '1.0' }) },
    ]);
    const results = importArchive(zip);
    const ok = results.filter((r) => r.status === 'ok');
    expect(ok.map((r) => (r.status === 'ok' ? r.workouts.length : 0))).toEqual([1, 2]);
    expect(results.filter((r) => r.status === 'failed')).toEqual([]);
    const summary = summarizeSkipped(results);
    expect(summary.count).toBe(5);
    expect(summary.kinds).toEqual([
      { pattern: 'activity-*.json', count: 2 },
      { pattern: 'account-data-*.json', count: 1 },
      { pattern: 'sleep-result-*.json', count: 1 },
      { pattern: 'user-profile.json', count: 1 },
    ]);
    expect(summary.message).toBe('skipped 5 files that are not workouts: 2 activity-*.json, 1 account-data-*.json, 1 sleep-result-*.json, 1 user-profile.json');
  });

  it.each([
    ['export.zip!polar-user-data-export_x/training-session-2021-02-28-4711-abc.json', 'training-session-*.json'],
    ['a.zip!notes.txt', 'notes.txt'],
    ['a.zip!IMG_2041.JPG', 'IMG_*.JPG'],
    ['2021.json', '2021.json'],
  ])('skippedPattern(%j) = %j', (name, pattern) => {
    expect(skippedPattern(name)).toBe(pattern);
  });

  it('says so when nothing was skipped', () => {
    expect(summarizeSkipped([]).message).toBe('nothing was skipped');
  });
});

describe('polar-json: ISO 8601 durations', () => {
  it.each([
    ['PT2754.128S', 2754.128],
    ['PT1H2M3S', 3723],
    ['P1DT2H', 93600],
    ['PT0S', 0],
    ['PT', NaN],
    ['P', NaN],
    ['PT-5S', NaN],
    ['3600', NaN],
    [42, NaN],
  ])('parseIsoDuration(%j) = %d', (text, seconds) => {
    expect(parseIsoDuration(text)).toBe(seconds);
  });
});
