import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { parseIsoDuration, polarJsonParser } from './polar-json.js';
import { contextFor } from './test-polar.js';
import { corpusDir, corpusFiles, readBytes } from '../test/corpus.js';

/**
 * Every file of ../shared/corpus/polar-json, read in place: valid workouts whose totals are the
 * file's own (each exercise's duration, distance, kiloCalories and heart rate), plus the facts
 * of each file.
 */
const files = corpusFiles('polar-json');
if (!corpusDir('polar-json')) console.warn('polar-json corpus: ../shared/corpus/polar-json is absent on this machine; its files are skipped');

interface StatedExercise {
  duration: string;
  distance?: number;
  kiloCalories?: number;
  sport?: string;
  heartRate?: { min?: number; avg?: number; max?: number };
  samples?: Record<string, unknown[]>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const FACTS: Record<string, (ws: Workout[]) => void> = {
  'slither__running.json': ([w]) => {
    // 2017-01-23 18:20:18 local with timezoneOffset 60 → 17:20:18Z; 2751 heart-rate samples at 1 s.
    expect(iso(w!.startTime)).toBe('2017-01-23T17:20:18.000Z');
    expect(w!).toMatchObject({ utcOffsetMinutes: 60, utcOffsetSource: 'file', sport: 'running', name: 'Laufen' });
    expect(w!.samples.offsetSeconds).toHaveLength(2751);
    expect(w!.samples.offsetSeconds.at(-1)).toBe(2750);
    // The route's dateTimes run 4827.8 s after the heart rate's (another clock): moved onto the exercise.
    expect(w!.warnings.map((x) => x.code)).toEqual(['stream-time-shifted']);
    expect(w!.samples.latitudeDegrees![0]).toBe(53.107227);
    expect(w!.samples.heartRateBpm!.every((v) => v !== undefined)).toBe(true);
    expect(w!.samples.latitudeDegrees!.every((v) => v !== undefined)).toBe(true);
    // No distance stream: computed from the route (6.73 km against the file's 6595 m total).
    expect(w!.samples.distanceMeters!.at(-1)).toBeCloseTo(6726.8, 0);
    // Cadence 88/125 strides per minute on a run: 176/250 steps.
    expect(w!.summary).toMatchObject({ cadenceAvgPerMinute: 176, cadenceMaxPerMinute: 250 });
    expect(w!.summary.speedAvgMetersPerSecond).toBeCloseTo(8.620513916015625 / 3.6, 9);
  },
};

describe.skipIf(files.length === 0)('polar-json corpus', () => {
  it.each(files.map((f) => [basename(f), f] as const))('%s', (name, path) => {
    const bytes = readBytes(path);
    expect(polarJsonParser.detect(bytes)).toBe(true);
    const workouts = polarJsonParser.parse(bytes, contextFor(bytes, { fileName: name }));
    for (const w of workouts) expect(validateWorkout(w)).toEqual([]);
    const stated = (JSON.parse(readFileSync(path, 'utf8')) as { exercises: StatedExercise[] }).exercises;
    expect(workouts).toHaveLength(stated.length);
    workouts.forEach((w, i) => {
      const ex = stated[i]!;
      expect(w.elapsedSeconds).toBeCloseTo(parseIsoDuration(ex.duration), 6);
      if (ex.distance) expect(w.distanceMeters).toBe(ex.distance);
      if (ex.kiloCalories) expect(w.energyKilocalories).toBe(ex.kiloCalories);
      if (ex.heartRate?.avg) expect(w.summary.heartRateAvgBpm).toBe(ex.heartRate.avg);
      if (ex.heartRate?.max) expect(w.summary.heartRateMaxBpm).toBe(ex.heartRate.max);
      if (ex.heartRate?.min) expect(w.summary.heartRateMinBpm).toBe(ex.heartRate.min);
      expect(w.sourceSport.sport).toBe(ex.sport);
      const most = Math.max(0, ...Object.values(ex.samples ?? {}).map((s) => s.length));
      expect(w.samples.offsetSeconds.length).toBeGreaterThanOrEqual(most);
    });
    const facts = FACTS[name];
    expect(facts, `no facts recorded for ${name}`).toBeDefined();
    facts!(workouts);
  });
});
