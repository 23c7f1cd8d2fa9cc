import { buildTwelveHourRide } from '@optimo-import/fixtures';
import { parseWorkout } from '@optimo-import/parsers';
import type { Workout } from '@optimo-import/workout';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from './options.js';
import { T0, longWorkout, mappingCode, plainWorkout } from './test-workouts.js';
import type { WorkoutUploadPlan } from './upload-plan.js';
import { WORKOUT_ID_RESERVE_BYTES, countWorkoutRequests, planWorkoutUpload } from './upload-plan.js';
import { buildWorkoutCreate } from './workout-requests.js';

const OPTIONS = { athleteId: 42, timeZone: 'Europe/Berlin' };
let rideCache: Workout | undefined;
/** The 12-hour ride (43,200 samples, every channel), encoded and parsed once: encoding takes seconds. */
const twelveHourRide = (): Workout => (rideCache ??= parseWorkout(buildTwelveHourRide())[0] as Workout);
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const SAMPLES = /<samples>([\s\S]*)<\/samples>/;
const samplesOf = (body: string): string => SAMPLES.exec(body)?.[1] ?? '';
const wholeCache = new WeakMap<Workout, string>();
/** The samples one uncapped create would send. */
const allSamplesOf = (workout: Workout): string => {
  let text = wholeCache.get(workout);
  if (text === undefined) {
    text = samplesOf(buildWorkoutCreate(workout, { ...OPTIONS, maxBodyBytes: 1_000_000_000 }));
    wholeCache.set(workout, text);
  }
  return text;
};

/** Every body fits, the ranges tile the samples in order, and together they send exactly what one create would. */
function checkPlan(workout: Workout, plan: WorkoutUploadPlan, maxBodyBytes: number): string[] {
  const bodies = [plan.create, ...plan.chunks.map((chunk, i) => chunk.build(String(1_000_000 + i)))];
  for (const body of bodies) expect(bytes(body)).toBeLessThanOrEqual(maxBodyBytes);
  const ranges = [plan.createRange, ...plan.chunks];
  expect(ranges[0]?.fromIndex).toBe(0);
  for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.fromIndex).toBe(ranges[i - 1]?.toIndex);
  expect(ranges[ranges.length - 1]?.toIndex).toBe(workout.samples.offsetSeconds.length);
  for (const chunk of plan.chunks) expect(chunk.toIndex).toBeGreaterThan(chunk.fromIndex);
  expect(bodies.map(samplesOf).join('') === allSamplesOf(workout)).toBe(true);
  expect(plan.requestCount).toBe(bodies.length);
  expect(plan.createSampleCount + plan.chunks.reduce((sum, c) => sum + c.sampleCount, 0)).toBe(plan.sampleCount);
  return bodies;
}

/** Fewest requests: no body could have taken the next sample (with the id reserve). */
function checkGreedy(workout: Workout, plan: WorkoutUploadPlan, maxBodyBytes: number): void {
  const sampleTexts = allSamplesOf(workout).split('</sample>').filter((s) => s !== '').map((s) => `${s}</sample>`);
  const createNext = sampleTexts[plan.createRange.toIndex];
  if (createNext !== undefined) expect(bytes(plan.create) + (plan.createSampleCount === 0 ? 19 : 0) + bytes(createNext)).toBeGreaterThan(maxBodyBytes);
  plan.chunks.forEach((chunk, i) => {
    const next = sampleTexts[chunk.toIndex];
    if (next === undefined) return;
    const body = chunk.build('1'.repeat(WORKOUT_ID_RESERVE_BYTES));
    expect(bytes(body) + bytes(next), `chunk ${i}`).toBeGreaterThan(maxBodyBytes);
  });
}

describe('planWorkoutUpload', () => {
  it('makes one request for a small workout, the same body buildWorkoutCreate makes', () => {
    const workout = plainWorkout();
    const plan = planWorkoutUpload(workout, OPTIONS);
    expect(plan.requestCount).toBe(1);
    expect(plan.chunks).toEqual([]);
    expect(plan.create).toBe(buildWorkoutCreate(workout, OPTIONS));
    expect(plan.sampleCount).toBe(4);
    expect(countWorkoutRequests(workout, OPTIONS)).toBe(1);
  });

  it('splits the 12-hour ride at a small cap into the fewest bodies that fit', () => {
    const ride = twelveHourRide();
    expect(ride.samples.offsetSeconds).toHaveLength(43_200);
    for (const cap of [65_536, 3_000_000]) {
      const plan = planWorkoutUpload(ride, { ...OPTIONS, maxBodyBytes: cap });
      checkPlan(ride, plan, cap);
      checkGreedy(ride, plan, cap);
      expect(countWorkoutRequests(ride, { ...OPTIONS, maxBodyBytes: cap })).toBe(plan.requestCount);
      expect(plan.sampleCount).toBe(43_200);
    }
  });

  it('needs two requests for the 12-hour ride at the real 10 MiB cap', () => {
    const ride = twelveHourRide();
    const whole = buildWorkoutCreate(ride, { ...OPTIONS, maxBodyBytes: 1_000_000_000 });
    expect(bytes(whole)).toBeGreaterThan(MAX_BODY_BYTES);
    const plan = planWorkoutUpload(ride, OPTIONS);
    checkPlan(ride, plan, MAX_BODY_BYTES);
    expect(plan.requestCount).toBe(2);
    expect(countWorkoutRequests(ride, OPTIONS)).toBe(2);
    expect(() => buildWorkoutCreate(ride, OPTIONS)).toThrow('over maxBodyBytes 10485760; split it with planWorkoutUpload');
  });

  it('splits a two-day recording (172,800 samples, every channel) into 10 MiB bodies', () => {
    const workout = longWorkout(2 * 86_400);
    const plan = planWorkoutUpload(workout, OPTIONS);
    const bodies = checkPlan(workout, plan, MAX_BODY_BYTES);
    checkGreedy(workout, plan, MAX_BODY_BYTES);
    const total = bodies.reduce((sum, body) => sum + bytes(body), 0);
    expect(plan.requestCount).toBe(Math.ceil(total / MAX_BODY_BYTES));
    expect(plan.requestCount).toBeGreaterThanOrEqual(4);
    expect(countWorkoutRequests(workout, OPTIONS)).toBe(plan.requestCount);
  });

  it('takes a body of exactly maxBodyBytes, and splits at one byte less', () => {
    const workout = longWorkout(600);
    const size = bytes(buildWorkoutCreate(workout, { ...OPTIONS, maxBodyBytes: 1_000_000_000 }));
    expect(planWorkoutUpload(workout, { ...OPTIONS, maxBodyBytes: size }).requestCount).toBe(1);
    expect(countWorkoutRequests(workout, { ...OPTIONS, maxBodyBytes: size })).toBe(1);
    const split = planWorkoutUpload(workout, { ...OPTIONS, maxBodyBytes: size - 1 });
    expect(split.requestCount).toBe(2);
    expect(countWorkoutRequests(workout, { ...OPTIONS, maxBodyBytes: size - 1 })).toBe(2);
    checkPlan(workout, split, size - 1);
  });

  it('measures in UTF-8 bytes, not characters', () => {
    const workout = longWorkout(200, { notes: '🏔️'.repeat(1500), name: 'Ünïcödé' });
    for (const cap of [12_000, 20_000, 40_000]) checkPlan(workout, planWorkoutUpload(workout, { ...OPTIONS, maxBodyBytes: cap }), cap);
  });

  it('fails beyond 200,000 samples, and when the workout without samples does not fit', () => {
    const tooMany = longWorkout(200_001);
    expect(mappingCode(() => planWorkoutUpload(tooMany, OPTIONS))).toBe('too-many-samples');
    expect(mappingCode(() => countWorkoutRequests(tooMany, OPTIONS))).toBe('too-many-samples');
    const heavyHead = plainWorkout({ notes: 'n'.repeat(5000) });
    expect(mappingCode(() => planWorkoutUpload(heavyHead, { ...OPTIONS, maxBodyBytes: 4096 }))).toBe('body-too-large');
    expect(mappingCode(() => countWorkoutRequests(heavyHead, { ...OPTIONS, maxBodyBytes: 4096 }))).toBe('body-too-large');
  });

  it('builds chunks for the id the create answered, refusing an id that would pass the cap', () => {
    const workout = longWorkout(3600);
    const plan = planWorkoutUpload(workout, { ...OPTIONS, maxBodyBytes: 65_536 });
    const chunk = plan.chunks[0];
    if (!chunk) throw new Error('expected chunks');
    expect(chunk.build(8812)).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><request method="workout.samples.add"><workout_id>8812<\/workout_id><samples><sample>/);
    expect(() => chunk.build('9'.repeat(400))).toThrow('[workout.samples.add]');
    expect(() => chunk.build('')).toThrow(RangeError);
  });

  it('counts what it plans, for random workouts and caps (property)', () => {
    let seed = 99;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 40; round++) {
      const n = Math.floor(random() * 3000);
      const offsets: number[] = [];
      let t = random() * 5;
      for (let i = 0; i < n; i++) {
        offsets.push(random() < 0.01 ? t - 3 : t); // a few go backwards: skipped
        t += random() < 0.5 ? 1 : random() * 30;
      }
      const column = (scale: number, negative: boolean): (number | undefined)[] =>
        offsets.map(() => (random() < 0.1 ? undefined : (negative ? random() - 0.5 : random()) * scale));
      const workout = plainWorkout({
        laps: [],
        startTime: T0 + Math.floor(random() * 1000),
        samples: {
          offsetSeconds: offsets,
          heartRateBpm: column(200, false),
          ...(random() < 0.5 ? { latitudeDegrees: column(180, true), longitudeDegrees: column(360, true) } : {}),
          ...(random() < 0.5 ? { distanceMeters: column(300_000, false), altitudeMeters: column(9000, true) } : {}),
        },
      });
      const cap = 2048 + Math.floor(random() * 200_000);
      const plan = planWorkoutUpload(workout, { ...OPTIONS, maxBodyBytes: cap });
      expect(countWorkoutRequests(workout, { ...OPTIONS, maxBodyBytes: cap }), `round ${round}`).toBe(plan.requestCount);
      for (const body of [plan.create, ...plan.chunks.map((c) => c.build(1))]) expect(bytes(body)).toBeLessThanOrEqual(cap);
    }
  });

  it('reports the mapping warnings once, also through onWarning', () => {
    const seen: string[] = [];
    const workout = plainWorkout({ samples: { offsetSeconds: [0, 1, 1], heartRateBpm: [90, Number.NaN, 91] } });
    const plan = planWorkoutUpload(workout, { ...OPTIONS, onWarning: (w) => seen.push(w.code) });
    expect(plan.warnings.map((w) => [w.code, w.count])).toEqual([
      ['sample-skipped', 1],
      ['value-left-out', 1],
    ]);
    expect(seen).toEqual(['sample-skipped', 'value-left-out']);
    expect(plan.sampleCount).toBe(2);
  });
});
