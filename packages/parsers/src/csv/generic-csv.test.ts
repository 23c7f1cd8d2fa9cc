import { describe, expect, it } from 'vitest';
import { buildCsvBytes, buildCsvSummaryBytes, buildStravaActivitiesCsv, csvPoints, encodeCsvText } from '@optimo-import/fixtures';
import type { CsvBuildOptions, CsvLanguage } from '@optimo-import/fixtures';
import type { Workout } from '@optimo-import/workout';
import { csvParser, detectCsv, parseCsv } from './generic-csv.js';
import { readCsvMapping } from './mapping.js';
import { context, parseFailure, parseValid, utf8, warningCodes } from './test-helpers.js';

const LANGUAGES: CsvLanguage[] = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt'];

/** A built file parses to exactly the synthetic values it was written from. */
function expectRoundTrip(w: Workout, options: CsvBuildOptions): void {
  const points = csvPoints(options);
  const start = points[0]!.time;
  expect(w.startTime).toBe(start);
  expect(w.samples.offsetSeconds).toEqual(points.map((p) => (p.time - start) / 1000));
  const channels = options.channels ?? ['heartRate', 'speed', 'distance', 'cadence', 'power', 'altitude'];
  const metric = (options.units ?? 'metric') === 'metric';
  if (channels.includes('heartRate')) expect(w.samples.heartRateBpm).toEqual(points.map((p) => p.heartRateBpm));
  if (channels.includes('cadence')) expect(w.samples.cadencePerMinute).toEqual(points.map((p) => p.cadence));
  if (channels.includes('power')) expect(w.samples.powerWatts).toEqual(points.map((p) => p.powerWatts));
  const close = (actual: (number | undefined)[] | undefined, expected: number[], digits: number): void => {
    expect(actual).toHaveLength(expected.length);
    actual!.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, digits));
  };
  if (channels.includes('speed')) close(w.samples.speedMetersPerSecond, points.map((p) => p.speedMetersPerSecond), 3);
  if (channels.includes('distance')) close(w.samples.distanceMeters, points.map((p) => p.distanceMeters), metric ? 6 : 1);
  if (channels.includes('altitude')) close(w.samples.altitudeMeters, points.map((p) => p.altitudeMeters), metric ? 6 : 2);
  if (channels.includes('temperature')) close(w.samples.temperatureCelsius, points.map((p) => p.temperatureCelsius), 2);
  if (channels.includes('position')) {
    close(w.samples.latitudeDegrees, points.map((p) => p.latitudeDegrees), 7);
    close(w.samples.longitudeDegrees, points.map((p) => p.longitudeDegrees), 7);
  }
}

function parseBuilt(options: CsvBuildOptions, extra: Parameters<typeof context>[0] = {}): Workout {
  const workouts = parseValid(csvParser, buildCsvBytes(options), { timeZone: 'UTC', ...extra });
  expect(workouts).toHaveLength(1);
  return workouts[0]!;
}

describe('csv: sample tables round trip', () => {
  describe.each(LANGUAGES)('%s headers', (language) => {
    it('date-time per row, semicolons, decimal comma, Windows-1252', () => {
      const options: CsvBuildOptions = { language, time: 'local', delimiter: ';', decimal: ',', encoding: 'windows-1252', channels: ['heartRate', 'speed', 'distance', 'cadence', 'power', 'altitude', 'temperature', 'position'] };
      const w = parseBuilt(options);
      expectRoundTrip(w, options);
      expect(w.utcOffsetSource).toBe('time-zone-option');
      expect(w.sport).toBe('other');
      expect(warningCodes(w)).toEqual(['sport-unknown']);
    });

    it('a date column and a time column, tabs, UTF-16 LE', () => {
      const options: CsvBuildOptions = { language, time: 'date-time', delimiter: '\t', encoding: 'utf-16le' };
      expectRoundTrip(parseBuilt(options), options);
    });

    it('elapsed seconds with the start in key/value rows above the table, UTF-8 with BOM', () => {
      const options: CsvBuildOptions = { language, time: 'elapsed', preamble: true, encoding: 'utf-8-bom', delimiter: language === 'en' ? ',' : ';', decimal: language === 'en' ? '.' : ',' };
      expectRoundTrip(parseBuilt(options), options);
    });
  });

  it.each([
    ['ISO UTC times, pipes, everything quoted, CRLF', { time: 'iso', delimiter: '|', quoteAll: true, lineEnding: '\r\n' }],
    ['epoch milliseconds, UTF-16 BE', { time: 'epoch-ms', encoding: 'utf-16be' }],
    ['h:mm:ss from the start, imperial units', { time: 'elapsed-hms', preamble: true, units: 'imperial', channels: ['heartRate', 'speed', 'distance', 'altitude', 'temperature'] }],
    ['pace instead of speed', { time: 'iso', channels: ['heartRate', 'pace', 'distance'] }],
    ['a bike with 2-s samples', { time: 'iso', sport: 'Biking', intervalSeconds: 2, durationSeconds: 600 }],
  ] as [string, CsvBuildOptions][])('%s', (_name, options) => {
    const w = parseBuilt(options);
    if (options.channels?.includes('pace')) {
      // Pace is written to the second: compare speed within that rounding.
      const points = csvPoints(options);
      w.samples.speedMetersPerSecond!.forEach((v, i) => expect(Math.abs(1000 / v! - 1000 / points[i]!.speedMetersPerSecond)).toBeLessThanOrEqual(0.5 + 1e-9));
      expectRoundTrip(w, { ...options, channels: ['heartRate', 'distance'] });
    } else expectRoundTrip(w, options);
  });

  it('naive local times: in the time zone option, else the machine zone with a warning', () => {
    const options: CsvBuildOptions = { language: 'de', time: 'local', delimiter: ';', decimal: ',', utcOffsetMinutes: 120 };
    const berlin = parseBuilt(options, { timeZone: 'Europe/Berlin' });
    expectRoundTrip(berlin, options);
    expect(berlin).toMatchObject({ utcOffsetMinutes: 120, utcOffsetSource: 'time-zone-option' });
    const machine = parseValid(csvParser, buildCsvBytes({ ...options, utcOffsetMinutes: 0 }), { timeZone: undefined })[0]!;
    expect(machine.utcOffsetSource).toBe('machine-zone');
    expect(warningCodes(machine)).toContain('zone-assumed');
  });

  it('a start in a daylight-saving gap is moved forward with a warning', () => {
    const bytes = utf8('Date,Time,Heart rate\n2024-03-31,02:30:00,120\n2024-03-31,02:30:01,121\n');
    const [w] = parseValid(csvParser, bytes, { timeZone: 'Europe/Berlin' });
    expect(new Date(w!.startTime).toISOString()).toBe('2024-03-31T01:30:00.000Z');
    expect(warningCodes(w!)).toContain('dst-gap');
  });

  it('units without a header unit: distance and speed read so they agree, with a warning', () => {
    const options: CsvBuildOptions = { time: 'iso', noUnits: true, channels: ['speed', 'distance'], durationSeconds: 300 };
    const w = parseBuilt(options);
    expectRoundTrip(w, options);
    expect(w.warnings.find((x) => x.code === 'unit-assumed')?.message).toBe('columns without a unit in their header were read as Speed: km/h, Distance: km');
  });

  it('reads gaps, missing markers and a trailing summary row leniently, counting what it skipped', () => {
    const text = 'Time;Puls;Leistung (W)\n2024-05-21 07:00:00;120;200\n2024-05-21 07:00:01;;--\n2024-05-21 07:00:02;0;abc\nSumme;;600\n';
    const [w] = parseValid(csvParser, utf8(text), { timeZone: 'UTC' });
    expect(w!.samples.heartRateBpm).toEqual([120, undefined, undefined]);
    expect(w!.samples.powerWatts).toEqual([200, undefined, undefined]);
    expect(warningCodes(w!)).toEqual(expect.arrayContaining(['row-without-time', 'bad-value']));
  });

  it('laps from a lap column', () => {
    const text = 'Time,HR,Lap\n' + Array.from({ length: 9 }, (_, i) => `2024-05-21T07:00:0${i}Z,${120 + i},${1 + Math.floor(i / 3)}`).join('\n');
    const [w] = parseValid(csvParser, utf8(text));
    expect(w!.laps.map((l) => [l.startTime - w!.startTime, l.elapsedSeconds])).toEqual([
      [0, 3],
      [3000, 3],
      [6000, 2],
    ]);
  });
});

describe('csv: summary rows (one workout per row)', () => {
  const rows = [
    { startTime: '2024-05-21T06:30:00Z', durationSeconds: 3911, distanceMeters: 10234, sport: 'Running', name: 'Morning run', heartRateAvgBpm: 148, heartRateMaxBpm: 171, calories: 812 },
    { startTime: '2024-05-22T16:05:00Z', durationSeconds: 5400, distanceMeters: 40500, sport: 'Cycling', name: 'Ride, hills', calories: 1234 },
  ];

  it.each(LANGUAGES)('%s training log, local dates', (language) => {
    const bytes = buildCsvSummaryBytes({ rows, language, delimiter: language === 'en' ? ',' : ';', decimal: language === 'en' ? '.' : ',', utcOffsetMinutes: 120, thousands: true, encoding: language === 'de' ? 'windows-1252' : 'utf-8' });
    const workouts = parseValid(csvParser, bytes, { timeZone: 'Europe/Berlin' });
    expect(workouts).toHaveLength(2);
    const [a, b] = workouts as [Workout, Workout];
    expect(a).toMatchObject({ startTime: Date.parse(rows[0]!.startTime), elapsedSeconds: 3911, distanceMeters: 10234, energyKilocalories: 812, sport: 'running', name: 'Morning run', utcOffsetMinutes: 120 });
    expect(a.summary).toMatchObject({ heartRateAvgBpm: 148, heartRateMaxBpm: 171 });
    expect(b).toMatchObject({ startTime: Date.parse(rows[1]!.startTime), elapsedSeconds: 5400, distanceMeters: 40500, energyKilocalories: 1234, sport: 'cycling', name: 'Ride, hills' });
    expect(a.source).toMatchObject({ format: 'csv', index: 0, count: 2 });
    expect(a.samples.offsetSeconds).toEqual([]);
  });

  it("Strava's activities.csv: duplicate columns, quoted dates in UTC", () => {
    const text = buildStravaActivitiesCsv([{ ...rows[0]!, id: 4242, movingSeconds: 3800, description: 'easy, then "fast"' }, { ...rows[1]!, sport: 'Ride' }]);
    const workouts = parseValid(csvParser, utf8(text), { timeZone: 'Europe/Berlin' });
    expect(workouts.map((w) => [w.startTime, w.elapsedSeconds, w.distanceMeters, w.sport])).toEqual([
      [Date.parse(rows[0]!.startTime), 3911, 10234, 'running'],
      [Date.parse(rows[1]!.startTime), 5400, 40500, 'cycling'],
    ]);
    expect(workouts[0]).toMatchObject({ movingSeconds: 3800, notes: 'easy, then "fast"', extras: { sourceId: '4242' }, device: { manufacturer: 'Strava' } });
    expect(workouts[0]!.summary.heartRateAvgBpm).toBe(148);
  });
});

describe('csv: column mapping', () => {
  const text = 'x;y;z;w\n0;61,5;12,5;100\n10;62,5;13;110\n20;63;13,5;120\n';
  const mapping = readCsvMapping(
    JSON.stringify({
      headerRow: 1,
      sport: 'rowing',
      timeZone: 'Europe/Lisbon',
      start: '2024-05-21T18:30:00',
      columns: { x: { field: 'elapsed', unit: 's' }, y: 'heartRate', z: { field: 'speed', unit: 'km/h' }, '#4': { field: 'distance', unit: 'm' } },
    }),
  );

  it('reads what detection cannot: headers, units, start, zone and sport from the mapping', () => {
    expect(detectCsv(utf8(text))).toBe(false);
    const [w] = parseCsv(utf8(text), context(), mapping);
    expect(w).toMatchObject({ sport: 'rowing', startTime: Date.parse('2024-05-21T17:30:00Z'), utcOffsetMinutes: 60, utcOffsetSource: 'time-zone-option' });
    expect(w!.samples).toMatchObject({ offsetSeconds: [0, 10, 20], heartRateBpm: [61.5, 62.5, 63], distanceMeters: [100, 110, 120] });
    expect(w!.samples.speedMetersPerSecond![0]).toBeCloseTo(12.5 / 3.6, 6);
  });

  it('is taken from the context by csvParser.parse', () => {
    const [w] = csvParser.parse(utf8(text), { ...context(), csvMapping: mapping } as Parameters<typeof csvParser.parse>[1]);
    expect(w!.sport).toBe('rowing');
  });

  it('a headerless file with columns by number', () => {
    const m = readCsvMapping('{"headerRow":0,"start":"2024-05-21T07:00:00Z","columns":{"#1":"elapsed","#2":"power"}}');
    const [w] = parseCsv(utf8('0,200\n1,210\n2,190\n'), context(), m);
    expect(w!.samples.powerWatts).toEqual([200, 210, 190]);
    expect(w!.utcOffsetSource).toBe('none');
  });
});

describe('csv: failures say what is wrong', () => {
  it.each([
    ['no header', 'a,b\n1,2\n', /no row is a header naming a column this tool knows/],
    ['a header and no rows', 'Time,Heart rate,Power\n', /the table has a header but no rows/],
    ['no time column', 'Heart rate,Power\n120,200\n', /the table has no time column \(columns read: Heart rate, Power\)/],
    ['time from the start and no start', 'Elapsed time (s),Heart rate\n0,120\n1,121\n', /no start date and time/],
    ['XML', '<?xml version="1.0"?><gpx/>', /not a CSV table: the text starts with "<"/],
    ['a quoted field never closed', 'Time,HR\n"2024-05-21T07:00:00Z,120\n', /line 2: a quoted field opened on line 2 is never closed/],
  ])('%s', (_name, text, message) => {
    const error = parseFailure(() => csvParser.parse(utf8(text), context({ fileName: 'bad.csv' })));
    expect(error.message).toMatch(/^\[csv\] bad\.csv/);
    expect(error.message).toMatch(message);
    expect(error.internal).toBeUndefined();
  });

  it('the 16-byte head of a fixture fails with the file and format named', () => {
    const bytes = buildCsvBytes({ time: 'iso' }).subarray(0, 16);
    expect(parseFailure(() => csvParser.parse(bytes, context({ fileName: 'cut.bin' }))).message).toMatch(/^\[csv\] cut\.bin/);
  });
});

describe('csv: spreadsheet habits', () => {
  it("Excel's sep=; line names the delimiter", () => {
    const text = 'sep=;\r\nZeit;Puls;Leistung\r\n2024-05-21 07:00:00;120;200\r\n2024-05-21 07:00:01;121;210\r\n';
    expect(detectCsv(utf8(text))).toBe(true);
    const [w] = parseValid(csvParser, utf8(text), { timeZone: 'UTC' });
    expect(w!.samples).toMatchObject({ offsetSeconds: [0, 1], heartRateBpm: [120, 121], powerWatts: [200, 210] });
  });

  it('a German Garmin Connect activity list: decimal comma, thousands dot, --, localized sport', () => {
    const text = [
      'Aktivitätstyp,Datum,Favorit,Titel,Distanz,Kalorien,Zeit,Ø Herzfrequenz,Maximale Herzfrequenz,Ø Schrittfrequenz (Laufen)',
      'Laufen,2012-05-25 20:31:00,false,"Abendlauf, locker","10,20","2.336",01:05:11,148,171,--',
      'Radfahren,2012-05-27 09:00:00,true,"Ausfahrt","42,50","1.200",1:30:00,--,--,--',
    ].join('\n');
    const workouts = parseValid(csvParser, encodeCsvText(text, 'windows-1252'), { timeZone: 'Europe/Berlin' });
    expect(workouts.map((w) => [w.sport, w.name, w.distanceMeters, w.energyKilocalories, w.elapsedSeconds, new Date(w.startTime).toISOString()])).toEqual([
      ['running', 'Abendlauf, locker', 10200, 2336, 3911, '2012-05-25T18:31:00.000Z'],
      ['cycling', 'Ausfahrt', 42500, 1200, 5400, '2012-05-27T07:00:00.000Z'],
    ]);
    expect(workouts[0]!.summary).toMatchObject({ heartRateAvgBpm: 148, heartRateMaxBpm: 171 });
    expect(workouts[0]!.device).toEqual({ manufacturer: 'Garmin' });
  });
});

describe('csv: summary rows with a date column and a time column', () => {
  it('`Start time` beside `Date` is the clock time; a bare `Time` without a duration column is the duration', () => {
    const clock = parseValid(csvParser, utf8('Date,Start time,Duration,Sport\n2024-05-21,07:30,1:00:00,Run\n'), { timeZone: 'UTC' })[0]!;
    expect([new Date(clock.startTime).toISOString(), clock.elapsedSeconds]).toEqual(['2024-05-21T07:30:00.000Z', 3600]);
    const duration = parseValid(csvParser, utf8('Date,Time,Distance (km),Sport\n2024-05-21,0:45:10,10,Run\n'), { timeZone: 'UTC' })[0]!;
    expect([new Date(duration.startTime).toISOString(), duration.elapsedSeconds, duration.distanceMeters]).toEqual(['2024-05-21T00:00:00.000Z', 2710, 10000]);
  });
});
