import { describe, expect, it } from 'vitest';
import { buildFitActivity, buildGpxBytes, buildPwx, buildPwxBytes, buildTcxBytes, planPwx } from '@optimo-import/fixtures';
import type { PwxBuildOptions, PwxPlannedWorkout } from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { isParseError } from './errors.js';
import type { ParseError } from './errors.js';
import { resolveLocalStart } from './local-time.js';
import { pwxParser } from './pwx.js';
import { DEFAULT_LIMITS } from './types.js';
import type { ParseContext } from './types.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const ctx = (extra: Partial<ParseContext> = {}): ParseContext => ({ sha256: 'f'.repeat(64), limits: DEFAULT_LIMITS, fileName: 'test.pwx', timeZone: 'UTC', ...extra });
const codes = (w: Workout | undefined): string[] => w?.warnings.map((x) => x.code) ?? [];

function parse(input: string | Uint8Array, extra: Partial<ParseContext> = {}): Workout[] {
  const workouts = pwxParser.parse(typeof input === 'string' ? bytes(input) : input, ctx(extra));
  for (const w of workouts) expect(validateWorkout(w)).toEqual([]);
  return workouts;
}

function failure(input: string, extra: Partial<ParseContext> = {}): ParseError {
  try {
    pwxParser.parse(bytes(input), ctx(extra));
  } catch (error) {
    if (isParseError(error)) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

const doc = (workouts: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<pwx xmlns="http://www.peaksware.com/PWX/1/0" version="1.0" creator="test">${workouts}</pwx>`;
const sample = (t: number | string, values = ''): string => `<sample><timeoffset>${t}</timeoffset>${values}</sample>`;
const workout = (body: string, time = '2024-05-01T07:00:00', sport = 'Run'): string => `<workout><sportType>${sport}</sportType><time>${time}</time>${body}</workout>`;

/** The parsed samples match the planned ones exactly, channel by channel. */
function expectSamples(w: Workout, plan: PwxPlannedWorkout, channels: Partial<Record<keyof Workout['samples'], 'hr' | 'spd' | 'pwr' | 'cad' | 'dist' | 'lat' | 'lon' | 'alt' | 'temp'>>): void {
  expect(w.samples.offsetSeconds).toEqual(plan.samples.map((s) => s.timeoffset));
  for (const [channel, key] of Object.entries(channels)) {
    expect(w.samples[channel as 'heartRateBpm'], channel).toEqual(plan.samples.map((s) => s[key as 'hr']));
  }
}

describe('pwxParser.detect', () => {
  it('claims the pwx root in the Peaksware namespace, or in none', () => {
    for (const style of ['global-trainer', 'race-trainer', 'run-trainer', 'ipbike'] as const) expect(pwxParser.detect(buildPwxBytes({ style, durationSeconds: 10 }))).toBe(true);
    expect(pwxParser.detect(buildPwxBytes({ bom: true, leadingWhitespace: '\n ' }))).toBe(true);
    expect(pwxParser.detect(bytes('<?xml version="1.0"?><pwx version="1.0"><workout/></pwx>'))).toBe(true);
    const utf16 = new Uint8Array([0xff, 0xfe, ...Array.from(Buffer.from(buildPwx({ durationSeconds: 4 }), 'utf16le'))]);
    expect(pwxParser.detect(utf16)).toBe(true);
  });

  it('refuses other roots, other namespaces, other formats and noise', () => {
    expect(pwxParser.detect(bytes('<pwx xmlns="http://example.com/not-peaksware"><workout/></pwx>'))).toBe(false);
    expect(pwxParser.detect(bytes('<pwxx xmlns="http://www.peaksware.com/PWX/1/0"/>'))).toBe(false);
    expect(pwxParser.detect(bytes('<gpx creator="http://www.peaksware.com/PWX/1/0"/>'))).toBe(false);
    for (const other of [buildFitActivity({ durationSeconds: 10 }), buildTcxBytes({ durationSeconds: 10 }), buildGpxBytes({ durationSeconds: 10 })]) expect(pwxParser.detect(other)).toBe(false);
    for (const noise of [new Uint8Array(0), new Uint8Array(3), Uint8Array.from({ length: 512 }, (_, i) => (i * 37) & 0xff)]) expect(pwxParser.detect(noise)).toBe(false);
  });
});

describe('buildPwx → pwxParser: every writer round-trips', () => {
  it('Timex Global Trainer: laps, GPS, speed, ascent from the workout extension, local time in the given zone', () => {
    const options: PwxBuildOptions = { style: 'global-trainer', durationSeconds: 600, laps: 5 };
    const plan = planPwx(options).workouts[0] as PwxPlannedWorkout;
    const [w] = parse(buildPwx(options), { timeZone: 'Europe/Lisbon' }) as [Workout];
    expect(w.sport).toBe('cycling');
    expect(new Date(w.startTime).toISOString()).toBe('2024-05-01T06:00:00.000Z'); // 07:00 in Lisbon (+01:00 in May)
    expect([w.utcOffsetMinutes, w.utcOffsetSource]).toEqual([60, 'time-zone-option']);
    expectSamples(w, plan, { heartRateBpm: 'hr', speedMetersPerSecond: 'spd', latitudeDegrees: 'lat', longitudeDegrees: 'lon', altitudeMeters: 'alt' });
    expect(w.elapsedSeconds).toBe(plan.duration);
    expect(w.distanceMeters).toBe(plan.dist);
    expect(w.summary).toMatchObject({ heartRateAvgBpm: plan.hr?.avg, heartRateMaxBpm: plan.hr?.max, heartRateMinBpm: plan.hr?.min, speedAvgMetersPerSecond: plan.spd?.avg, ascentMeters: 52, descentMeters: 82 });
    expect(w.laps.map((l) => [(l.startTime - w.startTime) / 1000, l.elapsedSeconds, l.distanceMeters, l.summary.heartRateAvgBpm])).toEqual(plan.segments.map((s) => [s.beginning, s.duration, s.dist, s.hr?.avg]));
    expect(w.laps.every((l) => l.notes === undefined)).toBe(true); // `Lap N` is no note
    expect(w.device).toEqual({ manufacturer: 'Timex', product: 'Global Trainer' });
    expect(w.extras).toEqual({ creator: 'winDeviceAgent/3.0', 'work-kilojoules': 456 });
    expect(w.notes).toContain('Timex Global Trainer');
    expect(w.warnings).toEqual([]);
  });

  it('Timex Race Trainer: HR only with dropouts, the "Entire Workout" segment is no lap, the model number named', () => {
    const options: PwxBuildOptions = { style: 'race-trainer', durationSeconds: 1200, laps: [300, 300, 300, 300] };
    const plan = planPwx(options).workouts[0] as PwxPlannedWorkout;
    const [w] = parse(buildPwx(options), { timeZone: 'America/New_York' }) as [Workout];
    expect(w.sport).toBe('running');
    expectSamples(w, plan, { heartRateBpm: 'hr' });
    expect(w.samples.heartRateBpm?.filter((v) => v === undefined)).toHaveLength(plan.samples.filter((s) => s.hr === undefined).length);
    expect(w.laps).toHaveLength(4);
    expect(w.laps.map((l) => l.summary.heartRateAvgBpm)).toEqual(plan.segments.map((s) => s.hr?.avg));
    expect(w.device).toEqual({ manufacturer: 'Timex', product: 'Ironman Race Trainer (843)' });
    expect(w.utcOffsetMinutes).toBe(-240);
  });

  it('Timex Run Trainer: pauses from Stopping/Starting events, moving time from durationstopped, the fingerprint names the recording', () => {
    const options: PwxBuildOptions = { style: 'run-trainer', durationSeconds: 900, laps: 3, pauses: [{ atSeconds: 300, durationSeconds: 60 }, { atSeconds: 600, durationSeconds: 31 }] };
    const plan = planPwx(options).workouts[0] as PwxPlannedWorkout;
    const [w] = parse(buildPwx(options)) as [Workout];
    expectSamples(w, plan, { heartRateBpm: 'hr', speedMetersPerSecond: 'spd', distanceMeters: 'dist', latitudeDegrees: 'lat', longitudeDegrees: 'lon', altitudeMeters: 'alt' });
    expect(w.pauses).toEqual(plan.pauses.map(([a, b]) => ({ startOffsetSeconds: a, durationSeconds: b - a })));
    expect(w.elapsedSeconds).toBe(plan.duration);
    expect(w.movingSeconds).toBe(plan.duration - plan.durationStopped);
    expect(w.distanceMeters).toBe(plan.dist);
    expect(w.laps.map((l) => l.distanceMeters)).toEqual(plan.segments.map((s) => s.dist));
    expect(w.externalId).toMatch(/^pwx:849eeeb5/);
    expect(w.extras?.['events']).toBeUndefined();
  });

  it('IpBike: power, cadence and temperature; 0.0 minimums are no readings; climbing from summarydata', () => {
    const options: PwxBuildOptions = { style: 'ipbike', durationSeconds: 300, seed: 7 };
    const plan = planPwx(options).workouts[0] as PwxPlannedWorkout;
    const [w] = parse(buildPwx(options)) as [Workout];
    expectSamples(w, plan, { heartRateBpm: 'hr', powerWatts: 'pwr', cadencePerMinute: 'cad', temperatureCelsius: 'temp', distanceMeters: 'dist' });
    expect(w.laps).toEqual([]);
    expect(w.name).toBe('IpBike_900');
    expect(w.summary).toMatchObject({ powerAvgWatts: plan.pwr?.avg, powerMaxWatts: plan.pwr?.max, cadenceAvgPerMinute: plan.cad?.avg, ascentMeters: 42, descentMeters: 40 });
    expect(w.summary.heartRateMinBpm).toBe(plan.hr?.min); // the file's 0.0 is ignored; the samples' minimum stands
    expect(w.device).toEqual({ manufacturer: 'iforpowell.com', product: 'IpBike' });
  });

  it('several workouts in one file are several workouts', () => {
    const ws = parse(buildPwx({ style: 'global-trainer', workouts: [{ durationSeconds: 60 }, { durationSeconds: 120, sport: 'Run' }, { durationSeconds: 30, sport: 'Swim', title: 'Pool' }] }));
    expect(ws.map((w) => [w.source.index, w.source.count, w.sport, w.name])).toEqual([
      [0, 3, 'cycling', undefined],
      [1, 3, 'running', undefined],
      [2, 3, 'swimming', 'Pool'],
    ]);
    expect(new Set(ws.map((w) => w.externalId)).size).toBe(3);
    expect((ws[1] as Workout).startTime - (ws[0] as Workout).startTime).toBe((60 + 600) * 1000);
  });
});

describe('pwxParser: the start time and its zone', () => {
  it("without a zone option: this machine's zone, said in a warning", () => {
    const [w] = parse(buildPwx({ durationSeconds: 10 }), { timeZone: undefined }) as [Workout];
    const expected = resolveLocalStart(Date.UTC(2024, 4, 1, 7), undefined);
    expect([w.startTime, w.utcOffsetMinutes, w.utcOffsetSource]).toEqual([expected.utcMs, expected.offsetMinutes, 'machine-zone']);
    expect(codes(w)).toContain('zone-assumed');
  });

  it('a start in a daylight-saving gap or overlap is resolved one way, with a warning', () => {
    const [gap] = parse(doc(workout(sample(0, '<hr>120</hr>'), '2024-03-31T02:30:00')), { timeZone: 'Europe/Berlin' }) as [Workout];
    expect(new Date(gap.startTime).toISOString()).toBe('2024-03-31T01:30:00.000Z');
    expect(codes(gap)).toContain('dst-gap');
    const [overlap] = parse(doc(workout(sample(0, '<hr>120</hr>'), '2024-10-27T02:30:00')), { timeZone: 'Europe/Berlin' }) as [Workout];
    expect(new Date(overlap.startTime).toISOString()).toBe('2024-10-27T00:30:00.000Z');
    expect(codes(overlap)).toContain('dst-overlap');
  });

  it('a time with an offset is the file’s; Z is UTC without a local offset', () => {
    const [withOffset] = parse(doc(workout(sample(0), '2024-05-01T07:00:00+02:00')), { timeZone: 'America/New_York' }) as [Workout];
    expect([new Date(withOffset.startTime).toISOString(), withOffset.utcOffsetMinutes, withOffset.utcOffsetSource]).toEqual(['2024-05-01T05:00:00.000Z', 120, 'file']);
    const [utc] = parse(doc(workout(sample(0), '2024-05-01T07:00:00Z')), { timeZone: 'America/New_York' }) as [Workout];
    expect([utc.startTime, utc.utcOffsetMinutes, utc.utcOffsetSource]).toEqual([Date.UTC(2024, 4, 1, 7), undefined, 'none']);
  });

  it('skips a workout without a usable time, and fails when none has one', () => {
    const ws = parse(doc(workout(sample(0), 'yesterday') + workout(sample(0)) + workout(sample(0), '1970-01-01T00:00:00')));
    expect(ws).toHaveLength(1);
    expect(ws[0]?.warnings).toContainEqual({ code: 'workout-without-time', message: expect.stringContaining('<time>') as string, count: 2 });
    const e = failure(doc(`<workout><sportType>Run</sportType>${sample(0)}</workout>`));
    expect([e.code, e.message]).toEqual(['no-data', "[pwx] test.pwx: the file's workout has no usable <time> (a start date-time after 1989); a workout needs one"]);
  });
});

describe('pwxParser: samples, summaries, segments and events', () => {
  it('heart rate 0 is no reading, 1 W is 0 W, run cadence in strides is doubled and in steps kept', () => {
    const strides = parse(doc(workout(sample(0, '<hr>0</hr><pwr>1</pwr><cad>84</cad>') + sample(1, '<hr>121</hr><pwr>250</pwr><cad>86</cad>'))));
    expect(strides[0]?.samples).toMatchObject({ heartRateBpm: [undefined, 121], powerWatts: [0, 250], cadencePerMinute: [168, 172] });
    const steps = parse(doc(workout(sample(0, '<cad>168</cad>') + sample(1, '<cad>172</cad>') + '<summarydata><duration>1</duration><cad max="172" min="0" avg="170"/></summarydata>')));
    expect(steps[0]?.samples.cadencePerMinute).toEqual([168, 172]);
    expect(steps[0]?.summary.cadenceAvgPerMinute).toBe(170);
    const bike = parse(doc(workout(sample(0, '<cad>84</cad>') + sample(1, '<cad>86</cad>'), undefined, 'Bike')));
    expect(bike[0]?.samples.cadencePerMinute).toEqual([84, 86]);
  });

  it('samples without an offset or before the start are skipped and counted; repeats are dropped by the model', () => {
    const [w] = parse(doc(workout(sample('', '<hr>100</hr>') + sample(-2, '<hr>100</hr>') + sample(0, '<hr>110</hr>') + sample(0, '<hr>111</hr>') + sample(2, '<hr>112</hr>')))) as [Workout];
    expect(w.samples.offsetSeconds).toEqual([0, 2]);
    expect(codes(w)).toEqual(expect.arrayContaining(['sample-without-offset', 'sample-before-start', 'time-not-increasing']));
  });

  it('reads summary-only workouts and ignores all-zero placeholder summaries (GoldenCheetah writes them)', () => {
    const [w] = parse(
      doc(workout('<summarydata><beginning>0</beginning><duration>3600</duration><durationstopped>120</durationstopped><hr max="0" min="0" avg="0"/><pwr max="0" min="0" avg="0"/><dist>30000</dist><tss>55</tss></summarydata>', undefined, 'Bike')),
    ) as [Workout];
    expect(w).toMatchObject({ elapsedSeconds: 3600, movingSeconds: 3480, distanceMeters: 30000, summary: {} });
    expect(w.extras).toMatchObject({ tss: 55 });
    expect(w.samples.offsetSeconds).toEqual([]);
  });

  it('extends a stated duration shorter than the samples, with a warning', () => {
    const [w] = parse(doc(workout('<summarydata><duration>5</duration></summarydata>' + sample(0) + sample(10)))) as [Workout];
    expect(w.elapsedSeconds).toBe(10);
    expect(codes(w)).toContain('duration-extended');
  });

  it('segments: named ones keep their name, untimed ones are skipped, events with text become lap notes', () => {
    const body =
      '<summarydata><duration>20</duration></summarydata>' +
      '<segment><name>Warm up</name><summarydata><beginning>0</beginning><duration>10</duration><hr avg="120" max="130" min="0"/></summarydata></segment>' +
      '<segment><name>Lap 2</name><summarydata><beginning>10</beginning><duration>10</duration><durationstopped>3</durationstopped><dist>50</dist></summarydata></segment>' +
      '<segment><name>Broken</name><summarydata><duration>4</duration></summarydata></segment>' +
      '<event><timeoffset>12</timeoffset><type>Marker</type><text>bridge</text></event>' +
      '<event><timeoffset>14</timeoffset><type>Lap</type></event>' +
      '<event><timeoffset>5</timeoffset><type>Stop</type></event><event><timeoffset>8</timeoffset><type>Resume</type></event>' +
      [0, 2, 4, 8, 10, 12, 14, 16, 18, 20].map((t) => sample(t, '<hr>125</hr>')).join('');
    const [w] = parse(doc(workout(body))) as [Workout];
    expect(w.laps.map((l) => [l.notes, l.elapsedSeconds, l.movingSeconds, l.distanceMeters, l.summary.heartRateMinBpm])).toEqual([
      ['Warm up', 10, undefined, undefined, 125],
      ['Marker: bridge', 10, 7, 50, 125],
    ]);
    expect(w.pauses).toEqual([{ startOffsetSeconds: 5, durationSeconds: 3 }]);
    expect(w.extras?.['events']).toBe('Lap at 14 s');
    expect(codes(w)).toContain('segment-without-time');
  });

  it('an unknown sport is imported as other, with a warning', () => {
    const [w] = parse(doc(workout(sample(0), undefined, 'Custom'))) as [Workout];
    expect([w.sport, w.sourceSport.sport]).toEqual(['other', 'Custom']);
    expect(codes(w)).toContain('sport-unknown');
  });
});

describe('pwxParser: strict on structure, with the file named', () => {
  it('names what is wrong', () => {
    expect(failure('<?xml version="1.0"?><pwx xmlns="http://www.peaksware.com/PWX/1/0"></pwx>').message).toBe('[pwx] test.pwx: the file holds no <workout>');
    expect(failure(doc(workout('<summarydata><duration>0</duration></summarydata>'))).code).toBe('no-data');
    expect(failure('<gpx/>').message).toMatch(/^\[pwx\] test\.pwx line 1: the root element is <gpx>, not <pwx>/);
    expect(failure('<!DOCTYPE pwx [<!ENTITY x "y">]><pwx/>').code).toBe('unsupported-variant');
    expect(failure(buildPwx({ durationSeconds: 20 }).slice(0, 900)).code).toBe('truncated');
    expect(failure(doc(workout(`${sample(0)}</sample>`))).code).toBe('corrupt');
  });

  it('caps the samples of one workout at maxSamples', () => {
    const e = failure(buildPwx({ style: 'ipbike', durationSeconds: 100 }), { limits: { ...DEFAULT_LIMITS, maxSamples: 50 } });
    expect([e.code, e.message]).toEqual(['too-large', '[pwx] test.pwx: a workout holds more than 50 samples (the maxSamples limit)']);
  });
});
