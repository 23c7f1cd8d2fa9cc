import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { parseClockDuration } from './polar-xml-common.js';
import { polarXmlParser } from './polar-xml.js';
import { contextFor } from './test-polar.js';
import { corpusDir, corpusFiles, readBytes } from '../test/corpus.js';

/**
 * Every file of ../shared/corpus/polar-xml, read in place: valid workouts whose totals are the
 * file's own summary values (read here from the text with plain patterns, independently of the
 * parser), plus the facts of each file.
 */
const files = corpusFiles('polar-xml');
if (!corpusDir('polar-xml')) console.warn('polar-xml corpus: ../shared/corpus/polar-xml is absent on this machine; its files are skipped');

const iso = (ms: number): string => new Date(ms).toISOString();

function parseFile(path: string): Workout[] {
  const bytes = readBytes(path);
  expect(polarXmlParser.detect(bytes)).toBe(true);
  // Europe/Berlin: both files come from German-speaking users; the zone makes the UTC start exact.
  return polarXmlParser.parse(bytes, contextFor(bytes, { fileName: basename(path), timeZone: 'Europe/Berlin' }));
}

/** The first `<tag>` text of a block. */
const first = (block: string, tag: string): string | undefined => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(block)?.[1];

/** Totals stated by the file itself, one entry per exercise/session. */
function statedTotals(text: string): { seconds: number; meters?: number; kcal?: number; hrAvg?: number; hrMax?: number }[] {
  if (text.includes('<rs200_session')) {
    const summary = /<summary>([\s\S]*?)<\/summary>/.exec(text)?.[1] ?? '';
    return [{ seconds: Number(first(summary, 'length')), meters: Number(first(summary, 'total_distance')), kcal: Number(first(summary, 'calories')), hrAvg: Number(first(summary, 'avg_hr')), hrMax: Number(first(summary, 'max_hr')) }];
  }
  return [...text.matchAll(/<exercise>([\s\S]*?)<\/exercise>/g)].map(([, block = '']) => {
    const hr = /<result>[\s\S]*?<\/zones>\s*<heart-rate>([\s\S]*?)<\/heart-rate>/.exec(block)?.[1] ?? '';
    return {
      seconds: parseClockDuration(first(block, 'duration')),
      meters: Number(first(block, 'distance')),
      kcal: Number(first(block, 'calories')),
      hrAvg: Number(first(hr, 'average')),
      hrMax: Number(first(hr, 'maximum')),
    };
  });
}

const FACTS: Record<string, (ws: Workout[]) => void> = {
  'sportstracker__polar-ped-sample.ped': (ws) => {
    // Two exercise-bike sessions without samples; the second one's duration is "00:50" (HH:MM).
    expect(ws).toHaveLength(2);
    expect(ws.map((w) => iso(w.startTime))).toEqual(['2010-04-02T17:19:00.000Z', '2010-04-06T17:55:00.000Z']);
    expect(ws.map((w) => w.elapsedSeconds)).toEqual([3156, 3000]);
    expect(ws.every((w) => w.sport === 'cycling' && w.sourceSport.sport === 'Exercise Bike')).toBe(true);
    expect(ws.every((w) => w.samples.offsetSeconds.length === 0 && w.laps.length === 0)).toBe(true);
    expect(ws[1]!.name).toBe('Exercise Bike');
  },
  'sportstracker__rs200sd-sample.xml': ([w]) => {
    // 2006-02-20 16:54:11 local (CET), six laps listed last first, the last one 680 m.
    expect(iso(w!.startTime)).toBe('2006-02-20T15:54:11.000Z');
    expect(w!).toMatchObject({ sport: 'running', name: 'Free', elapsedSeconds: 1731.6, distanceMeters: 5680 });
    expect(w!.laps.map((l) => l.distanceMeters)).toEqual([1000, 1000, 1000, 1000, 1000, 680]);
    expect(w!.laps.map((l) => l.elapsedSeconds)).toEqual([315.9, 298, 304, 290, 314, 209.7]);
    expect((w!.laps[5]!.startTime - w!.startTime) / 1000).toBeCloseTo(1521.9, 6);
    expect(w!.summary.speedAvgMetersPerSecond).toBeCloseTo(1000 / 304.8, 9);
  },
};

describe.skipIf(files.length === 0)('polar-xml corpus', () => {
  it.each(files.map((f) => [basename(f), f] as const))('%s', (name, path) => {
    const workouts = parseFile(path);
    expect(workouts.length).toBeGreaterThan(0);
    for (const w of workouts) expect(validateWorkout(w)).toEqual([]);
    const stated = statedTotals(new TextDecoder().decode(readBytes(path)));
    expect(workouts).toHaveLength(stated.length);
    workouts.forEach((w, i) => {
      const s = stated[i]!;
      expect(w.elapsedSeconds).toBe(s.seconds);
      if (s.meters) expect(w.distanceMeters).toBe(s.meters);
      if (s.kcal) expect(w.energyKilocalories).toBe(s.kcal);
      if (s.hrAvg) expect(w.summary.heartRateAvgBpm).toBe(s.hrAvg);
      if (s.hrMax) expect(w.summary.heartRateMaxBpm).toBe(s.hrMax);
      expect(w.utcOffsetSource).toBe('time-zone-option');
    });
    const facts = FACTS[name];
    expect(facts, `no facts recorded for ${name}`).toBeDefined();
    facts!(workouts);
  });
});
