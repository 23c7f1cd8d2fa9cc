import type { Warning } from '@optimo-import/workout';
import { describe, expect, it } from 'vitest';
import { T0, mappingCode, plainWorkout } from './test-workouts.js';
import { buildWorkoutCreate, buildWorkoutSamplesAdd, buildWorkoutUpdate } from './workout-requests.js';
import type { XmlElement } from './xml-read.js';
import { childOf, childrenOf, readXml } from './xml-read.js';

const OPTIONS = { athleteId: 42, timeZone: 'Europe/Berlin' };

function parse(body: string): XmlElement {
  const parsed = readXml(body);
  if (!parsed.ok) throw new Error(parsed.detail);
  return parsed.root;
}

const names = (element: XmlElement | undefined): string[] => (element?.children ?? []).map((c) => c.name);
const texts = (element: XmlElement | undefined): Record<string, string> => Object.fromEntries((element?.children ?? []).map((c) => [c.name, c.text]));

describe('buildWorkoutCreate', () => {
  it('maps every field the contract has, in its order, with local times and rounding', () => {
    const body = buildWorkoutCreate(plainWorkout({ notes: 'Felt good 💪', summary: { heartRateAvgBpm: 148.26, heartRateMaxBpm: 171, heartRateMinBpm: 88, speedAvgMetersPerSecond: 2.86071, speedMaxMetersPerSecond: 4.1, cadenceAvgPerMinute: 171.44, cadenceMaxPerMinute: 186, powerAvgWatts: 251.66, powerMaxWatts: 502, ascentMeters: 85.04, descentMeters: 84.96, temperatureAvgCelsius: -2.25 } }), { ...OPTIONS, private: true });
    expect(body.startsWith('<?xml version="1.0" encoding="utf-8"?><request method="workout.create"><workout>')).toBe(true);
    const workout = childOf(parse(body), 'workout');
    expect(names(workout)).toEqual([
      'athlete_id', 'external_id', 'sport', 'sub_sport', 'name', 'notes', 'start_time', 'duration', 'moving_time', 'distance', 'calories',
      'avg_heart_rate', 'max_heart_rate', 'min_heart_rate', 'avg_speed', 'max_speed', 'avg_cadence', 'max_cadence', 'avg_power', 'max_power',
      'ascent', 'descent', 'avg_temperature', 'private', 'device', 'source_format', 'laps', 'samples',
    ]);
    const fields = texts(workout);
    expect(fields).toMatchObject({
      athlete_id: '42',
      external_id: 'fit:3999999999:1083481200',
      sport: 'running',
      sub_sport: 'trail',
      name: 'Morning run',
      notes: 'Felt good 💪',
      start_time: '2024-05-01 09:00:00',
      duration: '3605',
      moving_time: '3500.25',
      distance: '10012.46',
      calories: '713',
      avg_heart_rate: '148.3',
      avg_speed: '2.861',
      avg_cadence: '171.4',
      avg_power: '251.7',
      ascent: '85',
      descent: '85',
      avg_temperature: '-2.3',
      private: '1',
      source_format: 'fit',
    });
    expect(texts(childOf(workout as XmlElement, 'device'))).toEqual({ manufacturer: 'garmin', product: 'fenix 7', serial: '3999999999', software: '12.10' });
  });

  it('leaves out a lap trigger the contract does not know', () => {
    const warnings: Warning[] = [];
    const body = buildWorkoutCreate(plainWorkout({ laps: [{ startTime: T0, elapsedSeconds: 10, summary: {}, trigger: 'heart_rate' as never }] }), { ...OPTIONS, onWarning: (w) => warnings.push(w) });
    expect(body).toContain('<laps><lap><start_time>2024-05-01 09:00:00</start_time><duration>10</duration></lap></laps>');
    expect(warnings.map((w) => w.code)).toEqual(['value-left-out']);
  });

  it('writes laps with their local start and trigger', () => {
    const laps = childrenOf(childOf(childOf(parse(buildWorkoutCreate(plainWorkout(), OPTIONS)), 'workout') as XmlElement, 'laps') as XmlElement, 'lap');
    expect(laps.map(texts)).toEqual([
      { start_time: '2024-05-01 09:00:00', duration: '301.5', distance: '1000', avg_heart_rate: '140', trigger: 'distance' },
      { start_time: '2024-05-01 09:05:01', duration: '3303.5', trigger: 'session_end' },
    ]);
  });

  it('writes each sample with its offset and only the channels present at that index', () => {
    const body = buildWorkoutCreate(plainWorkout(), OPTIONS);
    expect(body).toContain(
      '<samples>' +
        '<sample><offset>0</offset><heart_rate>92</heart_rate><speed>0</speed><lat>38.7223123</lat><lon>-9.13934</lon></sample>' +
        '<sample><offset>1</offset><speed>2.123</speed><lat>38.7224</lat><lon>-9.1394</lon></sample>' +
        '<sample><offset>2.5</offset><heart_rate>95</heart_rate><speed>2.2</speed></sample>' +
        '<sample><offset>4</offset><heart_rate>96</heart_rate><lat>38.7226</lat><lon>-9.1396</lon></sample>' +
        '</samples>',
    );
  });

  it('keeps a sample with no value as its offset alone, and leaves out <samples> when there are none', () => {
    const withEmpty = buildWorkoutCreate(plainWorkout({ samples: { offsetSeconds: [0, 1], heartRateBpm: [undefined, 100] } }), OPTIONS);
    expect(withEmpty).toContain('<samples><sample><offset>0</offset></sample><sample><offset>1</offset><heart_rate>100</heart_rate></sample></samples>');
    expect(buildWorkoutCreate(plainWorkout({ samples: { offsetSeconds: [] } }), OPTIONS)).not.toContain('<samples');
  });

  it('leaves out unknown values and says so', () => {
    const warnings: Warning[] = [];
    const workout = plainWorkout({
      movingSeconds: undefined,
      distanceMeters: Number.NaN,
      energyKilocalories: undefined,
      summary: { speedAvgMetersPerSecond: -1, heartRateAvgBpm: Number.POSITIVE_INFINITY, temperatureAvgCelsius: -4 },
      name: '   ',
      samples: { offsetSeconds: [0, 1], speedMetersPerSecond: [-2, 3], altitudeMeters: [-12.345, Number.NaN] },
    });
    const body = buildWorkoutCreate(workout, { ...OPTIONS, onWarning: (w) => warnings.push(w) });
    const fields = names(childOf(parse(body), 'workout'));
    for (const absent of ['moving_time', 'distance', 'calories', 'avg_speed', 'avg_heart_rate', 'name']) expect(fields).not.toContain(absent);
    expect(body).toContain('<avg_temperature>-4</avg_temperature>');
    expect(body).toContain('<sample><offset>0</offset><altitude>-12.35</altitude></sample><sample><offset>1</offset><speed>3</speed></sample>');
    expect(warnings).toEqual([expect.objectContaining({ code: 'value-left-out', count: 5 })]);
  });

  it('escapes text, keeps emoji and removes control characters XML 1.0 forbids', () => {
    const warnings: Warning[] = [];
    const body = buildWorkoutCreate(plainWorkout({ name: 'Tempo & strides <5k> "quoted" \'x\' 🏃‍♂️\u0007\u001B', notes: ' line 1\r\nline 2\u0000\r\n' }), { ...OPTIONS, onWarning: (w) => warnings.push(w) });
    expect(body).toContain('<name>Tempo &amp; strides &lt;5k&gt; &quot;quoted&quot; &apos;x&apos; 🏃‍♂️</name>');
    expect(body).toContain('<notes>line 1&#13;\nline 2</notes>');
    expect(warnings.map((w) => w.code)).toEqual(['control-characters-removed']);
    expect(texts(childOf(parse(body), 'workout')).notes).toBe('line 1\r\nline 2');
  });

  it('takes name, notes and external id from the options over the workout', () => {
    const fields = texts(childOf(parse(buildWorkoutCreate(plainWorkout(), { ...OPTIONS, externalId: 'mine-1', name: 'Renamed', notes: 'n', private: false })), 'workout'));
    expect(fields).toMatchObject({ external_id: 'mine-1', name: 'Renamed', notes: 'n', private: '0' });
  });

  it('counts the start in milliseconds into the offsets, so each sample keeps its instant', () => {
    const body = buildWorkoutCreate(plainWorkout({ startTime: T0 + 750, laps: [], samples: { offsetSeconds: [0, 0.25, 1.0004, 1.0006, 1.0009], heartRateBpm: [1, 2, 3, 4, 5] } }), OPTIONS);
    expect(body).toContain('<start_time>2024-05-01 09:00:00</start_time>');
    expect(body).toContain('<sample><offset>0.75</offset><heart_rate>1</heart_rate></sample><sample><offset>1</offset><heart_rate>2</heart_rate></sample><sample><offset>1.75</offset><heart_rate>3</heart_rate></sample><sample><offset>1.751</offset><heart_rate>4</heart_rate></sample>');
    // 1.0009 s rounds to the same millisecond as 1.0006 s: skipped and counted.
    expect(body).not.toContain('<heart_rate>5</heart_rate>');
  });

  it('sends an unknown sport as other with a warning, and maps a spelled one', () => {
    const warnings: Warning[] = [];
    const other = buildWorkoutCreate(plainWorkout({ sport: 'paragliding' as never, sourceSport: { sport: 'paragliding' } }), { ...OPTIONS, onWarning: (w) => warnings.push(w) });
    expect(other).toContain('<sport>other</sport>');
    expect(warnings.map((w) => w.code)).toEqual(['sport-unmapped']);
    expect(buildWorkoutCreate(plainWorkout({ sport: 'Trail Running' as never }), OPTIONS)).toContain('<sport>running</sport>');
    expect(buildWorkoutCreate(plainWorkout({ sourceSport: { sport: 'cycling', subSport: 'generic' }, sport: 'cycling' }), OPTIONS)).not.toContain('sub_sport');
  });

  it('throws MappingError for a workout it cannot express', () => {
    expect(mappingCode(() => buildWorkoutCreate(plainWorkout({ startTime: Number.NaN }), OPTIONS))).toBe('no-start-time');
    expect(mappingCode(() => buildWorkoutCreate(plainWorkout({ startTime: undefined as never }), OPTIONS))).toBe('no-start-time');
    expect(mappingCode(() => buildWorkoutCreate(plainWorkout({ startTime: 8.64e15 }), OPTIONS))).toBe('no-start-time');
    expect(mappingCode(() => buildWorkoutCreate(plainWorkout({ elapsedSeconds: -1 }), OPTIONS))).toBe('no-duration');
    expect(mappingCode(() => buildWorkoutCreate(plainWorkout({ laps: [{ startTime: Number.NaN, elapsedSeconds: 1, summary: {} }] }), OPTIONS))).toBe('no-start-time');
    expect(mappingCode(() => buildWorkoutCreate(plainWorkout({ externalId: 'x'.repeat(129) }), OPTIONS))).toBe('invalid-value');
    expect(mappingCode(() => buildWorkoutCreate(plainWorkout({ notes: 'ü'.repeat(1000) }), { ...OPTIONS, maxBodyBytes: 2000 }))).toBe('body-too-large');
    const offsets = Array.from({ length: 200_001 }, (_, i) => i);
    expect(mappingCode(() => buildWorkoutCreate(plainWorkout({ samples: { offsetSeconds: offsets } }), OPTIONS))).toBe('too-many-samples');
  });

  it('names the method and the workout in its messages', () => {
    expect(() => buildWorkoutCreate(plainWorkout({ startTime: Number.NaN }), OPTIONS)).toThrow('[workout.create] fit:3999999999:1083481200 start_time: no usable start time (NaN)');
  });

  it('rejects bad options with RangeError in one message form', () => {
    const w = plainWorkout();
    expect(() => buildWorkoutCreate(w, { athleteId: 42 } as never)).toThrow('[mapper] option `timeZone` must be an IANA time zone known to Intl (e.g. "Europe/Berlin"), got undefined');
    expect(() => buildWorkoutCreate(w, { ...OPTIONS, timeZone: 'CEST' })).toThrow(RangeError);
    expect(() => buildWorkoutCreate(w, { ...OPTIONS, athleteId: '' })).toThrow('[mapper] option `athleteId` must be');
    expect(() => buildWorkoutCreate(w, { ...OPTIONS, externalId: '🏃'.repeat(129) })).toThrow('[mapper] option `externalId` must be a non-blank string of at most 128 characters');
    expect(() => buildWorkoutCreate(w, { ...OPTIONS, maxBodyBytes: 100 })).toThrow('[mapper] option `maxBodyBytes` must be a whole number ≥ 1024, got 100');
    expect(() => buildWorkoutCreate(w, { ...OPTIONS, private: 'yes' as never })).toThrow('[mapper] option `private` must be a boolean, got "yes"');
    expect(() => buildWorkoutCreate(w, OPTIONS, { fromIndex: 2, toIndex: 1 })).toThrow('[mapper] option `range` must be');
    expect(buildWorkoutCreate(w, { ...OPTIONS, externalId: '🏃'.repeat(128) })).toContain('🏃'.repeat(128));
  });

  it('sends a range of samples when asked', () => {
    const body = buildWorkoutCreate(plainWorkout(), OPTIONS, { fromIndex: 0, toIndex: 2 });
    expect(childrenOf(childOf(childOf(parse(body), 'workout') as XmlElement, 'samples') as XmlElement, 'sample')).toHaveLength(2);
  });

  it('writes the local time of the account, daylight saving applied', () => {
    const at = (iso: string, timeZone: string): string | undefined => texts(childOf(parse(buildWorkoutCreate(plainWorkout({ startTime: Date.parse(iso), laps: [] }), { ...OPTIONS, timeZone })), 'workout')).start_time;
    expect(at('2024-01-10T07:00:00Z', 'Europe/Berlin')).toBe('2024-01-10 08:00:00');
    expect(at('2024-10-27T00:30:00Z', 'Europe/Berlin')).toBe('2024-10-27 02:30:00');
    expect(at('2024-11-03T06:30:00Z', 'America/New_York')).toBe('2024-11-03 01:30:00');
    expect(at('2024-10-05T15:30:00Z', 'Australia/Lord_Howe')).toBe('2024-10-06 02:30:00');
  });
});

describe('buildWorkoutSamplesAdd', () => {
  it('writes workout_id and the samples of the range', () => {
    const body = buildWorkoutSamplesAdd(8812, plainWorkout(), { fromIndex: 2, toIndex: 4 });
    expect(body).toBe(
      '<?xml version="1.0" encoding="utf-8"?><request method="workout.samples.add"><workout_id>8812</workout_id><samples>' +
        '<sample><offset>2.5</offset><heart_rate>95</heart_rate><speed>2.2</speed></sample>' +
        '<sample><offset>4</offset><heart_rate>96</heart_rate><lat>38.7226</lat><lon>-9.1396</lon></sample>' +
        '</samples></request>',
    );
  });

  it('refuses an empty or outside range and a bad id', () => {
    expect(() => buildWorkoutSamplesAdd(1, plainWorkout(), { fromIndex: 2, toIndex: 2 })).toThrow(RangeError);
    expect(() => buildWorkoutSamplesAdd(1, plainWorkout(), { fromIndex: 0, toIndex: 5 })).toThrow(RangeError);
    expect(() => buildWorkoutSamplesAdd(' 1', plainWorkout(), { fromIndex: 0, toIndex: 1 })).toThrow(RangeError);
  });
});

describe('buildWorkoutUpdate', () => {
  it('sends workout_id and only the fields given; null clears', () => {
    const body = buildWorkoutUpdate(
      8812,
      { name: 'Renamed & fixed', notes: null, sport: 'hiking', startTime: Date.parse('2024-07-01T05:00:00Z'), movingSeconds: null, summary: { heartRateAvgBpm: 140.04, powerAvgWatts: null }, private: true, device: null },
      { timeZone: 'Europe/Berlin' },
    );
    expect(body).toBe(
      '<?xml version="1.0" encoding="utf-8"?><request method="workout.update"><workout><workout_id>8812</workout_id><sport>hiking</sport>' +
        '<name>Renamed &amp; fixed</name><notes/><start_time>2024-07-01 07:00:00</start_time><moving_time/><avg_heart_rate>140</avg_heart_rate>' +
        '<avg_power/><private>1</private><device/></workout></request>',
    );
  });

  it('replaces laps, and [] removes them', () => {
    const laps = plainWorkout().laps;
    expect(buildWorkoutUpdate(1, { laps }, { timeZone: 'UTC' })).toContain('<laps><lap><start_time>2024-05-01 07:00:00</start_time>');
    expect(buildWorkoutUpdate(1, { laps: [] }, { timeZone: 'UTC' })).toContain('<laps></laps>');
  });

  it('refuses samples, unknown sports and values the API cannot take', () => {
    expect(mappingCode(() => buildWorkoutUpdate(1, { samples: { offsetSeconds: [0] } } as never, { timeZone: 'UTC' }))).toBe('invalid-value');
    expect(mappingCode(() => buildWorkoutUpdate(1, { sport: 'kitesurf' as never }, { timeZone: 'UTC' }))).toBe('invalid-value');
    expect(mappingCode(() => buildWorkoutUpdate(1, { distanceMeters: -5 }, { timeZone: 'UTC' }))).toBe('invalid-value');
    expect(mappingCode(() => buildWorkoutUpdate(1, { externalId: 'x'.repeat(129) }, { timeZone: 'UTC' }))).toBe('invalid-value');
    expect(mappingCode(() => buildWorkoutUpdate(1, { startTime: Number.NaN }, { timeZone: 'UTC' }))).toBe('no-start-time');
    expect(() => buildWorkoutUpdate(1, {}, {} as never)).toThrow(RangeError);
  });
});
