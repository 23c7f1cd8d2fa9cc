import { Decoder, Stream } from '@garmin/fitsdk';
import { ALL_FIT_CHANNELS, buildFitActivity, buildTwelveHourRide, FIT_SAMPLE_VALUES as V, planFitActivity, toFitSeconds } from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { describe, expect, it } from 'vitest';
import { parseFailure, parseFit, single, warningCodes } from './test-helpers.js';
import { mapSport } from './workouts.js';

const START = Date.UTC(2024, 4, 1, 7, 0, 0);

function valid(w: Workout): Workout {
  expect(validateWorkout(w)).toEqual([]);
  return w;
}

describe('fit parser: one session', () => {
  it('imports the file totals, samples, device and ids', () => {
    const plan = planFitActivity({ durationSeconds: 600 });
    const w = valid(single(parseFit(buildFitActivity({ durationSeconds: 600 }), { fileName: 'ride.fit' })));
    const session = plan.sessions[0];
    expect(w.sport).toBe('cycling');
    expect(w.sourceSport).toEqual({ sport: 'cycling', subSport: 'generic' });
    expect(w.startTime).toBe(START);
    expect(w.elapsedSeconds).toBe(600);
    expect(w.movingSeconds).toBe(600);
    expect(w.distanceMeters).toBe(3270);
    expect(w.distanceMeters).toBe(session?.distance);
    expect(w.energyKilocalories).toBe(100);
    expect(w.summary.heartRateAvgBpm).toBe(session?.avgHeartRate);
    expect(w.summary.speedAvgMetersPerSecond).toBe(5.45);
    expect(w.samples.offsetSeconds).toHaveLength(600);
    expect(w.samples.offsetSeconds[123]).toBe(123);
    expect(w.samples.heartRateBpm?.[123]).toBe(V.heartRate(123));
    expect(w.samples.speedMetersPerSecond?.[123]).toBe(V.speed(123));
    expect(w.samples.distanceMeters?.[2]).toBe(V.speed(0) + V.speed(1));
    expect(w.device).toEqual({ manufacturer: 'development', product: '1', serial: '1234567890', software: '3.20' });
    expect(w.externalId).toBe(`fit:1234567890:${toFitSeconds(START)}`);
    expect(w.source).toMatchObject({ format: 'fit', fileName: 'ride.fit', index: 0, count: 1 });
    expect(w.source.group).toBeUndefined();
    expect(w.laps).toHaveLength(1);
    expect(w.laps[0]).toMatchObject({ startTime: START, elapsedSeconds: 600, distanceMeters: 3270, trigger: 'manual' });
    expect(w.warnings).toEqual([]);
  });

  it('reads every channel with its scale', () => {
    const w = valid(single(parseFit(buildFitActivity({ channels: ALL_FIT_CHANNELS, durationSeconds: 120 }))));
    const t = 77;
    expect(w.samples.cadencePerMinute?.[t]).toBe(V.cadence(t));
    expect(w.samples.powerWatts?.[t]).toBe(V.power(t));
    expect(w.samples.altitudeMeters?.[t]).toBeCloseTo(V.altitude(t), 9);
    expect(w.samples.latitudeDegrees?.[t]).toBeCloseTo(V.latitude(t), 6);
    expect(w.samples.longitudeDegrees?.[t]).toBeCloseTo(V.longitude(t), 6);
    expect(w.samples.temperatureCelsius?.[t]).toBe(V.temperature(t));
  });

  it('takes pauses from timer events and moving time from the timer', () => {
    const w = valid(single(parseFit(buildFitActivity({ pauses: [{ startSeconds: 100, durationSeconds: 60 }, { startSeconds: 400, durationSeconds: 30 }] }))));
    expect(w.elapsedSeconds).toBe(600);
    expect(w.movingSeconds).toBe(510);
    expect(w.pauses).toEqual([
      { startOffsetSeconds: 100, durationSeconds: 60 },
      { startOffsetSeconds: 400, durationSeconds: 30 },
    ]);
    expect(w.samples.offsetSeconds).toHaveLength(600 - 59 - 29);
    expect(w.samples.offsetSeconds.slice(99, 103)).toEqual([99, 100, 160, 161]);
  });

  it('gives steps per minute on foot and rpm on a bike or rower', () => {
    const run = valid(single(parseFit(buildFitActivity({ sport: 'running', channels: ['cadence'], fractionalCadence: 0.5, durationSeconds: 60 }))));
    expect(run.samples.cadencePerMinute?.[3]).toBe(2 * (V.cadence(3) + 0.5));
    expect(run.summary.cadenceAvgPerMinute).toBe(2 * (planFitActivity({ channels: ['cadence'], durationSeconds: 60 }).sessions[0]?.avgCadence ?? 0));
    const walk = single(parseFit(buildFitActivity({ sport: 'walking', channels: ['cadence'], durationSeconds: 30 })));
    expect(walk.samples.cadencePerMinute?.[0]).toBe(160);
    const ride = single(parseFit(buildFitActivity({ sport: 'cycling', channels: ['cadence'], durationSeconds: 30 })));
    expect(ride.samples.cadencePerMinute?.[0]).toBe(80);
    const row = single(parseFit(buildFitActivity({ sport: 'fitness_equipment', subSport: 'indoor_rowing', channels: ['cadence'], durationSeconds: 30 })));
    expect(row.sport).toBe('rowing');
    expect(row.sourceSport).toEqual({ sport: 'fitness_equipment', subSport: 'indoor_rowing' });
    expect(row.samples.cadencePerMinute?.[0]).toBe(80);
  });

  it('maps lap triggers and keeps lap totals', () => {
    const triggers = { manual: 'manual', time: 'time', distance: 'distance', position_lap: 'position', session_end: 'session_end', fitness_equipment: 'auto' };
    for (const [fit, ours] of Object.entries(triggers)) {
      const w = single(parseFit(buildFitActivity({ laps: 3, lapTrigger: fit, durationSeconds: 300 })));
      expect(w.laps.map((l) => l.trigger)).toEqual([ours, ours, ours]);
    }
    const plan = planFitActivity({ laps: [100, 200, 300], channels: ['hr', 'speed', 'distance'] });
    const w = valid(single(parseFit(buildFitActivity({ laps: [100, 200, 300] }))));
    expect(w.laps.map((l) => [(l.startTime - START) / 1000, l.elapsedSeconds, l.distanceMeters, l.summary.heartRateAvgBpm])).toEqual(
      plan.sessions[0]?.laps.map((l) => [l.startFit - plan.startFit, l.elapsed, l.distance, l.avgHeartRate]),
    );
  });

  it('maps lap intensity: rest and recovery laps are rests', () => {
    const w = single(parseFit(buildFitActivity({ laps: 5, lapIntensities: ['warmup', 'active', 'recovery', 'interval', 'rest'], durationSeconds: 300 })));
    expect(w.laps.map((l) => l.intensity)).toEqual(['active', 'active', 'rest', 'active', 'rest']);
  });

  it('reads the same file whether summaries come first or last', () => {
    const last = single(parseFit(buildFitActivity({ laps: 2, pauses: [{ startSeconds: 50, durationSeconds: 10 }] })));
    const first = single(parseFit(buildFitActivity({ laps: 2, pauses: [{ startSeconds: 50, durationSeconds: 10 }], summaryFirst: true })));
    expect(first).toEqual(last);
  });

  it('counts pool lengths per lap, active and idle', () => {
    const pool = { poolLengthMeters: 25, lengthsPerLap: 2, lengths: [{ durationSeconds: 30 }, { durationSeconds: 28 }, { durationSeconds: 20, idle: true }, { durationSeconds: 31 }] };
    const w = valid(single(parseFit(buildFitActivity({ pool }))));
    expect(w.sport).toBe('swimming');
    expect(w.sourceSport).toEqual({ sport: 'swimming', subSport: 'lap_swimming' });
    expect(w.elapsedSeconds).toBe(109);
    expect(w.distanceMeters).toBe(75);
    expect(w.laps.map((l) => l.lengths)).toEqual([2, 1]);
    expect(w.extras).toMatchObject({ 'lengths-active': 3, 'lengths-idle': 1, 'pool-length-meters': 25 });
    expect(w.samples.distanceMeters).toEqual([25, 50, 75]);
  });
});

describe('fit parser: multisport', () => {
  const sessions = [
    { sport: 'swimming', subSport: 'open_water', durationSeconds: 300 },
    { sport: 'transition', durationSeconds: 60 },
    { sport: 'cycling', durationSeconds: 600, laps: 2 },
  ];

  it('makes one workout per session, grouped', () => {
    const plan = planFitActivity({ sessions });
    const workouts = parseFit(buildFitActivity({ sessions }));
    expect(workouts.map((w) => w.sport)).toEqual(['swimming', 'multisport', 'cycling']);
    expect(workouts.map((w) => w.sourceSport.sport)).toEqual(['swimming', 'transition', 'cycling']);
    const group = workouts[0]?.source.group;
    expect(group?.size).toBe(3);
    expect(workouts.map((w) => w.source.group)).toEqual([0, 1, 2].map((index) => ({ id: group?.id, index, size: 3 })));
    expect(workouts.map((w) => (w.startTime - START) / 1000)).toEqual([0, 300, 360]);
    expect(workouts.map((w) => w.elapsedSeconds)).toEqual([300, 60, 600]);
    expect(workouts.map((w) => w.distanceMeters)).toEqual(plan.sessions.map((s) => s.distance));
    expect(workouts.map((w) => w.laps.length)).toEqual([1, 1, 2]);
    expect(workouts.map((w) => w.samples.offsetSeconds.length)).toEqual([300, 60, 600]);
    expect(new Set(workouts.map((w) => w.externalId)).size).toBe(3);
    for (const w of workouts) valid(w);
  });

  it('assigns laps by time when sessions do not index them', () => {
    const workouts = parseFit(buildFitActivity({ sessions, session: { firstLapIndex: undefined, numLaps: undefined } }));
    expect(workouts.map((w) => w.laps.length)).toEqual([1, 1, 2]);
    expect(workouts[2]?.laps.map((l) => (l.startTime - START) / 1000)).toEqual([360, 660]);
  });

  it('restarts cumulative distance at each session', () => {
    const workouts = parseFit(buildFitActivity({ sessions }));
    const bike = workouts[2];
    expect(bike?.samples.distanceMeters?.[0]).toBeLessThan(10);
    expect(bike?.samples.distanceMeters?.at(-1)).toBeCloseTo((bike?.distanceMeters ?? 0) - V.speed(959), 6);
  });
});

describe('fit parser: repairs', () => {
  it('replaces a session total of 0 s or 27 days by the records span and the timer', () => {
    for (const totalElapsedTime of [0, 27 * 86400]) {
      const w = valid(single(parseFit(buildFitActivity({ session: { totalElapsedTime }, durationSeconds: 3600 }))));
      expect([w.elapsedSeconds, w.movingSeconds]).toEqual([3600, 3600]);
      expect(warningCodes(w)).toContain('session-total-repaired');
    }
    const noTimer = valid(single(parseFit(buildFitActivity({ session: { totalElapsedTime: 0, totalTimerTime: undefined }, durationSeconds: 3600 }))));
    expect([noTimer.elapsedSeconds, noTimer.movingSeconds]).toEqual([3599, undefined]);
    const shorterThanTimer = valid(single(parseFit(buildFitActivity({ session: { totalElapsedTime: 1632 }, durationSeconds: 2760 }))));
    expect(shorterThanTimer.elapsedSeconds).toBe(2760);
  });

  it('drops a few records past the session end but keeps the stated total', () => {
    const w = valid(single(parseFit(buildFitActivity({ session: { totalElapsedTime: 900, totalTimerTime: 900 }, durationSeconds: 1000 }))));
    expect(w.elapsedSeconds).toBe(900);
    expect(w.samples.offsetSeconds.at(-1)).toBe(960);
    expect(w.warnings.find((x) => x.code === 'sample-after-end')?.count).toBe(39);
  });

  it('builds a workout from the records when there is no session', () => {
    const w = valid(single(parseFit(buildFitActivity({ omitSession: true, laps: 2, durationSeconds: 300 }))));
    expect(warningCodes(w)).toContain('no-session');
    expect(w.sport).toBe('cycling');
    expect(w.startTime).toBe(START);
    expect(w.elapsedSeconds).toBe(300);
    expect(w.laps).toHaveLength(2);
    expect(w.distanceMeters).toBe(w.samples.distanceMeters?.at(-1));
  });

  it('merges hr messages into the records as the Garmin SDK does', () => {
    const file = buildFitActivity({ hrMessages: true, durationSeconds: 120, pauses: [{ startSeconds: 40, durationSeconds: 20 }] });
    const w = valid(single(parseFit(file)));
    const sdk = new Decoder(Stream.fromByteArray(file)).read({ mergeHeartRates: true }).messages.recordMesgs ?? [];
    expect(sdk.length).toBe(w.samples.offsetSeconds.length);
    expect(w.samples.heartRateBpm).toEqual(sdk.map((r) => r.heartRate ?? undefined));
    expect(w.samples.heartRateBpm?.[10]).toBe(Math.round((3 * V.heartRate(9) + V.heartRate(10)) / 4));
    expect(w.warnings).toEqual([]);
  });
});

describe('fit parser: what the file says about itself', () => {
  it('rejects files that are not activities, naming what they are', () => {
    const course = parseFailure(buildFitActivity({ fileType: 'course' }), { fileName: 'route.fit' });
    expect(course.code).toBe('unsupported-variant');
    expect(course.message).toBe('[fit] route.fit byte 0: this is a course file, not an activity');
    expect(parseFailure(buildFitActivity({ fileType: 'workout' })).message).toContain('workout file');
    expect(parseFailure(buildFitActivity({ fileType: 'monitoring_b' })).message).toContain('monitoring');
  });

  it('takes the UTC offset from activity.local_timestamp only when plausible', () => {
    const east = single(parseFit(buildFitActivity({ localOffsetMinutes: 120 })));
    expect([east.utcOffsetMinutes, east.utcOffsetSource]).toEqual([120, 'file']);
    const india = single(parseFit(buildFitActivity({ localOffsetMinutes: 330 })));
    expect(india.utcOffsetMinutes).toBe(330);
    for (const odd of [37, 15 * 60 + 15, -(toFitSeconds(START) + 600) / 60]) {
      const w = single(parseFit(buildFitActivity({ localOffsetMinutes: odd })));
      expect(w.utcOffsetMinutes).toBeUndefined();
      expect(w.utcOffsetSource).toBe('none');
      expect(warningCodes(w)).toContain('utc-offset-ignored');
    }
  });

  it('imports a file whose clock was never set, with a warning', () => {
    const start = Date.UTC(1990, 6, 18, 6, 44, 24);
    const w = valid(single(parseFit(buildFitActivity({ startTime: start }))));
    expect(w.startTime).toBe(start);
    expect(warningCodes(w)).toContain('clock-not-set');
  });

  it('names the recording only when file_id has serial and time_created', () => {
    expect(single(parseFit(buildFitActivity({ serialNumber: null }))).externalId).toMatch(/^sha256:f{64}$/);
    expect(single(parseFit(buildFitActivity({ timeCreated: null }))).externalId).toMatch(/^sha256:/);
  });

  it('names devices from the manufacturer and garmin_product tables', () => {
    const edge = single(parseFit(buildFitActivity({ manufacturer: 'garmin', product: 3570, softwareVersion: 12.5 })));
    expect(edge.device).toMatchObject({ manufacturer: 'garmin', product: 'edge1030_plus', software: '12.50' });
    const wahoo = single(parseFit(buildFitActivity({ manufacturer: 'wahoo_fitness', product: 28 })));
    expect(wahoo.device).toMatchObject({ manufacturer: 'wahoo_fitness', product: '28' });
  });

  it('reads Timex local time as local in the given zone', () => {
    const w = valid(single(parseFit(buildFitActivity({ manufacturer: 'timex' }), { timeZone: 'Europe/Paris' })));
    expect(w.startTime).toBe(START - 2 * 3600_000);
    expect([w.utcOffsetMinutes, w.utcOffsetSource]).toEqual([120, 'time-zone-option']);
    expect(w.laps[0]?.startTime).toBe(w.startTime);
    expect(warningCodes(w)).toContain('timex-local-time');
  });

  it('keeps developer fields readable in extras', () => {
    const w = valid(single(parseFit(buildFitActivity({ developerFields: {}, durationSeconds: 10 }))));
    expect(w.extras).toEqual({ 'dev:Doughnuts Earned': '1.5 doughnuts', 'dev:Form Power': 'avg 54.5 Watts, min 50, max 59 (10 samples)' });
    const noApp = single(parseFit(buildFitActivity({ developerFields: { withoutApplicationId: true }, durationSeconds: 10 })));
    expect(noApp.extras?.['dev:Form Power']).toBeDefined();
  });

  it('keeps a developer field named like a native one apart from the native channel', () => {
    const w = valid(single(parseFit(buildFitActivity({ developerFields: { recordFieldName: 'Power', sessionFieldName: 'Power' }, channels: ['power'], durationSeconds: 10 }))));
    expect(w.samples.powerWatts?.[3]).toBe(V.power(3));
    expect(w.extras).toEqual({ 'dev:Power': '1.5 doughnuts', 'dev:Power (0.0)': 'avg 54.5 Watts, min 50, max 59 (10 samples)' });
  });
});

describe('fit parser: sports', () => {
  it('maps FIT sport and sub-sport names to Optimo sports', () => {
    const cases: [string | undefined, string | undefined, string][] = [
      ['running', 'trail', 'running'],
      ['cycling', 'virtual_activity', 'cycling'],
      ['e_biking', undefined, 'cycling'],
      ['fitness_equipment', 'indoor_rowing', 'rowing'],
      ['fitness_equipment', 'treadmill', 'running'],
      ['fitness_equipment', 'elliptical', 'other'],
      ['training', 'strength_training', 'strength'],
      ['transition', 'generic', 'multisport'],
      ['swimming', 'lap_swimming', 'swimming'],
      ['stand_up_paddleboarding', undefined, 'rowing'],
      ['cross_country_skiing', undefined, 'skiing'],
      ['hiking', undefined, 'hiking'],
      ['motorcycling', undefined, 'other'],
      ['generic', 'generic', 'other'],
      ['200', undefined, 'other'],
      [undefined, undefined, 'other'],
    ];
    for (const [sport, subSport, expected] of cases) expect([sport, subSport, mapSport(sport, subSport)]).toEqual([sport, subSport, expected]);
  });
});

describe('fit parser: the 12-hour ride', () => {
  it('reads 43,200 records with every channel', () => {
    const file = buildTwelveHourRide();
    const started = performance.now();
    const w = valid(single(parseFit(file)));
    const ms = performance.now() - started;
    expect(w.samples.offsetSeconds).toHaveLength(43_200);
    expect(Object.keys(w.samples).sort()).toEqual(
      ['offsetSeconds', 'heartRateBpm', 'speedMetersPerSecond', 'cadencePerMinute', 'powerWatts', 'altitudeMeters', 'latitudeDegrees', 'longitudeDegrees', 'distanceMeters', 'temperatureCelsius'].sort(),
    );
    expect(w.elapsedSeconds).toBe(43_200);
    expect(w.laps).toHaveLength(12);
    expect(ms).toBeLessThan(2000);
  });
});
