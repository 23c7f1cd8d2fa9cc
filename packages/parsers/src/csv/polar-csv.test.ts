import { describe, expect, it } from 'vitest';
import { buildPolarCsv, buildPolarCsvBytes, csvPoints } from '@optimo-import/fixtures';
import type { PolarCsvOptions } from '@optimo-import/fixtures';
import type { Workout } from '@optimo-import/workout';
import { corpusFiles, readBytes } from '../../test/corpus.js';
import { detectPolarCsv, polarCsvParser } from './polar-csv.js';
import { context, parseFailure, parseValid, utf8, warningCodes } from './test-helpers.js';

function roundTrip(options: PolarCsvOptions, timeZone = 'UTC', fileName = 'session.csv'): Workout {
  const bytes = buildPolarCsvBytes(options);
  expect(detectPolarCsv(bytes)).toBe(true);
  const [w, ...rest] = parseValid(polarCsvParser, bytes, { timeZone, fileName });
  expect(rest).toEqual([]);
  const points = csvPoints(options);
  const start = points[0]!.time;
  expect(w!.startTime).toBe(start);
  expect(w!.samples.offsetSeconds).toEqual(points.map((p) => (p.time - start) / 1000));
  expect(w!.samples.cadencePerMinute).toEqual(points.map((p) => p.cadence * (w!.sport === 'running' ? 2 : 1)));
  expect(w!.samples.altitudeMeters).toEqual(points.map((p) => p.altitudeMeters));
  expect(w!.samples.distanceMeters).toEqual(points.map((p) => p.distanceMeters));
  expect(w!.samples.temperatureCelsius).toEqual(points.map((p) => p.temperatureCelsius));
  w!.samples.speedMetersPerSecond!.forEach((v, i) => expect(v).toBeCloseTo(points[i]!.speedMetersPerSecond, 3));
  if (options.heartRate === false) expect(w!.samples.heartRateBpm).toBeUndefined();
  else expect(w!.samples.heartRateBpm).toEqual(points.map((p) => p.heartRateBpm));
  if (options.power) expect(w!.samples.powerWatts).toEqual(points.map((p) => p.powerWatts));
  else expect(w!.samples.powerWatts).toBeUndefined();
  expect(w!.elapsedSeconds).toBe((points[points.length - 1]!.time - start) / 1000);
  expect(w!.distanceMeters).toBeCloseTo(points[points.length - 1]!.distanceMeters, -1);
  return w!;
}

describe('polar-csv: round trips', () => {
  it.each([
    ['DD-MM-YYYY, no power (2015-era export)', { dateFormat: 'DD-MM-YYYY' }],
    ['DD.MM.YYYY with power (2018-era export)', { dateFormat: 'DD.MM.YYYY', power: true, polarSport: 'CYCLING', sport: 'Biking' }],
    ['MM-DD-YYYY', { dateFormat: 'MM-DD-YYYY' }],
    ['YYYY-MM-DD, no heart rate', { dateFormat: 'YYYY-MM-DD', heartRate: false }],
  ] as [string, PolarCsvOptions][])('%s', (_name, options) => {
    const w = roundTrip(options);
    expect(w.source.format).toBe('polar-csv');
    expect(w.device).toEqual({ manufacturer: 'Polar' });
    expect(w.summary.ascentMeters).toBe(12);
    if (options.power) expect(w.summary.powerAvgWatts).toBeGreaterThan(0);
    expect(warningCodes(w)).toEqual(w.sport === 'running' ? ['cadence-doubled'] : []);
  });

  it('local start → UTC in the time zone option, with the offset', () => {
    const w = roundTrip({ utcOffsetMinutes: 120 }, 'Europe/Berlin');
    expect(w).toMatchObject({ utcOffsetMinutes: 120, utcOffsetSource: 'time-zone-option' });
  });

  it('no zone given: the machine zone, said in a warning', () => {
    const [w] = parseValid(polarCsvParser, buildPolarCsvBytes(), { timeZone: undefined });
    expect(w!.utcOffsetSource).toBe('machine-zone');
    expect(warningCodes(w!)).toContain('zone-assumed');
  });

  it('a start in the spring-forward gap is moved forward with a warning', () => {
    const bytes = buildPolarCsvBytes({ startTime: '2024-03-31T02:30:00Z', dateFormat: 'DD.MM.YYYY' });
    const [w] = parseValid(polarCsvParser, bytes, { timeZone: 'Europe/Berlin' });
    expect(new Date(w!.startTime).toISOString()).toBe('2024-03-31T01:30:00.000Z');
    expect(w!.warnings.find((x) => x.code === 'dst-gap')?.message).toMatch(/2024-03-31 02:30:00 does not exist in Europe\/Berlin/);
  });

  it('an ambiguous date is settled by the date in a Polar file name, else read day first with a warning', () => {
    const options: PolarCsvOptions = { startTime: '2015-03-07T18:28:42Z', dateFormat: 'MM-DD-YYYY' };
    const named = parseValid(polarCsvParser, buildPolarCsvBytes(options), { timeZone: 'UTC', fileName: 'John_Doe_2015-03-07_18-28-42.csv' })[0]!;
    expect(new Date(named.startTime).toISOString()).toBe('2015-03-07T18:28:42.000Z');
    expect(warningCodes(named)).not.toContain('date-order-assumed');
    const unnamed = parseValid(polarCsvParser, buildPolarCsvBytes(options), { timeZone: 'UTC', fileName: 'export.csv' })[0]!;
    expect(new Date(unnamed.startTime).toISOString()).toBe('2015-07-03T18:28:42.000Z');
    expect(warningCodes(unnamed)).toContain('date-order-assumed');
  });

  it('a session without samples is its summary', () => {
    const text = buildPolarCsv().split('\r\n').slice(0, 3).join('\r\n');
    const [w] = parseValid(polarCsvParser, utf8(text));
    expect(w!.samples.offsetSeconds).toEqual([]);
    expect(w!.elapsedSeconds).toBe(120);
  });

  it('notes with commas and quotes survive', () => {
    const [w] = parseValid(polarCsvParser, buildPolarCsvBytes({ notes: 'legs, tired' }));
    expect(w!.notes).toBe('legs, tired');
  });
});

describe('polar-csv: failures', () => {
  it('a file cut after the summary header is truncated', () => {
    const text = buildPolarCsv().split('\r\n')[0]!;
    const error = parseFailure(() => polarCsvParser.parse(utf8(text), context({ fileName: 'cut.csv' })));
    expect(error.code).toBe('truncated');
    expect(error.message).toMatch(/^\[polar-csv\] cut\.csv line 2: the file ends after the summary header/);
  });

  it('a summary without a date is corrupt', () => {
    const lines = buildPolarCsv().split('\r\n');
    lines[1] = lines[1]!.replace(/^(([^,]*,){2})[^,]*/, '$1');
    const text = lines.join('\r\n');
    expect(parseFailure(() => polarCsvParser.parse(utf8(text), context())).message).toMatch(/the summary row has no Date or no Start time/);
  });

  it('detect claims only the Polar two-header shape', () => {
    expect(detectPolarCsv(utf8('Name,Sport,Date,Start time,Duration\nx,RUNNING,01-02-2020,10:00:00,00:10:00\nSample rate,Time\n'))).toBe(true);
    expect(detectPolarCsv(utf8('Name,Sport,Date,Start time\nx,y,z,w\nTime,HR\n'))).toBe(false);
    expect(detectPolarCsv(utf8('Time,HR\n1,2\n'))).toBe(false);
    expect(detectPolarCsv(new Uint8Array(0))).toBe(false);
  });
});

describe('polar-csv: the corpus file', () => {
  const [file] = corpusFiles('polar-csv');
  it.skipIf(!file)('stc__polar-workout-single.csv (2015, DD-MM-YYYY, HR empty)', () => {
    const bytes = readBytes(file!);
    expect(detectPolarCsv(bytes)).toBe(true);
    const [w] = parseValid(polarCsvParser, bytes, { timeZone: 'Europe/Berlin', fileName: 'stc__polar-workout-single.csv' });
    expect(new Date(w!.startTime).toISOString()).toBe('2015-07-03T18:28:42.000Z');
    expect(w).toMatchObject({ sport: 'running', sourceSport: { sport: 'JOGGING' }, elapsedSeconds: 36154, distanceMeters: 10020, utcOffsetMinutes: 120 });
    expect(w!.samples.offsetSeconds).toHaveLength(35);
    expect(w!.samples.heartRateBpm).toBeUndefined();
    expect(w!.notes).toBeUndefined();
    expect(warningCodes(w!)).toEqual(['date-order-assumed']);
  });
});
