import { buildFitActivity } from '@optimo-import/fixtures';
import { readResponse, readWorkout } from '@optimo-import/mapper';
import { describe, expect, it } from 'vitest';
import { toWorkoutSource } from './bench-workouts.js';
import { MAPPER_TIME_ZONE, writeAnswerFromBodies } from './mapper-bench.js';

describe('writeAnswerFromBodies (the answer used when the sandbox cannot run)', () => {
  it('is a workout.get answer the mapper reads back whole', () => {
    const source = toWorkoutSource('short.fit', 'fit', 'fixture', buildFitActivity({ channels: ['hr', 'position', 'distance'], laps: 2, durationSeconds: 120 }));
    const workout = source.workouts[0];
    if (!workout) throw new Error('no workout');
    const answer = readResponse(writeAnswerFromBodies(workout), { status: 200 });
    expect(answer.kind).toBe('ok');
    if (answer.kind !== 'ok') return;
    const record = readWorkout(answer, { timeZone: MAPPER_TIME_ZONE });
    expect(record.samples?.offsetSeconds).toHaveLength(workout.samples.offsetSeconds.length);
    expect(record.laps).toHaveLength(2);
  });
});
