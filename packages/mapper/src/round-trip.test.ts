/**
 * Round trip through real parts: fixture files → @optimo-import/parsers → Workout → request
 * bodies (create + chunks) → our own reader → fields, compared with the model within rounding.
 */
import type { Channel, Summary, Workout } from '@optimo-import/workout';
import { describe, expect, it } from 'vitest';
import { samplesOf, workoutOf } from './answers.js';
import { DECIMALS, LAP_SUMMARY_FIELDS, SAMPLE_CHANNELS, WORKOUT_SUMMARY_FIELDS } from './workout-xml.js';
import { fixtureWorkouts } from './test-workouts.js';
import { planWorkoutUpload } from './upload-plan.js';
import type { XmlElement } from './xml-read.js';
import { childOf, readXml } from './xml-read.js';

const FIXTURES = fixtureWorkouts();
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];

function parse(body: string): XmlElement {
  const parsed = readXml(body);
  if (!parsed.ok) throw new Error(parsed.detail);
  expect(parsed.root.name).toBe('request');
  return parsed.root;
}

/** Equal within half a unit of the last decimal kept (plus float noise), or both unknown. */
function expectClose(actual: number | undefined, expected: number | undefined, decimals: number, what: string): void {
  if (expected === undefined || !Number.isFinite(expected)) {
    expect(actual, what).toBeUndefined();
    return;
  }
  expect(actual, what).toBeTypeOf('number');
  expect(Math.abs((actual as number) - expected), what).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-9 * Math.max(1, Math.abs(expected)));
}

function expectSummary(actual: Summary, expected: Summary, fields: typeof WORKOUT_SUMMARY_FIELDS, what: string): void {
  for (const [element, key, decimals] of fields) expectClose(actual[key], expected[key], decimals, `${what} ${element}`);
}

describe.each(FIXTURES)('round trip of %s', (label, workout: Workout) => {
  const timeZone = ZONES[FIXTURES.findIndex(([l]) => l === label) % ZONES.length] as string;
  const plan = planWorkoutUpload(workout, { athleteId: 42, timeZone, maxBodyBytes: 2_000_000 });
  const create = workoutOf(childOf(parse(plan.create), 'workout') as XmlElement, timeZone);

  it(`keeps the workout's fields (${timeZone})`, () => {
    expect(create.athleteId).toBe('42');
    expect(create.externalId).toBe(workout.externalId);
    expect(create.sport).toBe(workout.sport);
    const subSport = workout.sourceSport.subSport;
    expect(create.subSport).toBe(subSport === 'generic' ? undefined : subSport);
    expect(create.name).toBe(workout.name?.trim() || undefined);
    expect(create.notes).toBe(workout.notes?.trim() || undefined);
    expect(create.startTime).toBe(Math.floor(workout.startTime / 1000) * 1000);
    expectClose(create.elapsedSeconds, workout.elapsedSeconds, DECIMALS.seconds, 'duration');
    expectClose(create.movingSeconds, workout.movingSeconds, DECIMALS.seconds, 'moving_time');
    expectClose(create.distanceMeters, workout.distanceMeters, DECIMALS.distance, 'distance');
    expectClose(create.energyKilocalories, workout.energyKilocalories, DECIMALS.energy, 'calories');
    expectSummary(create.summary, workout.summary, WORKOUT_SUMMARY_FIELDS, 'workout');
    expect(create.device).toEqual(workout.device);
    expect(create.sourceFormat).toBe(workout.source.format);
  });

  it('keeps the laps', () => {
    expect(create.laps).toHaveLength(workout.laps.length);
    workout.laps.forEach((lap, i) => {
      const read = create.laps[i];
      if (!read) throw new Error(`lap ${i} missing`);
      expect(read.startTime, `lap ${i} start`).toBe(Math.floor(lap.startTime / 1000) * 1000);
      expectClose(read.elapsedSeconds, lap.elapsedSeconds, DECIMALS.seconds, `lap ${i} duration`);
      expectClose(read.movingSeconds, lap.movingSeconds, DECIMALS.seconds, `lap ${i} moving_time`);
      expectClose(read.distanceMeters, lap.distanceMeters, DECIMALS.distance, `lap ${i} distance`);
      expectClose(read.energyKilocalories, lap.energyKilocalories, DECIMALS.energy, `lap ${i} calories`);
      expectSummary(read.summary, lap.summary, LAP_SUMMARY_FIELDS, `lap ${i}`);
      expect(read.trigger).toBe(lap.trigger);
    });
  });

  it('keeps every sample once, at its instant, with its values', () => {
    const columns = [create.samples, ...plan.chunks.map((chunk, i) => samplesOf(childOf(parse(chunk.build(9000 + i)), 'samples') as XmlElement))];
    const offsets = columns.flatMap((c) => c?.offsetSeconds ?? []);
    const model = workout.samples;
    expect(offsets).toHaveLength(model.offsetSeconds.length);
    expect(plan.sampleCount).toBe(model.offsetSeconds.length);
    const start = Math.floor(workout.startTime / 1000) * 1000;
    for (let i = 0; i < offsets.length; i++) {
      const instant = start + (offsets[i] as number) * 1000;
      const expected = workout.startTime + (model.offsetSeconds[i] as number) * 1000;
      if (Math.abs(instant - expected) > 0.5 + 1e-6) expect.fail(`sample ${i} at ${instant}, expected ${expected}`);
    }
    for (const [element, channel, decimals] of SAMPLE_CHANNELS) {
      const expectedColumn = model[channel as Channel];
      const read = columns.flatMap((c) => {
        const n = c?.offsetSeconds.length ?? 0;
        const column = c?.[channel as Channel];
        return Array.from({ length: n }, (_, k) => column?.[k]);
      });
      if (!expectedColumn) {
        expect(read.every((v) => v === undefined), `${element} absent`).toBe(true);
        continue;
      }
      const tolerance = 0.5 * 10 ** -decimals + 1e-9;
      for (let i = 0; i < read.length; i++) {
        const want: number | undefined = expectedColumn[i];
        const got: number | undefined = read[i];
        if (want === undefined ? got !== undefined : got === undefined || Math.abs(got - want) > tolerance * Math.max(1, Math.abs(want) * 1e-9 + 1)) {
          expect.fail(`${element}[${i}]: read ${String(got)}, model ${String(want)}`);
        }
      }
    }
  });
});

describe('the fixtures cover what the round trip should meet', () => {
  it('has several formats, laps, gaps, a split workout and a DST crossing', () => {
    const labels = FIXTURES.map(([label]) => label);
    expect(new Set(FIXTURES.map(([, w]) => w.source.format))).toEqual(new Set(['fit', 'tcx', 'gpx']));
    expect(FIXTURES.some(([, w]) => w.laps.length > 1)).toBe(true);
    expect(labels).toContain('gpx-ms-times-over-dst');
    expect(FIXTURES.some(([, w]) => w.startTime % 1000 !== 0)).toBe(true);
    const ride = FIXTURES.find(([label]) => label === 'fit-twelve-hour-ride')?.[1] as Workout;
    expect(planWorkoutUpload(ride, { athleteId: 1, timeZone: 'UTC', maxBodyBytes: 2_000_000 }).chunks.length).toBeGreaterThan(3);
  });
});
