import { describe, expect, it } from 'vitest';
import { buildWorkout } from './build.js';
import type { WorkoutDraft } from './build.js';
import { validateWorkout } from './validate.js';

const T0 = Date.UTC(2024, 4, 1, 7, 0, 0);

function draft(over: Partial<WorkoutDraft> = {}): WorkoutDraft {
  const offsets = Array.from({ length: 61 }, (_, i) => i * 10); // 0..600 s
  return {
    format: 'tcx',
    fileName: 'run.tcx',
    sha256: 'ab'.repeat(32),
    index: 0,
    count: 1,
    sport: 'running',
    startTime: T0,
    samples: {
      offsetSeconds: offsets,
      heartRateBpm: offsets.map((t) => 120 + t / 20),
      distanceMeters: offsets.map((t) => t * 3),
      altitudeMeters: offsets.map((t) => (t < 300 ? 100 + t / 10 : 130 - (t - 300) / 20)),
    },
    ...over,
  };
}

describe('buildWorkout', () => {
  it('computes totals and summaries from samples where the file gives none', () => {
    const w = buildWorkout(draft());
    expect(w.elapsedSeconds).toBe(600);
    expect(w.distanceMeters).toBe(1800);
    expect(w.summary.heartRateMinBpm).toBe(120);
    expect(w.summary.heartRateMaxBpm).toBe(150);
    expect(w.summary.heartRateAvgBpm).toBeCloseTo(135, 5);
    expect(w.summary.speedAvgMetersPerSecond).toBeCloseTo(3, 5);
    expect(w.summary.ascentMeters).toBeCloseTo(30, 0);
    expect(w.summary.descentMeters).toBeCloseTo(15, 0);
    expect(validateWorkout(w)).toEqual([]);
  });

  it("keeps the file's own totals and summary values", () => {
    const w = buildWorkout(draft({ elapsedSeconds: 605, distanceMeters: 1810, summary: { heartRateAvgBpm: 140 } }));
    expect(w.elapsedSeconds).toBe(605);
    expect(w.distanceMeters).toBe(1810);
    expect(w.summary.heartRateAvgBpm).toBe(140);
    expect(w.summary.heartRateMaxBpm).toBe(150);
  });

  it('derives moving time from pauses', () => {
    const w = buildWorkout(draft({ pauses: [{ startOffsetSeconds: 100, durationSeconds: 60 }] }));
    expect(w.movingSeconds).toBe(540);
    expect(w.pauses).toHaveLength(1);
  });

  it('drops samples that step back in time and implausible values, with counted warnings', () => {
    const w = buildWorkout(
      draft({
        samples: {
          offsetSeconds: [0, 1, 1, 0.5, 2, 3],
          heartRateBpm: [100, 400, 101, 102, 0, 103],
          latitudeDegrees: [0, 38.7, 38.7, 38.7, 38.7, 38.7],
          longitudeDegrees: [0, -9.1, -9.1, -9.1, undefined, -9.1],
        },
      }),
    );
    expect(w.samples.offsetSeconds).toEqual([0, 1, 2, 3]);
    expect(w.samples.heartRateBpm).toEqual([100, undefined, undefined, 103]);
    expect(w.samples.latitudeDegrees).toEqual([undefined, 38.7, undefined, 38.7]);
    const codes = Object.fromEntries(w.warnings.map((x) => [x.code, x.count]));
    expect(codes['time-not-increasing']).toBe(2);
    expect(codes['implausible-heartRateBpm']).toBe(2);
    expect(codes['position-incomplete']).toBe(2);
    expect(validateWorkout(w)).toEqual([]);
  });

  it('leaves out implausible summary values, the file\'s or computed', () => {
    const w = buildWorkout(
      draft({
        summary: { heartRateMaxBpm: 300 },
        laps: [{ startTime: T0, elapsedSeconds: 1, distanceMeters: 128 }],
      }),
    );
    expect(w.summary.heartRateMaxBpm).toBe(150); // the file's 300 dropped, the samples' value stands
    expect(w.laps[0]?.summary.speedAvgMetersPerSecond).toBeUndefined(); // 128 m in 1 s
    expect(w.warnings.find((x) => x.code === 'implausible-summary')?.count).toBe(2);
  });

  it('replaces a zero total time from the data with a warning', () => {
    const w = buildWorkout(draft({ elapsedSeconds: 0 }));
    expect(w.elapsedSeconds).toBe(600);
    expect(w.warnings.map((x) => x.code)).toContain('total-time-repaired');
  });

  it('computes lap distance and summaries from the samples inside the lap', () => {
    const w = buildWorkout(
      draft({
        laps: [
          { startTime: T0 + 300_000, elapsedSeconds: 300.5 },
          { startTime: T0, elapsedSeconds: 300, summary: { heartRateMaxBpm: 199 } },
        ],
      }),
    );
    expect(w.laps.map((l) => l.startTime)).toEqual([T0, T0 + 300_000]);
    expect(w.laps[0]?.distanceMeters).toBe(870);
    expect(w.laps[0]?.summary.heartRateMaxBpm).toBe(199);
    expect(w.laps[1]?.distanceMeters).toBe(930); // from the last sample before the lap, so laps add up to 1800
    expect(w.laps[1]?.summary.heartRateMinBpm).toBe(135);
  });

  it('reports laps outside the workout', () => {
    const w = buildWorkout(draft({ elapsedSeconds: 600, laps: [{ startTime: T0 + 900_000, elapsedSeconds: 60 }] }));
    expect(w.warnings.find((x) => x.code === 'lap-outside-workout')?.count).toBe(1);
    expect(validateWorkout(w)).toEqual([]);
  });

  it('gives ids: the recording id when the file has one, else the content hash', () => {
    expect(buildWorkout(draft()).externalId).toBe(`sha256:${'ab'.repeat(32)}`);
    expect(buildWorkout(draft({ count: 3, index: 2 })).externalId).toBe(`sha256:${'ab'.repeat(32)}#2`);
    expect(buildWorkout(draft({ recordingId: 'fit:123:456' })).externalId).toBe('fit:123:456');
    expect(buildWorkout(draft()).fingerprint).toBe('2024-05-01T07:00:00Z/600');
  });

  it('leaves absent values absent rather than zero', () => {
    const w = buildWorkout(draft({ samples: { offsetSeconds: [0, 1], heartRateBpm: [undefined, undefined] } }));
    expect(w.samples.heartRateBpm).toBeUndefined();
    expect(w.summary.heartRateAvgBpm).toBeUndefined();
    expect('distanceMeters' in w).toBe(false);
  });
});

describe('validateWorkout', () => {
  it('finds broken invariants', () => {
    const w = buildWorkout(draft());
    w.samples.offsetSeconds[5] = 0;
    w.samples.heartRateBpm?.push(500);
    w.laps.push({ startTime: T0 + 10_000_000, elapsedSeconds: 10, summary: {} });
    const problems = validateWorkout(w);
    expect(problems.some((p) => p.includes('do not increase'))).toBe(true);
    expect(problems.some((p) => p.includes('heartRateBpm has 62 values'))).toBe(true);
    expect(problems.some((p) => p.includes('outside 20..250'))).toBe(true);
    expect(problems.some((p) => p.includes('lap 1 lies outside'))).toBe(true);
  });
});
