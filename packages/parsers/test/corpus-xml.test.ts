import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { isParseError } from '../src/errors.js';
import { gpxParser } from '../src/gpx.js';
import { tcxParser } from '../src/tcx.js';
import { DEFAULT_LIMITS } from '../src/types.js';
import { corpusDir, corpusFiles, readBytes } from './corpus.js';

/**
 * Every .tcx and .gpx of ../shared/corpus (tcx/, gpx/, perf/) parses into workouts that pass
 * validateWorkout with no problems, or — where the file holds no workout — ends in the
 * ParseError its case calls for. Facts below are read from the files themselves.
 */
const files = [...corpusFiles('tcx'), ...corpusFiles('gpx'), ...corpusFiles('perf'), ...corpusFiles('bad')].filter((f) => /\.(tcx|gpx)$/i.test(f));
for (const dir of ['tcx', 'gpx', 'perf', 'bad']) {
  if (!corpusDir(dir)) console.warn(`corpus-xml: ../shared/corpus/${dir} is absent on this machine; its files are skipped`);
}

/** Files that must fail, with the code and the reason. */
const FAILS: Record<string, { code: string; message: string }> = {
  // A GPX with no times fails with a clear reason: that is the required behaviour (a workout needs times).
  'sportstracker__bike-tour-track_only.gpx': { code: 'no-data', message: 'the track has no <time> on its points; a workout needs times' },
  'gc__MetadataOnly.gpx': { code: 'no-data', message: 'the file holds no track points' },
};

function parse(path: string): Workout[] {
  const bytes = readBytes(path);
  const parser = path.toLowerCase().endsWith('.tcx') ? tcxParser : gpxParser;
  expect(parser.detect(bytes)).toBe(true);
  return parser.parse(bytes, { fileName: basename(path), sha256: createHash('sha256').update(bytes).digest('hex'), limits: DEFAULT_LIMITS });
}

const iso = (ms: number): string => new Date(ms).toISOString();
const codes = (w: Workout): string[] => w.warnings.map((x) => x.code);

/** Asserted facts per file (all workouts of the file). */
const FACTS: Record<string, (ws: Workout[]) => void> = {
  'gc__2009_01_09_11_13_14.tcx': ([w]) => {
    // The first trackpoint lies 1 s before the lap/Id start: kept, and the workout starts there.
    expect(iso(w!.startTime)).toBe('2009-01-09T19:13:13.000Z');
    expect(w!.laps[0]?.startTime).toBe(Date.parse('2009-01-09T19:13:14Z'));
    expect(codes(w!)).toContain('points-before-lap');
    expect(w!.sport).toBe('cycling');
  },
  'gc__activity_165850259_multi-session.tcx': (ws) => {
    expect(ws).toHaveLength(4);
    expect(ws.map((w) => iso(w.startTime).slice(0, 10))).toEqual(['2011-11-29', '2011-12-01', '2011-12-04', '2011-12-07']);
    expect(ws.map((w) => w.sport)).toEqual(['running', 'cycling', 'running', 'cycling']);
    expect(ws.map((w) => w.source.index)).toEqual([0, 1, 2, 3]);
    // One MultiSportSession in the file, but its parts lie days apart: not grouped.
    expect(ws.every((w) => w.source.group === undefined && codes(w).includes('multisport-split'))).toBe(true);
    expect(ws[0]).toMatchObject({ distanceMeters: 7651.0292969, energyKilocalories: 558 });
    expect(ws[0]?.device).toMatchObject({ manufacturer: 'Garmin', serial: '3815748186', software: '2.90' });
  },
  'sportslib__6860712481.tcx': ([w]) => {
    // Pairs with fit/sportslib__6860712481.fit: start 13:14:59Z from the first lap, not the minute-rounded Id 13:14:00.
    expect(iso(w!.startTime)).toBe('2019-07-21T13:14:59.000Z');
    expect(w!.fingerprint).toBe('2019-07-21T13:14:59Z/2848');
    expect(w!.laps).toHaveLength(28);
    expect(w!.distanceMeters).toBe(2000);
    expect(w!.device).toEqual({ manufacturer: 'Garmin', product: 'Forerunner 945', serial: '3996264072', software: '2.50' });
  },
  'sportslib__movescount.tcx': ([w]) => {
    // RunCadence 91 strides/min in a default-namespace <TPX xmlns="…">, doubled to steps.
    expect(w!.samples.cadencePerMinute?.find((v) => v !== undefined)).toBe(182);
    // MaximumSpeed 18720.0 in both laps is not a speed.
    expect(w!.warnings).toContainEqual(expect.objectContaining({ code: 'implausible-lap-value', count: 2 }));
  },
  'sportstracker__Forerunner305-Running-NoHeartrate-1Lap.tcx': ([w]) => {
    expect(w!.pauses).toHaveLength(3);
    expect(w!.samples.heartRateBpm).toBeUndefined();
    expect(w!.movingSeconds).toBe(2325.02);
  },
  'sportstracker__Forerunner405-Running_CadenceSensor.tcx': ([w]) => {
    expect(w!.laps).toHaveLength(6);
    expect(w!.laps.map((l) => l.trigger)).toEqual(['distance', 'distance', 'distance', 'distance', 'distance', 'manual']);
    expect(w!.samples.cadencePerMinute?.[0]).toBe(100); // ext:RunCadence 50
  },
  'stc__polar-workout-multi.tcx': (ws) => {
    expect(ws.map((w) => [w.sport, w.sourceSport.sport])).toEqual([
      ['cycling', 'Cycling_sport'],
      ['running', 'Running'],
    ]);
  },
  'gc-2010-04-05-21-45-04.tcx': ([w]) => {
    expect(w!.pauses).toHaveLength(13);
    expect(w!.samples.powerWatts).toBeDefined();
  },
  'gc-aerolab-activity_790564192.tcx': ([w]) => {
    expect(w!.laps).toHaveLength(4);
    expect(w!.samples.offsetSeconds.length).toBeGreaterThan(4000);
    expect(w!.device.product).toBe('Garmin Edge 1000');
    expect(w!.summary.powerMaxWatts).toBe(398);
  },
  'gc__Move_2014_01_16_19_48_44.gpx': ([w]) => {
    expect(w!.startTime).toBe(Date.parse('2014-01-16T18:48:44.340Z'));
    expect(w!.samples.offsetSeconds[1]).toBe(2.53);
    expect(w!.device.manufacturer).toBe('Suunto');
  },
  'slither__running.gpx': ([w]) => {
    expect(w!.device).toEqual({ product: 'Polar M400', manufacturer: 'Polar' });
    expect(w!.samples.offsetSeconds).toHaveLength(3032);
  },
  'sportslib__4623204522-1.gpx': ([w]) => {
    // Strava's numeric <type>16</type> is kept verbatim; we do not guess what the number means.
    expect(w!.sourceSport.sport).toBe('16');
    expect(w!.sport).toBe('other');
    expect(codes(w!)).toContain('sport-unknown');
  },
  'sportslib__garmin.gpx': ([w]) => {
    expect(w!.sport).toBe('running');
    expect(w!.summary.cadenceMaxPerMinute).toBe(162); // ns3:cad 81 strides/min doubled
  },
  'sportstracker__bike-tour-holux-funtrek-130-pro-with-heartrate.gpx': ([w]) => {
    expect(w!.summary.heartRateMaxBpm).toBe(166); // Holux <bpm>
    expect(w!.device.manufacturer).toBe('Holux');
  },
  'gc-UrbanBiker2019-04-18_16-12.gpx': ([w]) => {
    expect(w!.pauses).toHaveLength(1); // three <trkseg>, the first one empty
    expect(w!.summary.powerMaxWatts).toBe(727); // gpxpx:PowerInWatts
    expect(w!.name).toContain('Rose X-Lite');
  },
};

describe.skipIf(files.length === 0)('corpus: TCX and GPX files', () => {
  it.each(files.map((f) => [basename(f), f]))('%s', (name, path) => {
    const expected = FAILS[name];
    if (expected) {
      let error: unknown;
      try {
        parse(path);
      } catch (e) {
        error = e;
      }
      expect(isParseError(error), String(error)).toBe(true);
      expect((error as { code: string }).code).toBe(expected.code);
      expect((error as Error).message).toContain(expected.message);
      return;
    }
    const workouts = parse(path);
    expect(workouts.length).toBeGreaterThan(0);
    for (const w of workouts) {
      expect(validateWorkout(w), `${name} #${w.source.index}`).toEqual([]);
      expect(w.source.count).toBe(workouts.length);
      expect(w.samples.offsetSeconds.length).toBeGreaterThan(0);
    }
    FACTS[name]?.(workouts);
  });

  it('has facts only for files that exist', () => {
    const names = new Set(files.map((f) => basename(f)));
    for (const name of [...Object.keys(FACTS), ...Object.keys(FAILS)]) expect(names.has(name), name).toBe(true);
  });
});
