import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { corpusDir, corpusFiles, readBytes } from '../test/corpus.js';
import { pwxParser } from './pwx.js';
import { sha256Hex } from './registry.js';
import { DEFAULT_LIMITS } from './types.js';
import { recognizeUnsupported } from './unsupported.js';

/**
 * Every PWX of ../shared/corpus (pwx/ and the Timex files in timex/), read in place: valid
 * workouts whose totals equal the file's own <summarydata> (read here with plain regular
 * expressions, not with the parser), laps equal to its segments, plus per-file facts.
 */
const files = [...corpusFiles('pwx'), ...corpusFiles('timex')].filter((f) => /\.pwx$/i.test(f));
for (const dir of ['pwx', 'timex']) {
  if (!corpusDir(dir)) console.warn(`pwx-corpus: ../shared/corpus/${dir} is absent on this machine; its files are skipped`);
}

/** Where each file was recorded (from its GPS or its writer), so the naive <time> is read there. */
const ZONES: Record<string, string> = {
  'gc__IpBike_902.pwx': 'Europe/Ljubljana', // 46.08 N 14.52 E
  'sportstracker__Timex20100618201200_1.pwx': 'Europe/London', // no GPS (HR-only watch); an assumption
  'sportstracker__Timex_Global_Trainer_5Laps.pwx': 'America/Los_Angeles', // 47.14 N 122.96 W (Olympia, WA)
  'sportstracker__Timex_Run_Trainer_2013_01_01_08_22_52.pwx': 'Australia/Brisbane', // -27.37 S 153.03 E
};

interface FileSummary {
  time: string;
  duration: number;
  stopped?: number;
  dist?: number;
  hr?: { max: number; avg: number };
  segments: { name: string; beginning: number; duration: number; dist?: number }[];
  /** Increasing sample offsets as the file lists them. */
  offsets: number[];
}

/** The file's own numbers, read with regular expressions (independent of the parser). */
function fileSummary(text: string): FileSummary {
  const withoutSamples = text.replace(/<sample>[\s\S]*?<\/sample>/g, '').replace(/<settings>[\s\S]*?<\/settings>/g, '');
  const top = /<summarydata>([\s\S]*?)<\/summarydata>/.exec(withoutSamples)?.[1] ?? '';
  const num = (block: string, tag: string): number | undefined => {
    const m = new RegExp(`<${tag}>\\s*([^<]+?)\\s*</${tag}>`).exec(block);
    return m ? Number(m[1]) : undefined;
  };
  const hrTag = /<hr\s+([^>]*)\/>/.exec(top)?.[1];
  const attr = (attrs: string, name: string): number => Number(new RegExp(`${name}="([^"]+)"`).exec(attrs)?.[1]);
  const segments = [...withoutSamples.matchAll(/<segment>([\s\S]*?)<\/segment>/g)].map(([, seg]) => ({
    name: (/<name>([^<]*)<\/name>/.exec(seg as string)?.[1] ?? '').trim(),
    beginning: num(seg as string, 'beginning') as number,
    duration: num(seg as string, 'duration') as number,
    dist: num(seg as string, 'dist'),
  }));
  const offsets: number[] = [];
  for (const [, t] of text.matchAll(/<sample>\s*<timeoffset>\s*([^<]+?)\s*<\/timeoffset>/g)) {
    const v = Number(t);
    if (offsets.length === 0 || v > (offsets[offsets.length - 1] as number)) offsets.push(v);
  }
  return {
    time: (/<time>([^<]+)<\/time>/.exec(withoutSamples)?.[1] ?? '').trim(),
    duration: num(top, 'duration') as number,
    stopped: num(top, 'durationstopped'),
    dist: num(top, 'dist'),
    hr: hrTag ? { max: attr(hrTag, 'max'), avg: attr(hrTag, 'avg') } : undefined,
    segments,
    offsets,
  };
}

function parse(path: string): { workouts: Workout[]; text: string } {
  const bytes = readBytes(path);
  const name = basename(path);
  expect(pwxParser.detect(bytes)).toBe(true);
  expect(recognizeUnsupported(bytes, name)).toBeUndefined();
  const workouts = pwxParser.parse(bytes, { fileName: name, sha256: sha256Hex(bytes), limits: DEFAULT_LIMITS, timeZone: ZONES[name] });
  return { workouts, text: new TextDecoder().decode(bytes) };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const codes = (w: Workout): string[] => w.warnings.map((x) => x.code);

const FACTS: Record<string, (w: Workout) => void> = {
  'gc__IpBike_902.pwx': (w) => {
    expect([iso(w.startTime), w.utcOffsetMinutes, w.utcOffsetSource]).toEqual(['2016-01-11T06:07:32.000Z', 60, 'time-zone-option']);
    expect(w).toMatchObject({ sport: 'cycling', name: 'IpBike_902', movingSeconds: 3070 - 26, laps: [] });
    expect(w.summary).toMatchObject({ powerAvgWatts: 224, powerMaxWatts: 670, cadenceAvgPerMinute: 86, temperatureAvgCelsius: 11.655538, ascentMeters: 142, descentMeters: 102 });
    expect(w.summary.heartRateMinBpm).toBe(105); // the file's hr min="0.0" is no reading; the samples' minimum
    expect(w.samples.offsetSeconds).toHaveLength(3070); // 3071 samples, one repeats its offset
    expect(w.warnings).toEqual([{ code: 'time-not-increasing', message: 'samples whose time repeats or steps back were skipped', count: 1 }]);
    expect(w.samples.powerWatts?.slice(0, 5)).toEqual([0, 0, 0, 0, 221]); // 1 W written for 0 W
    expect(w.device).toEqual({ manufacturer: 'iforpowell.com', product: 'IpBike' });
  },
  'sportstracker__Timex20100618201200_1.pwx': (w) => {
    expect([iso(w.startTime), w.utcOffsetMinutes]).toEqual(['2010-06-18T19:12:00.000Z', 60]);
    expect(w.sport).toBe('running');
    expect(w.laps).toHaveLength(12); // 13 segments; the last, "Entire Workout", is the workout itself
    expect(w.laps.map((l) => l.summary.heartRateAvgBpm)).toEqual([98, 137, 151, 148, 148, 148, 150, 158, 155, 156, 132, 138]);
    expect(Object.keys(w.samples)).toEqual(['offsetSeconds', 'heartRateBpm']);
    expect(w.samples.offsetSeconds).toHaveLength(1099);
    expect(w.samples.heartRateBpm?.filter((v) => v === undefined)).toHaveLength(29); // samples with no <hr>
    expect(w.device).toEqual({ manufacturer: 'Timex', product: 'Ironman Race Trainer (843)' });
    expect(w.summary).toMatchObject({ heartRateMinBpm: 64, heartRateMaxBpm: 160, heartRateAvgBpm: 141 });
  },
  'sportstracker__Timex_Global_Trainer_5Laps.pwx': (w) => {
    expect([iso(w.startTime), w.utcOffsetMinutes]).toEqual(['2010-09-10T00:53:21.000Z', -420]);
    expect(w.sport).toBe('cycling');
    expect(w.laps.map((l) => l.distanceMeters)).toEqual([1711, 1238, 1341, 476, 550]);
    expect(w.summary).toMatchObject({ speedAvgMetersPerSecond: 8.76389, speedMaxMetersPerSecond: 10.9944, ascentMeters: 52, descentMeters: 82 });
    expect(w.samples.offsetSeconds).toHaveLength(300);
    expect(w.samples.offsetSeconds[1]).toBe(4); // nominal 2 s ...
    expect(w.samples.offsetSeconds.at(-1)).toBe(606.94); // ... but 300 samples over 604.94 s
    expect(w.extras).toEqual({ creator: 'winDeviceAgent/3.0', 'work-kilojoules': 456 });
  },
  'sportstracker__Timex_Run_Trainer_2013_01_01_08_22_52.pwx': (w) => {
    // Brisbane, UTC+10 all year: the naive 08:22:52 local is the previous day in UTC.
    expect([iso(w.startTime), w.utcOffsetMinutes, w.utcOffsetSource]).toEqual(['2012-12-31T22:22:52.000Z', 600, 'time-zone-option']);
    expect(w.externalId).toBe('pwx:849eeeb5a44bf42b5d7f53ed2e2097d80a2f7bd56d279984e98d14e9f9cbea1d');
    expect(w.pauses).toEqual([]); // Starting at 0, Stopping at the end: no pause
    expect(w.movingSeconds).toBe(2381.21);
    expect(w.samples.distanceMeters?.at(-1)).toBe(3868.76);
    expect(w.samples.offsetSeconds).toHaveLength(1191);
    expect(w.device).toEqual({ manufacturer: 'Timex', product: 'Run Trainer' });
    expect(w.warnings).toEqual([]);
  },
};

describe.skipIf(files.length === 0)('corpus: PWX files', () => {
  it.each(files.map((f) => [basename(f), f]))('%s', (name, path) => {
    const { workouts, text } = parse(path);
    expect(workouts).toHaveLength((text.match(/<workout>/g) ?? []).length);
    const [w] = workouts as [Workout];
    expect(validateWorkout(w)).toEqual([]);
    const file = fileSummary(text);
    expect(w.elapsedSeconds).toBe(file.duration);
    if (file.dist !== undefined) expect(w.distanceMeters).toBe(file.dist);
    if (file.stopped !== undefined) expect(w.movingSeconds).toBe(file.duration - file.stopped);
    if (file.hr && file.hr.avg > 0) expect([w.summary.heartRateAvgBpm, w.summary.heartRateMaxBpm]).toEqual([file.hr.avg, file.hr.max]);
    const laps = file.segments.filter((s) => !(s.name === 'Entire Workout' && file.segments.length > 1));
    expect(w.laps.map((l) => [Math.round(l.startTime - w.startTime) / 1000, l.elapsedSeconds])).toEqual(laps.map((s) => [s.beginning, s.duration]));
    if (laps.length > 0) expect(laps.reduce((sum, s) => sum + s.duration, 0)).toBeCloseTo(file.duration, 6);
    expect(w.samples.offsetSeconds).toEqual(file.offsets);
    expect(w.utcOffsetSource).toBe('time-zone-option');
    expect(codes(w).filter((c) => c.startsWith('implausible'))).toEqual([]);
    FACTS[name]?.(w);
  });

  it('has facts for every file, and only for files that exist', () => {
    const names = files.map((f) => basename(f)).sort();
    expect(Object.keys(FACTS).sort()).toEqual(names);
    expect(Object.keys(ZONES).sort()).toEqual(names);
  });
});
