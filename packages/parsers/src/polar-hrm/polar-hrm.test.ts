import { describe, expect, it } from 'vitest';
import { buildHrmBytes, planHrm } from '@optimo-import/fixtures';
import type { HrmBuildOptions, HrmChannels, HrmPlan } from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import type { Channel, Workout } from '@optimo-import/workout';
import { isParseError } from '../errors.js';
import type { ParseError } from '../errors.js';
import { machineTimeZone } from '../local-time.js';
import { DEFAULT_LIMITS } from '../types.js';
import type { ParseContext } from '../types.js';
import { isPolarHrm, parsePolarHrm, polarHrmParser } from './polar-hrm.js';

const ctx = (extra: Partial<ParseContext> = {}): ParseContext => ({ fileName: 'test.hrm', sha256: 'abc', limits: DEFAULT_LIMITS, timeZone: 'Europe/Berlin', ...extra });

function parse(bytes: Uint8Array, extra: Partial<ParseContext> = {}): Workout {
  const w = parsePolarHrm(bytes, ctx(extra));
  expect(validateWorkout(w)).toEqual([]);
  return w;
}

function failure(bytes: Uint8Array, extra: Partial<ParseContext> = {}): ParseError {
  try {
    parsePolarHrm(bytes, ctx(extra));
  } catch (error) {
    if (isParseError(error)) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

const text = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const codes = (w: Workout): string[] => w.warnings.map((x) => x.code);
const warning = (w: Workout, code: string): number => w.warnings.find((x) => x.code === code)?.count ?? 0;

const SAMPLE_CHANNELS = ['heartRateBpm', 'speedMetersPerSecond', 'cadencePerMinute', 'altitudeMeters', 'powerWatts', 'distanceMeters'] as const;

/** The workout holds exactly the plan's samples and laps. */
function expectPlan(w: Workout, plan: HrmPlan): void {
  expect(w.samples.offsetSeconds).toEqual(plan.samples.map((s) => s.offsetSeconds));
  for (const channel of SAMPLE_CHANNELS) {
    const expected = plan.samples.map((s) => s[channel]);
    if (expected.every((v) => v === undefined)) expect(w.samples[channel as Channel], channel).toBeUndefined();
    else expect(w.samples[channel as Channel], channel).toEqual(expected);
  }
  const laps = w.laps.slice(0, plan.laps.length).map((l) => ({
    startSeconds: (l.startTime - w.startTime) / 1000,
    elapsedSeconds: l.elapsedSeconds,
    min: l.summary.heartRateMinBpm,
    avg: l.summary.heartRateAvgBpm,
    max: l.summary.heartRateMaxBpm,
    temperature: l.summary.temperatureAvgCelsius,
    trigger: l.trigger,
    notes: l.notes,
  }));
  expect(laps).toEqual(
    plan.laps.map((l) => ({
      startSeconds: l.startSeconds,
      elapsedSeconds: l.elapsedSeconds,
      min: l.heartRateMinBpm,
      avg: l.heartRateAvgBpm,
      max: l.heartRateMaxBpm,
      temperature: l.temperatureCelsius,
      trigger: l.auto ? 'auto' : 'manual',
      notes: l.notes,
    })),
  );
}

function roundTrip(options: HrmBuildOptions, extra: Partial<ParseContext> = {}): { w: Workout; plan: HrmPlan } {
  const plan = planHrm(options);
  const bytes = buildHrmBytes(options);
  expect(isPolarHrm(bytes)).toBe(true);
  const w = parse(bytes, extra);
  expectPlan(w, plan);
  return { w, plan };
}

describe('polar-hrm: every recording-mode column, both unit systems', () => {
  const flags: (keyof HrmChannels)[] = ['speed', 'cadence', 'altitude', 'power', 'balance', 'pedallingIndex', 'cycling', 'airPressure'];
  for (const version of [106, 107] as const) {
    for (const units of ['metric', 'us'] as const) {
      it.each(flags)(`${version} ${units}: %s alone`, (flag) => {
        const { w, plan } = roundTrip({ version, units, channels: { [flag]: true }, durationSeconds: 120, laps: 2 });
        expect(w.extras?.['recording-mode']).toBe(plan.mode);
        expect(w.extras?.['hrm-version']).toBe(version);
        expect(plan.mode).toMatch(version === 107 || flag === 'airPressure' ? /^SMode=\d{9}$/ : /^SMode=\d{8}$/);
        if (flag === 'balance' || flag === 'pedallingIndex') {
          expect(w.extras?.['power-balance-left-percent']).toBe(49);
          expect(w.extras?.['pedalling-index-percent']).toBe(40);
        }
        expect(w.sport).toBe(flag === 'cycling' ? 'cycling' : 'other');
        expect(codes(w)).toContain(flag === 'cycling' ? 'sport-inferred' : 'sport-unknown');
      });
    }
  }

  it('all columns at once (SMode=111111111, US units), with every value converted: 0.1 mph → m/s, ft → m, °F → °C', () => {
    const { w, plan } = roundTrip({
      version: 107,
      units: 'us',
      channels: { speed: true, cadence: true, altitude: true, power: true, balance: true, pedallingIndex: true, cycling: true, airPressure: true },
      durationSeconds: 300,
      laps: 3,
    });
    expect(plan.mode).toBe('SMode=111111111');
    expect(plan.columns).toEqual(['speed', 'cadence', 'altitude', 'power', 'balance', 'airPressure']);
    // 179 (0.1 mph) = 17.9 mph = 8.002016 m/s; the synthetic bike rides at about 8 m/s at 50 m.
    expect(w.samples.speedMetersPerSecond?.[0]).toBeCloseTo(17.9 * 0.44704, 9);
    expect(w.samples.altitudeMeters?.[0]).toBeCloseTo(164 * 0.3048, 9);
    // 64.4 °F … 64.6 °F written at the splits: 18.0 … 18.1 °C (the synthetic air warms by 0.1 °C in 6 min).
    expect(w.laps.map((l) => l.summary.temperatureAvgCelsius)).toEqual(plan.laps.map((l) => l.temperatureCelsius));
    expect(w.laps.every((l) => [18, 18.1].includes(l.summary.temperatureAvgCelsius as number))).toBe(true);
    expect(w.distanceMeters).toBe(plan.samples.at(-1)?.distanceMeters);
  });

  it('9-digit SMode in a 1.06 file (S725, S720i) reads the same as 8 digits', () => {
    const channels = { speed: true, altitude: true, cycling: true };
    const eight = roundTrip({ version: 106, channels, smodeDigits: 8 });
    const nine = roundTrip({ version: 106, channels, smodeDigits: 9 });
    expect(eight.plan.mode).toBe('SMode=10100010');
    expect(nine.plan.mode).toBe('SMode=101000100');
    expect(nine.w.samples).toEqual(eight.w.samples);
  });
});

describe('polar-hrm: versions 1.02 and 1.05 (Mode=abc, 3-line laps)', () => {
  const cases: [string, HrmChannels][] = [
    ['HR only', {}],
    ['HR + cycling (speed)', { cycling: true }],
    ['speed + cadence', { cycling: true, cadence: true }],
    ['speed + altitude', { cycling: true, altitude: true }],
  ];
  for (const version of [102, 105] as const) {
    for (const units of ['metric', 'us'] as const) {
      it.each(cases)(`${version} ${units}: %s`, (_name, channels) => {
        const { w, plan } = roundTrip({ version, units, channels, durationSeconds: 180, laps: [60, 150] });
        expect(plan.mode).toMatch(/^Mode=[013][01][01]$/);
        expect(w.laps).toHaveLength(3); // 2 splits + the time after the last
        expect(w.laps[2]).toMatchObject({ elapsedSeconds: 30, trigger: 'session_end' });
        expect(w.extras?.['hrm-version']).toBe(version);
      });
    }
  }

  it('1.02 writes altitude in 10 m steps', () => {
    const { w, plan } = roundTrip({ version: 102, channels: { cycling: true, altitude: true }, durationSeconds: 60 });
    expect(plan.text).toContain('Mode=110');
    expect(w.samples.altitudeMeters?.every((v) => v !== undefined && v % 10 === 0)).toBe(true);
  });

  it('a 3-digit SMode is read as the old Mode', () => {
    const bytes = buildHrmBytes({ version: 105, channels: { cycling: true, cadence: true }, durationSeconds: 20 });
    const w = parse(text(new TextDecoder('latin1').decode(bytes).replace('Mode=010', 'SMode=010')));
    expect(w.samples.cadencePerMinute).toBeDefined();
    expect(w.extras?.['recording-mode']).toBe('SMode=010');
  });
});

describe('polar-hrm: sampling', () => {
  it.each([1, 2, 15, 30, 60])('Interval=%i', (interval) => {
    const { w } = roundTrip({ intervalSeconds: interval, durationSeconds: 600, channels: { speed: true } });
    expect(w.samples.offsetSeconds[1]).toBe(interval);
    expect(w.elapsedSeconds).toBe(600);
  });

  it('R-R recording (Interval=238): one heart rate per beat, 60000 / R-R, on the beats own time', () => {
    const { w, plan } = roundTrip({ rr: true, durationSeconds: 120, startDelayMs: 250 });
    const rr = plan.samples.map((s) => s.rrMs as number);
    expect(w.samples.offsetSeconds[0]).toBe((250 + (rr[0] as number)) / 1000);
    expect(w.samples.heartRateBpm?.[0]).toBe(60000 / (rr[0] as number));
    expect(w.samples.offsetSeconds.length).toBeGreaterThan(200); // ~2 beats a second
    expect(w.extras?.['rr-recording']).toBe(true);
    expect(w.elapsedSeconds).toBe(120);
  });

  it('R-R with speed and altitude columns: distance integrates over the beat intervals', () => {
    const { w } = roundTrip({ rr: true, durationSeconds: 60, channels: { speed: true, altitude: true, cycling: true } });
    expect(w.distanceMeters).toBeGreaterThan(400);
    expect(w.distanceMeters).toBeLessThan(560);
  });

  it('R-R values that are no beat are skipped, implausible ones keep their time only', () => {
    const bytes = buildHrmBytes({ rr: true, durationSeconds: 10 });
    const body = new TextDecoder('latin1').decode(bytes).replace('[HRData]\r\n', '[HRData]\r\n0\r\n-5\r\n9000\r\n3500\r\n');
    const w = parse(text(body));
    expect(warning(w, 'rr-invalid')).toBe(3);
    expect(warning(w, 'rr-artifact')).toBe(1);
    expect(w.samples.offsetSeconds[0]).toBe(3.5);
    expect(w.samples.heartRateBpm?.[0]).toBeUndefined();
  });

  it('heart rate 0 is a gap, not 0 bpm', () => {
    const bytes = buildHrmBytes({ durationSeconds: 20 });
    const lines = new TextDecoder('latin1').decode(bytes).split('\r\n');
    const at = lines.indexOf('[HRData]') + 2;
    lines[at] = '0';
    const w = parse(text(lines.join('\r\n')));
    expect(w.samples.heartRateBpm?.[1]).toBeUndefined();
    expect(w.samples.offsetSeconds[1]).toBe(5);
  });

  it('no distance column: the speed is integrated; without speed the [Trip] distance is the total', () => {
    const { w, plan } = roundTrip({ channels: { speed: true, altitude: true, cycling: true }, durationSeconds: 900 });
    expect(w.distanceMeters).toBe(plan.samples.at(-1)?.distanceMeters);
    expect(Math.abs((w.distanceMeters as number) - (plan.tripDistanceMeters as number))).toBeLessThanOrEqual(50); // 0.1 km resolution
    expect(w.summary.ascentMeters).toBe(plan.tripAscentMeters);
    const noSpeed = buildHrmBytes({ channels: { altitude: true }, durationSeconds: 900, trip: true });
    const body = new TextDecoder('latin1').decode(noSpeed).replace(/\[Trip\]\r\n\d+/, '[Trip]\r\n72');
    const w2 = parse(text(body));
    expect(w2.samples.distanceMeters).toBeUndefined();
    expect(w2.distanceMeters).toBe(7200);
  });

  it('US [Trip] distance is in 0.1 mi', () => {
    const { w } = roundTrip({ units: 'us', channels: { altitude: true }, durationSeconds: 60, trip: true });
    expect(w.distanceMeters).toBeUndefined(); // trip distance 0: not recorded
    const body = new TextDecoder('latin1').decode(buildHrmBytes({ units: 'us', channels: { altitude: true }, durationSeconds: 60, trip: true })).replace(/\[Trip\]\r\n\d+/, '[Trip]\r\n130');
    expect(parse(text(body)).distanceMeters).toBeCloseTo(13 * 1609.344, 6);
  });
});

describe('polar-hrm: laps', () => {
  it('equal laps, automatic laps, lap notes in Latin-1', () => {
    const { w } = roundTrip({ laps: 4, autoLaps: true, durationSeconds: 400, channels: { altitude: true }, lapNotes: { 1: 'Anstieg Größenberg', 3: 'Café' } });
    expect(w.laps).toHaveLength(4);
    expect(w.laps.map((l) => l.trigger)).toEqual(['auto', 'auto', 'auto', 'auto']);
    expect(w.laps[0]?.notes).toBe('Anstieg Größenberg');
    expect(w.laps[2]?.notes).toBe('Café');
  });

  it('the time after the last split is one more lap', () => {
    const { w } = roundTrip({ laps: [100, 250], durationSeconds: 400 });
    expect(w.laps.map((l) => [(l.startTime - w.startTime) / 1000, l.elapsedSeconds, l.trigger])).toEqual([
      [0, 100, 'manual'],
      [100, 150, 'manual'],
      [250, 150, 'session_end'],
    ]);
  });

  it('an [IntTimes] that is not whole laps is dropped with a warning, not a failure', () => {
    const bytes = buildHrmBytes({ laps: 2, durationSeconds: 60 });
    const lines = new TextDecoder('latin1').decode(bytes).split('\r\n');
    lines.splice(lines.indexOf('[IntTimes]') + 3, 1);
    const w = parse(text(lines.join('\r\n')));
    expect(w.laps).toEqual([]);
    expect(w.warnings.find((x) => x.code === 'laps-unreadable')?.message).toMatch(/\[IntTimes\] has 9 lines, not a whole number of 5-line laps/);
    expect(w.samples.offsetSeconds).toHaveLength(13);
  });

  it('an unreadable split time drops the laps; split times going back too', () => {
    const body = new TextDecoder('latin1').decode(buildHrmBytes({ laps: [20, 40], durationSeconds: 60 }));
    expect(codes(parse(text(body.replace('00:00:40.0', 'xx:00:40.0'))))).toContain('laps-unreadable');
    expect(codes(parse(text(body.replace('00:00:40.0', '00:00:10.0'))))).toContain('laps-unreadable');
  });

  it('empty [IntTimes]: no laps, no warning', () => {
    const w = parse(buildHrmBytes({ durationSeconds: 60 }));
    expect(w.laps).toEqual([]);
    expect(codes(w)).not.toContain('laps-unreadable');
  });

  it('lap heart rates that contradict each other are left to the samples; notes for missing laps are counted', () => {
    const body = new TextDecoder('latin1').decode(buildHrmBytes({ laps: 2, durationSeconds: 60, lapNotes: { 7: 'nowhere' } }));
    const w = parse(text(body.replace(/^(00:00:30\.0\t\d+)\t\d+\t\d+\t\d+/m, '$1\t150\t60\t140')));
    expect(warning(w, 'lap-values-inconsistent')).toBe(1);
    expect(warning(w, 'lap-note-without-lap')).toBe(1);
    expect(w.laps[0]?.summary.heartRateMinBpm).toBeLessThan(150);
  });

  it('Interval=204: lap times only, no samples', () => {
    const body = new TextDecoder('latin1').decode(buildHrmBytes({ laps: 3, durationSeconds: 300 })).replace('Interval=5', 'Interval=204');
    const w = parse(text(body));
    expect(w.samples.offsetSeconds).toEqual([]);
    expect(w.laps).toHaveLength(3);
    expect(w.elapsedSeconds).toBe(300);
    expect(codes(w)).toContain('samples-ignored');
  });
});

describe('polar-hrm: text, time and sport', () => {
  it('CRLF or LF, Latin-1 or UTF-8, StartTime without zero padding', () => {
    const options: HrmBuildOptions = { note: 'Schneller Kilometer, Übung für Jürgen', durationSeconds: 60, start: '2004-09-12T07:26:07' };
    const crlf = parse(buildHrmBytes(options));
    const lf = parse(buildHrmBytes({ ...options, lineEnding: '\n' }));
    const utf8 = parse(buildHrmBytes({ ...options, encoding: 'utf8' }));
    const unpadded = parse(buildHrmBytes({ ...options, zeroPad: false }));
    expect(buildHrm(options)).toContain('StartTime=07:26:07.0');
    expect(buildHrm({ ...options, zeroPad: false })).toContain('StartTime=7:26:07.0');
    for (const w of [crlf, lf, utf8, unpadded]) {
      expect(w.notes).toBe('Schneller Kilometer, Übung für Jürgen');
      expect(new Date(w.startTime).toISOString()).toBe('2004-09-12T05:26:07.000Z');
      expect(w.samples).toEqual(crlf.samples);
    }
  });

  it('the start is local time in the timeZone option: offset and source recorded', () => {
    const w = parse(buildHrmBytes({ start: '2024-01-10T12:00:00', durationSeconds: 60 }), { timeZone: 'America/New_York' });
    expect(new Date(w.startTime).toISOString()).toBe('2024-01-10T17:00:00.000Z');
    expect(w).toMatchObject({ utcOffsetMinutes: -300, utcOffsetSource: 'time-zone-option' });
    expect(codes(w)).not.toContain('zone-assumed');
  });

  it("without a zone: this machine's zone, said in a warning", () => {
    const w = parse(buildHrmBytes({ start: '2024-01-10T12:00:00', durationSeconds: 60 }), { timeZone: undefined });
    expect(w.utcOffsetSource).toBe('machine-zone');
    expect(w.warnings.find((x) => x.code === 'zone-assumed')?.message).toContain(machineTimeZone());
  });

  it('a start in the spring gap or the autumn overlap is resolved one way, with a warning', () => {
    const gap = parse(buildHrmBytes({ start: '2024-03-31T02:30:00', durationSeconds: 60 }));
    expect(new Date(gap.startTime).toISOString()).toBe('2024-03-31T01:30:00.000Z');
    expect(codes(gap)).toContain('dst-gap');
    const overlap = parse(buildHrmBytes({ start: '2024-10-27T02:30:00', durationSeconds: 60 }));
    expect(new Date(overlap.startTime).toISOString()).toBe('2024-10-27T00:30:00.000Z');
    expect(codes(overlap)).toContain('dst-overlap');
    expect(overlap.laps).toEqual([]);
  });

  it('sport: an ExerciseType a converter wrote, else cycling by the mode, else other', () => {
    expect(parse(buildHrmBytes({ durationSeconds: 30, extraParams: { ExerciseType: 'Running' } }))).toMatchObject({ sport: 'running', sourceSport: { sport: 'Running' } });
    expect(parse(buildHrmBytes({ durationSeconds: 30, extraParams: { ExerciseType: '3' } })).sport).toBe('swimming');
    expect(parse(buildHrmBytes({ durationSeconds: 30, channels: { cycling: true } })).sport).toBe('cycling');
    expect(parse(buildHrmBytes({ durationSeconds: 30 })).sport).toBe('other');
  });

  it('device and athlete settings', () => {
    const w = parse(buildHrmBytes({ durationSeconds: 30, monitor: 37 }));
    expect(w.device).toEqual({ manufacturer: 'Polar', product: 'RS800' });
    expect(w.extras).toMatchObject({ 'max-heart-rate-bpm': 190, 'resting-heart-rate-bpm': 50, vo2max: 55, 'weight-kg': 72 });
    expect(parse(buildHrmBytes({ durationSeconds: 30, monitor: 99 })).device.product).toBe('monitor 99');
  });
});

describe('polar-hrm: lenient on samples', () => {
  it('junk after the last sample is dropped and counted; the samples are exact', () => {
    const options: HrmBuildOptions = { durationSeconds: 60, channels: { speed: true }, garbageLines: ['\u001a', 'END OF DATA', '12\tabc'] };
    const { w } = roundTrip(options);
    expect(warning(w, 'trailing-garbage')).toBe(3);
  });

  it('an unreadable line inside the data stays a gap: later samples keep their time', () => {
    const body = new TextDecoder('latin1').decode(buildHrmBytes({ durationSeconds: 30, channels: { speed: true } }));
    const lines = body.split('\r\n');
    const at = lines.indexOf('[HRData]') + 3;
    lines[at] = 'x1\t2';
    const w = parse(text(lines.join('\r\n')));
    expect(w.samples.offsetSeconds).toEqual([0, 5, 10, 15, 20, 25, 30]);
    expect(w.samples.heartRateBpm?.[2]).toBeUndefined();
    expect(warning(w, 'sample-unreadable')).toBe(1);
  });

  it('short lines keep their fields, long lines ignore the extra ones', () => {
    const body = new TextDecoder('latin1').decode(buildHrmBytes({ durationSeconds: 10, channels: { speed: true, cadence: true } }));
    const lines = body.split('\r\n');
    const at = lines.indexOf('[HRData]') + 1;
    lines[at] = '120\t100';
    lines[at + 1] = '121\t100\t90\t7\t8';
    const w = parse(text(lines.join('\r\n')));
    expect(w.samples.cadencePerMinute?.[0]).toBeUndefined();
    expect(w.samples.cadencePerMinute?.[1]).toBe(90);
    expect(warning(w, 'sample-short')).toBe(1);
    expect(warning(w, 'sample-extra-fields')).toBe(1);
  });

  it('samples past Length: Length is kept within one interval, else the samples win with a warning', () => {
    const body = new TextDecoder('latin1').decode(buildHrmBytes({ durationSeconds: 60 }));
    expect(parse(text(body.replace('Length=00:01:00.0', 'Length=00:00:57.0'))).elapsedSeconds).toBe(57);
    const w = parse(text(body.replace('Length=00:01:00.0', 'Length=00:00:30.0')));
    expect(w.elapsedSeconds).toBe(60);
    expect(codes(w)).toContain('length-shorter-than-samples');
  });

  it('an unknown Version is read by its mode, with a warning', () => {
    const body = new TextDecoder('latin1').decode(buildHrmBytes({ durationSeconds: 30, laps: 1 }));
    const w = parse(text(body.replace('Version=106', 'Version=108')));
    expect(codes(w)).toContain('version-unknown');
    expect(w.laps).toHaveLength(1);
  });
});

describe('polar-hrm: strict on structure', () => {
  const good = new TextDecoder('latin1').decode(buildHrmBytes({ durationSeconds: 30 }));
  it.each([
    ['no [Params]', good.replace('[Params]', '[Parameters]'), 'corrupt', /\[polar-hrm\] test\.hrm: the file has no \[Params\] section/],
    ['a bad Date', good.replace('Date=20240501', 'Date=20241301'), 'corrupt', /test\.hrm line 5: \[Params\] Date=20241301 is not a date/],
    ['a bad StartTime', good.replace('StartTime=09:00:00.0', 'StartTime=25:00:00.0'), 'corrupt', /StartTime=25:00:00\.0 is not a time of day/],
    ['a bad Interval', good.replace('Interval=5', 'Interval=7777'), 'corrupt', /Interval=7777 is not a recording interval/],
    ['a bad SMode', good.replace('SMode=00000000', 'SMode=1x000000'), 'corrupt', /SMode=1x000000 is not a string of 0\/1 digits/],
    ['no SMode or Mode', good.replace('SMode=00000000', ''), 'corrupt', /no SMode= \(or Mode=\)/],
    ['a date before 1990', good.replace('Date=20240501', 'Date=19850501'), 'corrupt', /before 1990/],
    ['no samples, no laps', good.slice(0, good.indexOf('[HRData]') + 10), 'no-data', /no readable samples in \[HRData\] and no lap times/],
    ['no [HRData]', good.slice(0, good.indexOf('[HRData]')), 'no-data', /has no \[HRData\] section and no lap times/],
  ])('%s', (_name, body, code, message) => {
    const error = failure(text(body));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.format).toBe('polar-hrm');
  });

  it('more samples than maxSamples: too-large, never a partial read', () => {
    const error = failure(buildHrmBytes({ durationSeconds: 600, intervalSeconds: 1 }), { limits: { ...DEFAULT_LIMITS, maxSamples: 100 } });
    expect(error.code).toBe('too-large');
    expect(error.message).toMatch(/more than 100 samples/);
    // A section far longer than the limit is not even split into lines to the end.
    const huge = failure(buildHrmBytes({ durationSeconds: 20_000, intervalSeconds: 1 }), { limits: { ...DEFAULT_LIMITS, maxSamples: 100 } });
    expect(huge.code).toBe('too-large');
    expect(huge.message).toMatch(/\[HRData\] has more than 10100 lines/);
  });

  it('the parser object parses through its FormatParser shape', () => {
    const ws = polarHrmParser.parse(buildHrmBytes({ durationSeconds: 30 }), ctx());
    expect(ws).toHaveLength(1);
    expect(ws[0]?.source).toMatchObject({ format: 'polar-hrm', fileName: 'test.hrm', index: 0, count: 1 });
    expect(polarHrmParser).toMatchObject({ format: 'polar-hrm', extensions: ['hrm'] });
  });
});

function buildHrm(options: HrmBuildOptions): string {
  return planHrm(options).text;
}
