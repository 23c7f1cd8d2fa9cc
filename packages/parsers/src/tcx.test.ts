import { describe, expect, it } from 'vitest';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { isParseError } from './errors.js';
import type { ParseError } from './errors.js';
import { tcxParser } from './tcx.js';
import { DEFAULT_LIMITS } from './types.js';
import type { ParseContext } from './types.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const ctx = (extra: Partial<ParseContext> = {}): ParseContext => ({ sha256: 'abc', limits: DEFAULT_LIMITS, fileName: 'test.tcx', ...extra });

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`;

const doc = (activities: string, extra = ''): string => `${HEAD}\n<Activities>\n${activities}\n</Activities>${extra}\n</TrainingCenterDatabase>\n`;

function parse(xml: string, extra: Partial<ParseContext> = {}): Workout[] {
  const workouts = tcxParser.parse(bytes(xml), ctx(extra));
  for (const w of workouts) expect(validateWorkout(w)).toEqual([]);
  return workouts;
}

function failure(xml: string): ParseError {
  try {
    tcxParser.parse(bytes(xml), ctx());
  } catch (error) {
    if (isParseError(error)) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

const point = (time: string, inner = ''): string => `<Trackpoint><Time>${time}</Time>${inner}</Trackpoint>`;
const warningCodes = (w: Workout): string[] => w.warnings.map((x) => x.code);

/** A run: two laps of 60 s, points every 30 s, RunCadence (strides) in ns3:TPX, LX lap extension. */
const RUN = `<Activity Sport="Running">
  <Id>2024-05-01T07:00:00Z</Id>
  <Lap StartTime="2024-05-01T07:00:00Z">
    <TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>200</DistanceMeters><MaximumSpeed>3.5</MaximumSpeed><Calories>15</Calories>
    <AverageHeartRateBpm><Value>130</Value></AverageHeartRateBpm><MaximumHeartRateBpm><Value>141</Value></MaximumHeartRateBpm>
    <Intensity>Active</Intensity><TriggerMethod>Distance</TriggerMethod>
    <Track>
      ${point('2024-05-01T07:00:00Z', '<Position><LatitudeDegrees>38.7</LatitudeDegrees><LongitudeDegrees>-9.14</LongitudeDegrees></Position><AltitudeMeters>10</AltitudeMeters><DistanceMeters>0</DistanceMeters><HeartRateBpm><Value>120</Value></HeartRateBpm><Extensions><ns3:TPX><ns3:Speed>3.1</ns3:Speed><ns3:RunCadence>84</ns3:RunCadence></ns3:TPX></Extensions>')}
      ${point('2024-05-01T07:00:30Z', '<DistanceMeters>100</DistanceMeters><HeartRateBpm><Value>140</Value></HeartRateBpm><Extensions><ns3:TPX><ns3:RunCadence>86</ns3:RunCadence></ns3:TPX></Extensions>')}
    </Track>
    <Extensions><ns3:LX><ns3:AvgSpeed>3.33</ns3:AvgSpeed><ns3:AvgRunCadence>85</ns3:AvgRunCadence><ns3:MaxRunCadence>90</ns3:MaxRunCadence></ns3:LX></Extensions>
  </Lap>
  <Lap StartTime="2024-05-01T07:01:00Z">
    <TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>210</DistanceMeters><Calories>16</Calories><Intensity>Resting</Intensity><TriggerMethod>Location</TriggerMethod><Notes>walk back</Notes>
    <Track>
      ${point('2024-05-01T07:01:00Z', '<DistanceMeters>200</DistanceMeters><Extensions><TPX xmlns="http://www.garmin.com/xmlschemas/ActivityExtension/v2"><RunCadence>88</RunCadence></TPX></Extensions>')}
      ${point('2024-05-01T07:01:30Z', '<DistanceMeters>300</DistanceMeters><Extensions><ax:TPX xmlns:ax="http://www.garmin.com/xmlschemas/ActivityExtension/v2"><ax:RunCadence>90</ax:RunCadence></ax:TPX></Extensions>')}
      ${point('2024-05-01T07:01:59Z', '<DistanceMeters>410</DistanceMeters>')}
    </Track>
  </Lap>
  <Notes>Easy &amp; short</Notes>
  <Creator xsi:type="Device_t"><Name>Forerunner 245</Name><UnitId>3999999999</UnitId><ProductID>3076</ProductID>
    <Version><VersionMajor>7</VersionMajor><VersionMinor>5</VersionMinor><BuildMajor>0</BuildMajor><BuildMinor>0</BuildMinor></Version></Creator>
</Activity>`;

describe('tcxParser.detect', () => {
  it('finds the root element after BOM, whitespace, declaration and comments', () => {
    expect(tcxParser.detect(bytes(`\uFEFF \n ${HEAD}`))).toBe(true);
    expect(tcxParser.detect(bytes('<?xml version="1.0"?>\n<!-- Strava -->\n<TrainingCenterDatabase>'))).toBe(true);
    expect(tcxParser.detect(bytes('<?xml version="1.0"?><gpx version="1.1">'))).toBe(false);
    expect(tcxParser.detect(bytes('TrainingCenterDatabase'))).toBe(false);
    expect(tcxParser.detect(new Uint8Array(0))).toBe(false);
  });
});

describe('tcxParser.parse: one run', () => {
  const [w] = parse(doc(RUN)) as [Workout];

  it('reads start, totals and identity', () => {
    expect(w.source).toMatchObject({ format: 'tcx', index: 0, count: 1, sha256: 'abc', fileName: 'test.tcx' });
    expect(w.sport).toBe('running');
    expect(w.sourceSport).toEqual({ sport: 'Running' });
    expect(new Date(w.startTime).toISOString()).toBe('2024-05-01T07:00:00.000Z');
    expect(w.utcOffsetSource).toBe('none');
    expect(w.elapsedSeconds).toBe(120);
    expect(w.movingSeconds).toBe(120);
    expect(w.distanceMeters).toBe(410);
    expect(w.energyKilocalories).toBe(31);
    expect(w.notes).toBe('Easy & short');
    expect(w.device).toEqual({ manufacturer: 'Garmin', product: 'Forerunner 245', serial: '3999999999', software: '7.05' });
  });

  it('keeps the laps with their own values, triggers mapped', () => {
    expect(w.laps).toHaveLength(2);
    const [a, b] = w.laps as [Workout['laps'][number], Workout['laps'][number]];
    expect(a).toMatchObject({ elapsedSeconds: 60, movingSeconds: 60, distanceMeters: 200, energyKilocalories: 15, trigger: 'distance' });
    expect(a.summary).toMatchObject({ heartRateAvgBpm: 130, heartRateMaxBpm: 141, speedMaxMetersPerSecond: 3.5, speedAvgMetersPerSecond: 3.33 });
    expect(b.trigger).toBe('position');
    expect(a.intensity).toBe('active');
    expect(b).toMatchObject({ intensity: 'rest', notes: 'walk back' });
    expect(w.notes).toBe('Easy & short');
    expect(b.startTime - w.startTime).toBe(60_000);
  });

  it('doubles running cadence (strides → steps) in samples and lap values, whatever the TPX prefix', () => {
    expect(w.samples.cadencePerMinute).toEqual([168, 172, 176, 180, undefined]);
    expect(w.laps[0]?.summary.cadenceAvgPerMinute).toBe(170);
    expect(w.laps[0]?.summary.cadenceMaxPerMinute).toBe(180);
  });

  it('fills sample columns with gaps', () => {
    expect(w.samples.offsetSeconds).toEqual([0, 30, 60, 90, 119]);
    expect(w.samples.heartRateBpm).toEqual([120, 140, undefined, undefined, undefined]);
    expect(w.samples.speedMetersPerSecond).toEqual([3.1, undefined, undefined, undefined, undefined]);
    expect(w.samples.distanceMeters).toEqual([0, 100, 200, 300, 410]);
    expect(w.samples.latitudeDegrees?.[0]).toBe(38.7);
    expect(w.samples.powerWatts).toBeUndefined();
  });
});

describe('tcxParser.parse: structure', () => {
  it('gives one workout per Activity, in file order', () => {
    const ride = RUN.replace('Sport="Running"', 'Sport="Biking"').replaceAll('2024-05-01', '2024-05-03');
    const ws = parse(doc(`${RUN}\n${ride}`));
    expect(ws.map((w) => [w.source.index, w.source.count, w.sport])).toEqual([
      [0, 2, 'running'],
      [1, 2, 'cycling'],
    ]);
    expect(ws[0]?.externalId).toBe('sha256:abc#0');
    expect(ws[1]?.source.group).toBeUndefined();
    // RunCadence on a bike stays as written.
    expect(ws[1]?.samples.cadencePerMinute?.[0]).toBe(84);
  });

  it('groups the activities of a MultiSportSession and ignores Transition laps', () => {
    const bike = `<Activity Sport="Biking"><Id>2024-05-01T07:05:00Z</Id><Lap StartTime="2024-05-01T07:05:00Z"><TotalTimeSeconds>60</TotalTimeSeconds>
      <Track>${point('2024-05-01T07:05:00Z', '<Cadence>90</Cadence><Extensions><ns3:TPX><ns3:Watts>250</ns3:Watts></ns3:TPX></Extensions>')}${point('2024-05-01T07:06:00Z', '<Cadence>92</Cadence>')}</Track></Lap></Activity>`;
    const xml = doc(`<MultiSportSession><Id>2024-05-01T07:00:00Z</Id><FirstSport>${RUN}</FirstSport>
      <NextSport><Transition StartTime="2024-05-01T07:02:00Z"><TotalTimeSeconds>180</TotalTimeSeconds><DistanceMeters>50</DistanceMeters><Track>${point('2024-05-01T07:03:00Z')}</Track></Transition>${bike}</NextSport></MultiSportSession>`);
    const ws = parse(xml);
    expect(ws.map((w) => w.source.group)).toEqual([
      { id: 'sha256:abc#multisport-0', index: 0, size: 2 },
      { id: 'sha256:abc#multisport-0', index: 1, size: 2 },
    ]);
    expect(ws[1]?.samples.offsetSeconds).toEqual([0, 60]);
    expect(ws[1]?.samples.cadencePerMinute).toEqual([90, 92]);
    expect(ws[1]?.samples.powerWatts).toEqual([250, undefined]);
  });

  it('keeps a MultiSportSession whose parts lie days apart as separate workouts, with a warning', () => {
    const later = RUN.replaceAll('2024-05-01', '2024-05-09');
    const ws = parse(doc(`<MultiSportSession><Id>2024-05-01T07:00:00Z</Id><FirstSport>${RUN}</FirstSport><NextSport>${later}</NextSport></MultiSportSession>`));
    expect(ws.map((w) => w.source.group)).toEqual([undefined, undefined]);
    expect(ws.every((w) => warningCodes(w).includes('multisport-split'))).toBe(true);
  });

  it('turns several Tracks in a lap into pauses; moving time is the laps’ TotalTimeSeconds', () => {
    const xml = doc(`<Activity Sport="Biking"><Id>2024-05-01T07:00:00Z</Id>
      <Lap StartTime="2024-05-01T07:00:00Z"><TotalTimeSeconds>120</TotalTimeSeconds><DistanceMeters>900</DistanceMeters>
        <Track>${point('2024-05-01T07:00:00Z')}${point('2024-05-01T07:01:00Z')}</Track>
        <Track></Track>
        <Track>${point('2024-05-01T07:06:00Z')}${point('2024-05-01T07:07:00Z')}</Track>
      </Lap></Activity>`);
    const [w] = parse(xml) as [Workout];
    expect(w.pauses).toEqual([{ startOffsetSeconds: 60, durationSeconds: 300 }]);
    expect(w.elapsedSeconds).toBe(420);
    expect(w.movingSeconds).toBe(120);
    expect(w.laps[0]).toMatchObject({ elapsedSeconds: 420, movingSeconds: 120 });
  });

  it('finds a stop at a lap change when both the lap timer and the trackpoints show it', () => {
    const lap = (start: string, total: number, points: string[]): string =>
      `<Lap StartTime="${start}"><TotalTimeSeconds>${total}</TotalTimeSeconds><Track>${points.map((p) => point(p)).join('')}</Track></Lap>`;
    const stopped = doc(`<Activity Sport="Running"><Id>2024-05-01T07:00:00Z</Id>
      ${lap('2024-05-01T07:00:00Z', 60, ['2024-05-01T07:00:00Z', '2024-05-01T07:00:59Z'])}
      ${lap('2024-05-01T07:05:00Z', 60, ['2024-05-01T07:05:00Z', '2024-05-01T07:05:59Z'])}</Activity>`);
    const [w] = parse(stopped) as [Workout];
    expect(w.pauses).toEqual([{ startOffsetSeconds: 59, durationSeconds: 241 }]);
    expect(w).toMatchObject({ elapsedSeconds: 360, movingSeconds: 120 });
    // A lap total shorter than the lap (Suunto) is no pause when trackpoints cover the time.
    const covered = doc(`<Activity Sport="Running"><Id>2024-05-01T07:00:00Z</Id>
      ${lap('2024-05-01T07:00:00Z', 30, ['2024-05-01T07:00:00Z', '2024-05-01T07:00:20Z', '2024-05-01T07:00:40Z', '2024-05-01T07:00:59Z'])}
      ${lap('2024-05-01T07:01:00Z', 30, ['2024-05-01T07:01:00Z', '2024-05-01T07:01:29Z'])}</Activity>`);
    expect((parse(covered)[0] as Workout).pauses).toEqual([]);
  });

  it('starts at a trackpoint before the lap start (kept, with a warning), never at the rounded Id', () => {
    const early = doc(`<Activity Sport="Biking"><Id>2009-01-09T19:13:00Z</Id><Lap StartTime="2009-01-09T19:13:14Z"><TotalTimeSeconds>10</TotalTimeSeconds>
      <Track>${point('2009-01-09T19:13:13Z', '<AltitudeMeters>5</AltitudeMeters>')}${point('2009-01-09T19:13:24Z', '<AltitudeMeters>6</AltitudeMeters>')}</Track></Lap></Activity>`);
    const [w] = parse(early) as [Workout];
    expect(new Date(w.startTime).toISOString()).toBe('2009-01-09T19:13:13.000Z');
    expect(w.samples.offsetSeconds).toEqual([0, 11]);
    expect(w.warnings).toContainEqual(expect.objectContaining({ code: 'points-before-lap', count: 1 }));
    expect(w.laps[0]?.startTime).toBe(Date.parse('2009-01-09T19:13:14Z'));

    const rounded = early.replace('19:13:13Z', '19:13:15Z');
    const [v] = parse(rounded) as [Workout];
    expect(new Date(v.startTime).toISOString()).toBe('2009-01-09T19:13:14.000Z');
    expect(warningCodes(v)).not.toContain('points-before-lap');
  });

  it('keeps time-only trackpoints, skips trackpoints without a time, treats 0 bpm as no reading', () => {
    const xml = doc(`<Activity Sport="Other"><Id>2024-05-01T07:00:00Z</Id><Lap StartTime="2024-05-01T07:00:00Z"><TotalTimeSeconds>20</TotalTimeSeconds><Track>
      ${point('2024-05-01T07:00:00Z', '<HeartRateBpm><Value>0</Value></HeartRateBpm>')}
      <Trackpoint><HeartRateBpm><Value>99</Value></HeartRateBpm></Trackpoint>
      ${point('2024-05-01T07:00:10Z')}
      ${point('2024-05-01T07:00:20Z', '<HeartRateBpm><Value>101</Value></HeartRateBpm>')}
      <Trackpoint><Time>yesterday</Time></Trackpoint>
    </Track></Lap></Activity>`);
    const [w] = parse(xml) as [Workout];
    expect(w.sport).toBe('other');
    expect(w.samples.offsetSeconds).toEqual([0, 10, 20]);
    expect(w.samples.heartRateBpm).toEqual([undefined, undefined, 101]);
    expect(w.warnings).toContainEqual(expect.objectContaining({ code: 'trackpoint-without-time', count: 1 }));
    expect(w.warnings).toContainEqual(expect.objectContaining({ code: 'bad-time', count: 1 }));
  });

  it('imports a laps-only activity (no trackpoints) from its lap values', () => {
    const xml = doc(`<Activity Sport="Running"><Id>2024-05-01T07:00:00Z</Id><Lap StartTime="2024-05-01T07:00:30Z"><TotalTimeSeconds>600</TotalTimeSeconds><DistanceMeters>2000</DistanceMeters><Calories>0</Calories></Lap></Activity>`);
    const [w] = parse(xml) as [Workout];
    expect(new Date(w.startTime).toISOString()).toBe('2024-05-01T07:00:30.000Z');
    expect(w).toMatchObject({ elapsedSeconds: 600, movingSeconds: 600, distanceMeters: 2000 });
    expect(w.energyKilocalories).toBeUndefined(); // 0 kcal means "not recorded"
    expect(w.samples.offsetSeconds).toEqual([]);
  });
});

describe('tcxParser.parse: values', () => {
  it('maps off-schema sports and falls back to other with a warning', () => {
    const polar = parse(doc(RUN.replace('Sport="Running"', 'Sport="Cycling_sport"')))[0] as Workout;
    expect(polar.sport).toBe('cycling');
    expect(polar.sourceSport.sport).toBe('Cycling_sport');
    expect(polar.samples.cadencePerMinute?.[0]).toBe(84); // not doubled off foot
    const odd = parse(doc(RUN.replace('Sport="Running"', 'Sport="Quidditch"')))[0] as Workout;
    expect(odd.sport).toBe('other');
    expect(odd.warnings).toContainEqual(expect.objectContaining({ code: 'sport-unknown', message: 'sport "Quidditch" is not one we know; imported as other' }));
  });

  it('keeps an explicit offset (instant as written) and reads naive times in the time zone option', () => {
    const offset = parse(doc(RUN.replaceAll(/2024-05-01T(\d\d):(\d\d):(\d\d)Z/g, (_m, h: string, mi: string, s: string) => `2024-05-01T${String(Number(h) + 2).padStart(2, '0')}:${mi}:${s}+02:00`)))[0] as Workout;
    expect(new Date(offset.startTime).toISOString()).toBe('2024-05-01T07:00:00.000Z');
    expect(offset.utcOffsetMinutes).toBe(120);
    expect(offset.utcOffsetSource).toBe('file');

    const naive = doc(RUN.replaceAll(/(2024-05-01T\d\d:\d\d:\d\d)Z/g, '$1'));
    const asUtc = parse(naive)[0] as Workout;
    expect(new Date(asUtc.startTime).toISOString()).toBe('2024-05-01T07:00:00.000Z');
    expect(asUtc.utcOffsetSource).toBe('none');
    expect(asUtc.warnings).toContainEqual(expect.objectContaining({ code: 'naive-time', message: 'times carry no zone; read as UTC (no timeZone option was given)' }));

    const lisbon = parse(naive, { timeZone: 'Europe/Lisbon' })[0] as Workout;
    expect(new Date(lisbon.startTime).toISOString()).toBe('2024-05-01T06:00:00.000Z');
    expect(lisbon.utcOffsetMinutes).toBe(60);
    expect(lisbon.utcOffsetSource).toBe('time-zone-option');
    expect(lisbon.samples.offsetSeconds).toEqual([0, 30, 60, 90, 119]);
  });

  it('drops implausible lap values with a warning', () => {
    const [w] = parse(doc(RUN.replace('<MaximumSpeed>3.5</MaximumSpeed>', '<MaximumSpeed>18720.0</MaximumSpeed>'))) as [Workout];
    expect(w.laps[0]?.summary.speedMaxMetersPerSecond).toBe(3.1); // from the samples, not the file's 18720
    expect(w.warnings).toContainEqual(expect.objectContaining({ code: 'implausible-lap-value', count: 1 }));
  });

  it('computes distance from positions when the file gives none, and replaces a garbage one', () => {
    const track = (dist: (i: number) => string): string =>
      Array.from({ length: 11 }, (_, i) => point(`2024-05-01T07:0${Math.floor(i / 6)}:${String((i % 6) * 10).padStart(2, '0')}Z`, `<Position><LatitudeDegrees>${38 + i * 0.001}</LatitudeDegrees><LongitudeDegrees>-9</LongitudeDegrees></Position>${dist(i)}`)).join('');
    const act = (dist: (i: number) => string, lapDistance: string): string =>
      doc(`<Activity Sport="Running"><Id>2024-05-01T07:00:00Z</Id><Lap StartTime="2024-05-01T07:00:00Z"><TotalTimeSeconds>100</TotalTimeSeconds>${lapDistance}<Track>${track(dist)}</Track></Lap></Activity>`);
    const none = parse(act(() => '', ''))[0] as Workout;
    expect(none.distanceMeters).toBeCloseTo(1111.95, 1); // 0.01° of latitude
    const garbage = parse(act((i) => `<DistanceMeters>${i}</DistanceMeters>`, '<DistanceMeters>10</DistanceMeters>'))[0] as Workout;
    expect(garbage.distanceMeters).toBeCloseTo(1111.95, 1);
    expect(garbage.laps[0]?.distanceMeters).toBeGreaterThan(1000); // from positions; the lap's 10 m is dropped
    expect(warningCodes(garbage)).toContain('distance-recomputed');
    const fine = parse(act((i) => `<DistanceMeters>${i * 112}</DistanceMeters>`, '<DistanceMeters>1120</DistanceMeters>'))[0] as Workout;
    expect(fine.distanceMeters).toBe(1120);
    expect(warningCodes(fine)).not.toContain('distance-recomputed');
  });

  it('accepts leading whitespace and a BOM (Strava)', () => {
    const text = `\n\n   ${doc(RUN)}`;
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(text)]);
    expect(tcxParser.detect(withBom)).toBe(true);
    expect(tcxParser.parse(withBom, ctx())).toHaveLength(1);
  });
});

describe('tcxParser.parse: refusals', () => {
  it('refuses course and workout files', () => {
    const course = failure(`${HEAD}<Folders/><Courses><Course><Name>Loop</Name><Lap><TotalTimeSeconds>1</TotalTimeSeconds></Lap><Track>${point('2024-05-01T07:00:00Z')}</Track></Course></Courses></TrainingCenterDatabase>`);
    expect(course.code).toBe('unsupported-variant');
    expect(course.message).toBe('[tcx] test.tcx: a course file, not an activity (it holds <Courses> and no <Activity>)');
    expect(failure(`${HEAD}<Workouts><Workout Sport="Running"><Name>Intervals</Name></Workout></Workouts></TrainingCenterDatabase>`).code).toBe('unsupported-variant');
  });

  it('skips empty activities with a warning and fails with no-data when none is left', () => {
    const empty = '<Activity Sport="Running"><Id>2024-04-01T07:00:00Z</Id></Activity>';
    const ws = parse(doc(`${empty}${RUN}`));
    expect(ws).toHaveLength(1);
    expect(ws[0]?.source).toMatchObject({ index: 0, count: 1 });
    expect(ws[0]?.warnings).toContainEqual(expect.objectContaining({ code: 'empty-activity', count: 1 }));
    expect(failure(doc(empty)).code).toBe('no-data');
    expect(failure(doc('')).code).toBe('no-data');
  });

  it('refuses a DOCTYPE and reports truncated or corrupt XML with its line', () => {
    expect(failure(`<?xml version="1.0"?>\n<!DOCTYPE TrainingCenterDatabase [<!ENTITY x "y">]>\n${HEAD.slice(HEAD.indexOf('<Tr'))}</TrainingCenterDatabase>`).code).toBe('unsupported-variant');
    const full = doc(RUN);
    const cut = failure(full.slice(0, full.indexOf('<Lap StartTime="2024-05-01T07:01:00Z">') + 20));
    expect(cut.code).toBe('truncated');
    expect(cut.message).toMatch(/^\[tcx\] test\.tcx line \d+: the file ends in the middle of an attribute value, inside <Activity>/);
    const bad = failure(full.replace('</Lap>', '</Laps>'));
    expect(bad.code).toBe('corrupt');
    expect(bad.line).toBe(full.slice(0, full.indexOf('</Lap>')).split('\n').length);
    expect(failure('<?xml version="1.0"?><gpx/>').code).toBe('corrupt');
  });
});
