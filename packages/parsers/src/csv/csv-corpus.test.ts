/**
 * The real CSVs of ../shared/corpus (csv/ and polar-csv/), read in place: each gives valid
 * workouts or a ParseError that says what the file is. And no CSV detector claims a file of any
 * other corpus folder (FIT, TCX, GPX, HRM, XML, JSON, PWX, bad files).
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { corpusDir, corpusFiles, readBytes } from '../../test/corpus.js';
import { isParseError } from '../errors.js';
import { csvParser, detectCsv } from './generic-csv.js';
import { detectPolarCsv, polarCsvParser } from './polar-csv.js';
import { context } from './test-helpers.js';

type Expected =
  | { workouts: 1; sport: Workout['sport']; samples: number; start: string; laps?: number; warnings?: string[] }
  | { error: RegExp; code: string };

/** What each corpus file gives, read in Europe/Berlin. */
const EXPECTED: Readonly<Record<string, Expected>> = {
  'gc__2009_08_04_06_22_50.CSV': { workouts: 1, sport: 'cycling', samples: 3633, start: '2009-08-04T04:22:50.000Z', laps: 7, warnings: ['start-from-file-name'] },
  'gc__2010_02_02_13_14_47.csv': { workouts: 1, sport: 'cycling', samples: 146, start: '2010-02-02T12:14:47.000Z', warnings: [] },
  'gc__RP3_2016-03-27_09-23-29.csv': { workouts: 1, sport: 'rowing', samples: 220, start: '2016-03-27T07:23:29.000Z', warnings: ['start-from-file-name', 'time-not-increasing'] },
  'gc__Ramp_test.csv': { error: /^\[csv\] gc__Ramp_test\.csv: a FIT SDK FitCSVTool dump: .*import the original \.fit file/, code: 'unsupported-variant' },
  'gc__joule-ride.csv': { workouts: 1, sport: 'cycling', samples: 4439, start: '2013-02-05T13:06:43.000Z', warnings: [] },
  'gc__motoActv_powertap.csv': { workouts: 1, sport: 'other', samples: 1541, start: '2012-05-26T14:25:01.055Z', warnings: ['sport-unknown'] },
  'gc__wattbike_20110430.txt': { error: /^\[csv\] gc__wattbike_20110430\.txt: a Wattbike Expert session export: .*no start .*"start"/, code: 'no-data' },
  'sportstracker__smartsync-sample.csv': { workouts: 1, sport: 'other', samples: 294, start: '2008-04-19T10:45:19.000Z', warnings: ['sport-unknown'] },
  'stc__polar-workout-single.csv': { workouts: 1, sport: 'running', samples: 35, start: '2015-07-03T18:28:42.000Z', warnings: ['date-order-assumed'] },
};

const files = [...corpusFiles('csv'), ...corpusFiles('polar-csv')];

describe('csv corpus', () => {
  it.skipIf(files.length > 0)('skipped: ../shared/corpus/csv is not on this machine', () => {});

  it.each(files.map((f) => [basename(f), f] as const))('%s', (name, path) => {
    const bytes = readBytes(path);
    const polar = detectPolarCsv(bytes);
    expect(polar || detectCsv(bytes), 'claimed by one CSV parser').toBe(true);
    expect(polar && detectCsv(bytes), 'not claimed by both').toBe(false);
    const parser = polar ? polarCsvParser : csvParser;
    const expected = EXPECTED[name];
    const started = performance.now();
    let workouts: Workout[] | undefined;
    let failure: unknown;
    try {
      workouts = parser.parse(bytes, context({ fileName: name, timeZone: 'Europe/Berlin' }));
    } catch (error) {
      failure = error;
    }
    expect(performance.now() - started).toBeLessThan(5000);
    if (failure !== undefined) {
      expect(isParseError(failure), String(failure)).toBe(true);
      expect((failure as { internal?: boolean }).internal).toBeUndefined();
      expect(expected && 'error' in expected, (failure as Error).message).toBe(true);
      if (expected && 'error' in expected) {
        expect((failure as Error).message).toMatch(expected.error);
        expect((failure as { code: string }).code).toBe(expected.code);
      }
      return;
    }
    for (const w of workouts!) expect(validateWorkout(w)).toEqual([]);
    expect(expected && 'workouts' in expected, `new corpus file ${name} gave ${workouts!.length} workouts`).toBe(true);
    if (!expected || !('workouts' in expected)) return;
    const [w] = workouts as [Workout];
    expect(workouts).toHaveLength(expected.workouts);
    expect(w.sport).toBe(expected.sport);
    expect(w.samples.offsetSeconds).toHaveLength(expected.samples);
    expect(new Date(w.startTime).toISOString()).toBe(expected.start);
    if (expected.laps !== undefined) expect(w.laps).toHaveLength(expected.laps);
    if (expected.warnings) expect(w.warnings.map((x) => x.code)).toEqual(expected.warnings);
  });
});

describe('csv detection leaves the other formats alone', () => {
  const others = ['fit', 'tcx', 'gpx', 'hrm', 'polar-xml', 'polar-json', 'pwx', 'timex', 'bad', 'perf'].flatMap((folder) => corpusFiles(folder));
  it.skipIf(!corpusDir('fit'))('no corpus file of another format is claimed', () => {
    const claimed = others.filter((f) => {
      const bytes = readBytes(f);
      return detectCsv(bytes) || detectPolarCsv(bytes);
    });
    expect(claimed.map((f) => basename(f))).toEqual([]);
  });
});
