import { describe, expect, it } from 'vitest';
import { buildPolarJsonBytes, buildPolarXml, buildPolarXmlBytes, buildRs200XmlBytes, planPolarXml, planRs200 } from '@optimo-import/fixtures';
import type { PolarXmlBuildOptions } from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { parseClockDuration, polarSportFromName } from './polar-xml-common.js';
import { polarXmlParser } from './polar-xml.js';
import { contextFor, parseFailure, utf8 } from './test-polar.js';
import type { ParseContext } from './types.js';
import { fuzzSeeds } from '../test/fuzz-seeds.js';

function parse(bytes: Uint8Array, extra: Partial<ParseContext> = {}): Workout[] {
  expect(polarXmlParser.detect(bytes)).toBe(true);
  const workouts = polarXmlParser.parse(bytes, contextFor(bytes, extra));
  for (const w of workouts) expect(validateWorkout(w)).toEqual([]);
  return workouts;
}

const codes = (w: Workout): string[] => w.warnings.map((x) => x.code);
const warning = (w: Workout, code: string) => w.warnings.find((x) => x.code === code);

/** Three exercises: a run with laps, a summary-only ride in German, a bike session with unequal channels and trailing commas. */
const SESSION: PolarXmlBuildOptions = {
  startTime: '2024-05-01T07:00:00Z',
  offsetMinutes: 120,
  exercises: [
    { sport: 'Running', name: 'Intervals', note: 'windy & cold', durationSeconds: 600, intervalSeconds: 5, laps: [120, 240, 240] },
    { sport: 'Radfahren', summaryOnly: true, durationSeconds: 1800 },
    {
      sport: 'Exercise Bike',
      durationSeconds: 300,
      intervalSeconds: 1,
      laps: 0,
      channels: ['HEARTRATE', 'SPEED', 'CADENCE', 'POWER', 'TEMPERATURE'],
      shortenChannels: { SPEED: 3, CADENCE: 1 },
      trailingComma: true,
    },
  ],
  fitnessData: true,
};

describe('polar-xml: polarpersonaltrainer.com exports', () => {
  const plans = planPolarXml(SESSION);
  const workouts = parse(buildPolarXmlBytes(SESSION), { timeZone: 'Europe/Berlin' });

  it('makes one workout per exercise, not of other calendar items', () => {
    expect(workouts).toHaveLength(3);
    expect(workouts.map((w) => [w.source.index, w.source.count])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    expect(workouts.map((w) => w.sport)).toEqual(['running', 'cycling', 'cycling']);
    expect(workouts.map((w) => w.sourceSport.sport)).toEqual(['Running', 'Radfahren', 'Exercise Bike']);
  });

  it('reads the local start in the time zone option', () => {
    workouts.forEach((w, i) => {
      expect(w.startTime).toBe(plans[i]!.startTime);
      expect(w.utcOffsetMinutes).toBe(120);
      expect(w.utcOffsetSource).toBe('time-zone-option');
    });
    expect(plans[0]!.time).toBe('2024-05-01 09:00:00.0');
  });

  it('keeps the totals the file states', () => {
    workouts.forEach((w, i) => {
      const p = plans[i]!;
      expect(w.elapsedSeconds).toBe(p.durationSeconds);
      expect(w.distanceMeters).toBe(p.distanceMeters);
      expect(w.energyKilocalories).toBe(p.calories);
      expect(w.summary.heartRateAvgBpm).toBe(p.heartRateAvgBpm);
      expect(w.summary.heartRateMaxBpm).toBe(p.heartRateMaxBpm);
    });
    expect(workouts[0]).toMatchObject({ name: 'Intervals', notes: 'windy & cold', device: { manufacturer: 'Polar' } });
  });

  it('puts sample k at k × recording-rate, with units converted and stride cadence doubled on foot', () => {
    const [run] = workouts;
    const p = plans[0]!;
    const s = run!.samples;
    expect(s.offsetSeconds).toEqual(p.points.map((_, k) => k * 5));
    expect(s.heartRateBpm).toEqual(p.values.HEARTRATE);
    s.speedMetersPerSecond!.forEach((v, k) => expect(v).toBeCloseTo(p.values.SPEED![k]! / 3.6, 9));
    expect(s.cadencePerMinute).toEqual(p.values.CADENCE!.map((v) => v * 2));
    expect(s.altitudeMeters).toEqual(p.values.ALTITUDE);
    expect(s.distanceMeters).toEqual(p.values.DISTANCE);
    expect(codes(run!)).toContain('cadence-doubled');
  });

  it('places laps one after another from the start, with their own values', () => {
    const [run] = workouts;
    const p = plans[0]!;
    expect(run!.laps.map((l) => l.elapsedSeconds)).toEqual([120, 240, 240]);
    expect(run!.laps.map((l) => (l.startTime - run!.startTime) / 1000)).toEqual([0, 120, 360]);
    expect(run!.laps.map((l) => l.distanceMeters)).toEqual(p.laps.map((l) => l.distanceMeters));
    expect(run!.laps.map((l) => l.summary.heartRateAvgBpm)).toEqual(p.laps.map((l) => l.heartRateAvgBpm));
    run!.laps.forEach((l, i) => expect(l.summary.speedAvgMetersPerSecond).toBeCloseTo(p.laps[i]!.speedAvgKmh / 3.6, 9));
  });

  it('imports a summary-only exercise as totals without samples or laps', () => {
    const ride = workouts[1]!;
    expect(ride.samples.offsetSeconds).toEqual([]);
    expect(ride.laps).toEqual([]);
    expect(ride.elapsedSeconds).toBe(1800);
    expect(ride.summary.speedAvgMetersPerSecond).toBeCloseTo(plans[1]!.distanceMeters / 1800, 9);
  });

  it('pads channels of unequal length with gaps and ignores trailing commas', () => {
    const bike = workouts[2]!;
    const p = plans[2]!;
    const n = p.points.length;
    expect(bike.samples.offsetSeconds).toHaveLength(n);
    expect(bike.samples.speedMetersPerSecond!.slice(-4)).toEqual([expect.any(Number), undefined, undefined, undefined]);
    expect(bike.samples.cadencePerMinute!.slice(-2)).toEqual([p.values.CADENCE![n - 2], undefined]); // rpm on a bike: not doubled
    expect(bike.samples.powerWatts).toEqual(p.values.POWER);
    expect(bike.samples.temperatureCelsius).toEqual(p.values.TEMPERATURE);
    expect(warning(bike, 'channel-length-mismatch')).toMatchObject({ count: 4 });
    expect(warning(bike, 'channel-length-mismatch')!.message).toContain('SPEED 298');
    expect(codes(bike)).not.toContain('sample-unreadable');
  });

  it("reads the start in this machine's zone when no zone is given, and says so", () => {
    const [w] = parse(buildPolarXmlBytes({ startTime: '2024-05-01T07:00:00Z', summaryOnly: true }));
    expect(w!.utcOffsetSource).toBe('machine-zone');
    expect(codes(w!).some((c) => c === 'zone-assumed' || c === 'dst-gap' || c === 'dst-overlap')).toBe(true);
  });

  it('resolves a start in a daylight-saving gap forward, with a warning', () => {
    const xml = buildPolarXml({ summaryOnly: true }).replace(/<time>[^<]*<\/time>/, '<time>2024-03-31 02:30:00.0</time>');
    const [w] = parse(utf8(xml), { timeZone: 'Europe/Berlin' });
    expect(new Date(w!.startTime).toISOString()).toBe('2024-03-31T01:30:00.000Z');
    expect(codes(w!)).toContain('dst-gap');
  });

  it('repairs lap durations written in minutes as seconds', () => {
    const [w] = parse(buildPolarXmlBytes({ durationSeconds: 900, laps: 3, lapDurationsAsMinutes: true }), { timeZone: 'UTC' });
    w!.laps.forEach((l) => expect(l.elapsedSeconds).toBeCloseTo(300, 6));
    expect(warning(w!, 'lap-duration-repaired')).toMatchObject({ count: 3 });
  });

  it('falls back to <created> for the start, and to the speed type for the sport', () => {
    const xml = buildPolarXml({ summaryOnly: true, sport: null }).replace(/<time>[^<]*<\/time>/, '');
    const [w] = parse(utf8(xml), { timeZone: 'UTC' });
    expect(codes(w!)).toContain('start-from-created');
    expect(w!.sport).toBe('running');
    expect(w!.sourceSport.sport).toBe('RUNNING');
  });

  it('turns empty or unreadable values into counted gaps and heart rate 0 into a gap', () => {
    const xml = buildPolarXml({ durationSeconds: 20, intervalSeconds: 5, channels: ['HEARTRATE', 'ALTITUDE'] })
      .replace(/(<type>HEARTRATE<\/type>\s*<values>)[^<]*/, '$1120,0,,abc,130')
      .replace(/(<type>ALTITUDE<\/type>\s*<values>)[^<]*/, '$1 10 , 11,12,13,14');
    const [w] = parse(utf8(xml), { timeZone: 'UTC' });
    expect(w!.samples.heartRateBpm).toEqual([120, undefined, undefined, undefined, 130]);
    expect(w!.samples.altitudeMeters).toEqual([10, 11, 12, 13, 14]);
    expect(warning(w!, 'sample-unreadable')).toMatchObject({ count: 2 });
  });

  it('skips an exercise without a start and names it on the others', () => {
    const xml = buildPolarXml({ exercises: [{ summaryOnly: true }, { summaryOnly: true }] }).replace(/<created>[^<]*<\/created>\s*<time>[^<]*<\/time>/, '');
    const ws = parse(utf8(xml), { timeZone: 'UTC' });
    expect(ws).toHaveLength(1);
    expect(warning(ws[0]!, 'exercise-skipped')!.message).toMatch(/no readable <time> or <created>/);
  });

  it('keeps unknown channels out with a warning', () => {
    const xml = buildPolarXml({ durationSeconds: 10, channels: ['HEARTRATE'] }).replace('</samples>', '<sample><type>POWER_LRB</type><values>50,50,50</values></sample></samples>');
    const [w] = parse(utf8(xml), { timeZone: 'UTC' });
    expect(warning(w!, 'channel-not-kept')!.message).toContain('POWER_LRB');
  });
});

describe('polar-xml: RS200sd sessions', () => {
  it('reads the split date, the summary and the laps (written last first)', () => {
    const options = { startTime: '2024-01-10T08:00:00Z', offsetMinutes: 60, durationSeconds: 900, laps: [300, 300, 300] };
    const plan = planRs200(options);
    const [w] = parse(buildRs200XmlBytes(options), { timeZone: 'Europe/Berlin' });
    expect(w!.startTime).toBe(plan.startTime);
    expect(w!.utcOffsetMinutes).toBe(60);
    expect(w!).toMatchObject({ sport: 'running', name: 'Free', elapsedSeconds: 900, distanceMeters: plan.distanceMeters, energyKilocalories: plan.calories });
    expect(w!.summary.speedAvgMetersPerSecond).toBeCloseTo(1000 / plan.paceSecondsPerKm, 9);
    expect(w!.summary.speedMaxMetersPerSecond).toBeCloseTo(1000 / plan.maxPaceSecondsPerKm, 9);
    expect(w!.laps.map((l) => (l.startTime - w!.startTime) / 1000)).toEqual([0, 300, 600]);
    expect(w!.laps.map((l) => l.distanceMeters)).toEqual(plan.laps.map((l) => l.distanceMeters));
    expect(w!.laps.map((l) => l.trigger)).toEqual(['distance', 'distance', 'manual']);
    expect(w!.samples.offsetSeconds).toEqual([]);
    expect(codes(w!)).toContain('sport-assumed');
  });

  it('has no distance or speed without pace data, and no sport', () => {
    const [w] = parse(buildRs200XmlBytes({ pace: false }), { timeZone: 'UTC' });
    expect(w!.sport).toBe('other');
    expect(w!.distanceMeters).toBeUndefined();
    expect(w!.summary.speedAvgMetersPerSecond).toBeUndefined();
    expect(w!.laps.every((l) => l.distanceMeters === undefined)).toBe(true);
  });

  it('fails with no-data when the date fields are missing', () => {
    const xml = new TextDecoder().decode(buildRs200XmlBytes()).replace(/<year>\d+<\/year>/, '');
    const error = parseFailure(polarXmlParser, utf8(xml));
    expect(error.code).toBe('no-data');
    expect(error.message).toMatch(/^\[polar-xml\] test-file: .*no valid start date/);
  });
});

describe('polar-xml: structure errors name the file and what is wrong', () => {
  it.each([
    ['a file with only fitness data', '<polar-exercise-data><calendar-items count="1"><fitness-data><time>2010-04-02 15:37:00.0</time></fitness-data></calendar-items></polar-exercise-data>', 'no-data', /no <exercise>/],
    ['an exercise with nothing to import', '<polar-exercise-data><calendar-items><exercise><time>2010-04-02 15:37:00.0</time></exercise></calendar-items></polar-exercise-data>', 'no-data', /no duration, no samples and no laps/],
    ['a DOCTYPE', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><polar-exercise-data/>', 'unsupported-variant', /DOCTYPE/],
    ['a cut-off file', buildPolarXml({ durationSeconds: 60 }).slice(0, 900), 'truncated', /ends/],
  ])('%s', (_case, xml, code, message) => {
    const error = parseFailure(polarXmlParser, utf8(xml));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^\[polar-xml\] test-file/);
    expect(error.message).toMatch(message);
  });

  it('refuses a sample string longer than maxSamples without building it', () => {
    const bytes = buildPolarXmlBytes({ durationSeconds: 100, intervalSeconds: 1 });
    const error = parseFailure(polarXmlParser, bytes, contextFor(bytes, { limits: { maxSamples: 50 } }));
    expect(error.code).toBe('too-large');
    expect(error.message).toMatch(/more than 50 values/);
  });
});

describe('polar-xml: helpers', () => {
  it.each([
    ['00:52:36', 3156],
    ['00:05:50.700', 350.7],
    ['02:09:.100', 7740.1],
    ['00:50', 3000],
    ['1', 3600],
    ['00:00:06,5', 6.5],
    ['', NaN],
    ['1:2:3:4', NaN],
    ['ab:cd', NaN],
  ])('parseClockDuration(%j) = %d', (text, seconds) => {
    expect(parseClockDuration(text)).toBe(seconds);
  });

  it.each([
    ['Running', 'running'],
    ['Laufen', 'running'],
    ['Juoksu', 'running'],
    ['Radfahren', 'cycling'],
    ['Exercise Bike', 'cycling'],
    ['Natación', 'swimming'],
    ['Skilanglauf', 'skiing'],
    ['Krafttraining', 'strength'],
    ['Wandern', 'hiking'],
    ['Aerobics', undefined],
  ])('polarSportFromName(%j) = %s', (name, sport) => {
    expect(polarSportFromName(name)).toBe(sport);
  });

  it('detects both dialects by their root element, nothing else', () => {
    expect(polarXmlParser.detect(buildPolarXmlBytes())).toBe(true);
    expect(polarXmlParser.detect(buildRs200XmlBytes())).toBe(true);
    const seeds = fuzzSeeds();
    for (const format of ['fit', 'tcx', 'gpx'] as const) for (const bytes of seeds[format] ?? []) expect(polarXmlParser.detect(bytes)).toBe(false);
    expect(polarXmlParser.detect(buildPolarJsonBytes())).toBe(false);
    expect(polarXmlParser.detect(new Uint8Array(0))).toBe(false);
    expect(polarXmlParser.detect(utf8('<polar-exercise'))).toBe(false);
  });
});
