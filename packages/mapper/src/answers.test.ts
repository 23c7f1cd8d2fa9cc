import { describe, expect, it } from 'vitest';
import {
  numberIn,
  readAssessmentList,
  readAthlete,
  readAthleteList,
  readIds,
  readStaffCurrent,
  readSystemCurrent,
  readWorkout,
  readWorkoutList,
} from './answers.js';
import type { OkAnswer } from './responses.js';
import { readResponse } from './responses.js';
import { mappingCode } from './test-workouts.js';

function ok(body: string): OkAnswer {
  const answer = readResponse(body);
  if (answer.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(answer)}`);
  return answer;
}

const BERLIN = { timeZone: 'Europe/Berlin' };

describe('readIds', () => {
  it('reads the ids of create and samples.add answers', () => {
    expect(readIds(ok('<response status="ok"><workout_id>8812</workout_id></response>'))).toEqual({ workoutId: '8812' });
    expect(readIds(ok('<response status="ok"><workout_id> 8812 </workout_id><sample_count>43200</sample_count></response>'))).toEqual({ workoutId: '8812', sampleCount: 43_200 });
    expect(readIds(ok('<request status="ok"><athlete_id>7</athlete_id></request>'))).toEqual({ athleteId: '7' });
    expect(readIds(ok('<response status="ok"><assessment_id>31</assessment_id><unknown>1</unknown></response>'))).toEqual({ assessmentId: '31' });
    expect(readIds(ok('<response status="ok"/>'))).toEqual({});
  });

  it('refuses a result that is not ok', () => {
    expect(mappingCode(() => readIds(readResponse('<response status="fail"/>') as never))).toBe('unexpected-answer');
  });
});

describe('readSystemCurrent and readStaffCurrent', () => {
  it('reads system.current', () => {
    const body = '<response status="ok"><system><name>Club</name><timezone>Europe/Lisbon</timezone><api><requests>17</requests><request_limit>5000</request_limit><resets_in>3600</resets_in></api><plan>gold</plan></system></response>';
    expect(readSystemCurrent(ok(body))).toEqual({ name: 'Club', timeZone: 'Europe/Lisbon', requests: 17, requestLimit: 5000, resetsInSeconds: 3600 });
  });

  it('refuses a system.current answer without its quota or zone', () => {
    expect(mappingCode(() => readSystemCurrent(ok('<response status="ok"/>')))).toBe('unexpected-answer');
    expect(mappingCode(() => readSystemCurrent(ok('<response status="ok"><system><timezone>UTC</timezone><api><requests>1</requests></api></system></response>')))).toBe('unexpected-answer');
    expect(mappingCode(() => readSystemCurrent(ok('<response status="ok"><system><timezone/><api><requests>1</requests><request_limit>2</request_limit><resets_in>3</resets_in></api></system></response>')))).toBe('unexpected-answer');
  });

  it('reads staff.current', () => {
    const body = '<response status="ok"><staff><staff_id>3</staff_id><username>coach.ana</username><first_name>Ana</first_name><last_name>Silva</last_name><email>ana@example.com</email><role>coach</role></staff></response>';
    expect(readStaffCurrent(ok(body))).toEqual({ staffId: '3', username: 'coach.ana', firstName: 'Ana', lastName: 'Silva', email: 'ana@example.com', role: 'coach' });
    expect(readStaffCurrent(ok('<response status="ok"><staff><staff_id>1</staff_id><role>owner</role></staff></response>'))).toEqual({ staffId: '1' });
  });
});

describe('athletes', () => {
  const athlete = '<athlete><athlete_id>7</athlete_id><first_name>Ana</first_name><last_name>O&apos;Brien</last_name><email/><coach_id>3</coach_id><birth_date>1990-04-12</birth_date><sex>F</sex><weight>58.5</weight><max_heart_rate>191</max_heart_rate><resting_heart_rate>44</resting_heart_rate><folder>active</folder><updated>2024-10-27 02:30:00</updated></athlete>';

  it('reads athlete.get, the update time in UTC (first of a repeated hour)', () => {
    expect(readAthlete(ok(`<response status="ok">${athlete}</response>`), BERLIN)).toEqual({
      athleteId: '7',
      firstName: 'Ana',
      lastName: "O'Brien",
      coachId: '3',
      birthDate: '1990-04-12',
      sex: 'F',
      weightKilograms: 58.5,
      maxHeartRateBpm: 191,
      restingHeartRateBpm: 44,
      folder: 'active',
      updated: Date.parse('2024-10-27T00:30:00Z'),
    });
  });

  it('reads a one-item list as a list, with its paging', () => {
    expect(readAthleteList(ok(`<response status="ok"><athletes page="1" per_page="25" pages="1" total="1">${athlete}</athletes></response>`), BERLIN)).toMatchObject({
      page: 1,
      perPage: 25,
      pages: 1,
      total: 1,
      items: [{ athleteId: '7' }],
    });
  });

  it('reads an empty page past the last', () => {
    expect(readAthleteList(ok('<response status="ok"><athletes page="9" per_page="100" pages="3" total="250"/></response>'), BERLIN)).toEqual({ page: 9, perPage: 100, pages: 3, total: 250, items: [] });
  });

  it('refuses a list without its wrapper or paging, and an athlete without id', () => {
    expect(mappingCode(() => readAthleteList(ok('<response status="ok"/>'), BERLIN))).toBe('unexpected-answer');
    expect(mappingCode(() => readAthleteList(ok('<response status="ok"><athletes page="1" per_page="25" total="1"/></response>'), BERLIN))).toBe('unexpected-answer');
    expect(mappingCode(() => readAthleteList(ok('<response status="ok"><athletes page="0" per_page="25" pages="1" total="0"/></response>'), BERLIN))).toBe('unexpected-answer');
    expect(mappingCode(() => readAthlete(ok('<response status="ok"><athlete><first_name>A</first_name></athlete></response>'), BERLIN))).toBe('unexpected-answer');
    expect(() => readAthlete(ok(`<response status="ok">${athlete}</response>`), { timeZone: 'Nowhere/Land' })).toThrow(RangeError);
  });
});

describe('workouts', () => {
  const workout = `<workout>
    <workout_id>8812</workout_id><athlete_id>42</athlete_id><external_id>sha256:9f2c</external_id><sport>running</sport><sub_sport>trail</sub_sport>
    <name>Tempo &amp; strides</name><notes/><start_time>2024-03-31 01:59:30</start_time><duration>3605</duration><moving_time>3500.5</moving_time>
    <distance>10012.5</distance><calories>700</calories><avg_heart_rate>148</avg_heart_rate><max_heart_rate>171</max_heart_rate><min_heart_rate>90</min_heart_rate>
    <avg_speed>2.777</avg_speed><max_speed>4.1</max_speed><avg_cadence>172</avg_cadence><max_cadence>190</max_cadence><avg_power>250</avg_power><max_power>500</max_power>
    <ascent>85</ascent><descent>84</descent><avg_temperature>-2.5</avg_temperature><private>0</private>
    <device><manufacturer>garmin</manufacturer><product>fenix 7</product></device><source_format>fit</source_format><folder>active</folder><updated>2024-04-01 10:00:00</updated>
    <weather>sunny</weather>
    <laps>
      <lap><start_time>2024-03-31 01:59:30</start_time><duration>60</duration><distance>200</distance><avg_heart_rate>140</avg_heart_rate><trigger>manual</trigger></lap>
      <lap><start_time>2024-03-31 03:00:30</start_time><duration>3545</duration><trigger>session_end</trigger></lap>
    </laps>
    <samples>
      <sample><offset>0</offset><heart_rate>92</heart_rate><lat>38.7223</lat><lon>-9.1393</lon></sample>
      <sample><offset>1.5</offset><heart_rate/><speed>2.5</speed><unknown>5</unknown></sample>
      <sample><heart_rate>99</heart_rate></sample>
      <sample><offset>3</offset><altitude>-3.5</altitude><temperature>-2</temperature><distance>4.2</distance><cadence>170</cadence><power>210</power></sample>
    </samples>
  </workout>`;

  it('reads workout.get with laps, samples as columns and times in UTC', () => {
    const record = readWorkout(ok(`<response status="ok">${workout}</response>`), BERLIN);
    expect(record).toEqual({
      workoutId: '8812',
      athleteId: '42',
      externalId: 'sha256:9f2c',
      sport: 'running',
      subSport: 'trail',
      name: 'Tempo & strides',
      startTime: Date.parse('2024-03-31T00:59:30Z'),
      elapsedSeconds: 3605,
      movingSeconds: 3500.5,
      distanceMeters: 10012.5,
      energyKilocalories: 700,
      summary: {
        heartRateAvgBpm: 148,
        heartRateMaxBpm: 171,
        heartRateMinBpm: 90,
        speedAvgMetersPerSecond: 2.777,
        speedMaxMetersPerSecond: 4.1,
        cadenceAvgPerMinute: 172,
        cadenceMaxPerMinute: 190,
        powerAvgWatts: 250,
        powerMaxWatts: 500,
        ascentMeters: 85,
        descentMeters: 84,
        temperatureAvgCelsius: -2.5,
      },
      private: false,
      device: { manufacturer: 'garmin', product: 'fenix 7' },
      sourceFormat: 'fit',
      folder: 'active',
      updated: Date.parse('2024-04-01T08:00:00Z'),
      laps: [
        { startTime: Date.parse('2024-03-31T00:59:30Z'), elapsedSeconds: 60, distanceMeters: 200, summary: { heartRateAvgBpm: 140 }, trigger: 'manual' },
        // 03:00:30 CEST: after the spring change.
        { startTime: Date.parse('2024-03-31T01:00:30Z'), elapsedSeconds: 3545, summary: {}, trigger: 'session_end' },
      ],
      samples: {
        offsetSeconds: [0, 1.5, 3],
        heartRateBpm: [92, undefined, undefined],
        speedMetersPerSecond: [undefined, 2.5, undefined],
        cadencePerMinute: [undefined, undefined, 170],
        powerWatts: [undefined, undefined, 210],
        altitudeMeters: [undefined, undefined, -3.5],
        latitudeDegrees: [38.7223, undefined, undefined],
        longitudeDegrees: [-9.1393, undefined, undefined],
        distanceMeters: [undefined, undefined, 4.2],
        temperatureCelsius: [undefined, undefined, -2],
      },
    });
    expect(record.samples?.heartRateBpm).toHaveLength(3);
  });

  it('leaves samples out when the answer has none, and reads a one-item workout list', () => {
    const list = readWorkoutList(ok(`<ns:response xmlns:ns="urn:x" status="ok"><ns:workouts page="2" per_page="100" pages="2" total="101"><ns:workout><ns:workout_id>1</ns:workout_id><ns:sport>cycling</ns:sport><ns:start_time>2024-11-03 01:30:00</ns:start_time></ns:workout></ns:workouts></ns:response>`), { timeZone: 'America/New_York' });
    expect(list).toEqual({
      page: 2,
      perPage: 100,
      pages: 2,
      total: 101,
      items: [{ workoutId: '1', sport: 'cycling', startTime: Date.parse('2024-11-03T05:30:00Z'), summary: {}, device: {}, laps: [] }],
    });
    expect(list.items[0]).not.toHaveProperty('samples');
  });

  it('refuses a workout.get answer without <workout>', () => {
    expect(mappingCode(() => readWorkout(ok('<response status="ok"><workouts/></response>'), BERLIN))).toBe('unexpected-answer');
  });
});

describe('assessments', () => {
  it('reads assessment.list', () => {
    const body = '<response status="ok"><assessments page="1" per_page="25" pages="1" total="2"><assessment><assessment_id>1</assessment_id><athlete_id>42</athlete_id><type>ftp_test</type><date>2024-05-01</date><ftp>281</ftp></assessment><assessment><assessment_id>2</assessment_id><type>body_composition</type><date>2024-05-02</date><weight>70.2</weight><body_fat>13</body_fat><vo2max>55.3</vo2max><max_heart_rate>190</max_heart_rate><resting_heart_rate>44</resting_heart_rate><notes> lab </notes><external_id>lab-1</external_id></assessment></assessments></response>';
    expect(readAssessmentList(ok(body))).toEqual({
      page: 1,
      perPage: 25,
      pages: 1,
      total: 2,
      items: [
        { assessmentId: '1', athleteId: '42', type: 'ftp_test', date: '2024-05-01', ftpWatts: 281 },
        { assessmentId: '2', type: 'body_composition', date: '2024-05-02', weightKilograms: 70.2, bodyFatPercent: 13, vo2max: 55.3, maxHeartRateBpm: 190, restingHeartRateBpm: 44, notes: 'lab', externalId: 'lab-1' },
      ],
    });
  });
});

describe('numberIn', () => {
  const element = (text: string) => {
    const root = ok(`<response status="ok"><id>${text}</id></response>`).root;
    if (!root) throw new Error('no root');
    return root;
  };

  it('reads decimal numbers in every written form and nothing else', () => {
    for (const [text, value] of [['12', 12], ['-1.5', -1.5], ['1.', 1], ['.5', 0.5], ['+2e3', 2000], ['1.5E-1', 0.15]] as const) {
      expect(numberIn(element(text), 'id'), text).toBe(value);
    }
    for (const text of ['', '.', '1.2.3', 'e5', '1e', '12a', '0x10', 'Infinity', '1e999']) expect(numberIn(element(text), 'id'), text).toBeUndefined();
  });

  it('refuses a 100,000-digit run that ends in a letter (once quadratic backtracking, now one pass)', () => {
    expect(numberIn(element(`${'7'.repeat(100_000)}x`), 'id')).toBeUndefined();
    expect(numberIn(element('7'.repeat(300)), 'id')).toBe(Number('7'.repeat(300)));
  });
});
