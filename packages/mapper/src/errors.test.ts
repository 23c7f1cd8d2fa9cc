import { describe, expect, it } from 'vitest';
import { MappingError, isMappingError, optionError } from './errors.js';
import * as api from './index.js';

describe('MappingError', () => {
  it('starts its message with the method, record and field, and keeps the parts', () => {
    const cause = new Error('inner');
    const error = new MappingError({ code: 'no-start-time', method: 'workout.create', externalId: 'fit:1:2', field: 'start_time', message: 'no usable start time (NaN)', cause });
    expect(error.message).toBe('[workout.create] fit:1:2 start_time: no usable start time (NaN)');
    expect(error).toMatchObject({ name: 'MappingError', code: 'no-start-time', method: 'workout.create', externalId: 'fit:1:2', field: 'start_time', detail: 'no usable start time (NaN)' });
    expect(error.cause).toBe(cause);
    expect(new MappingError({ code: 'unexpected-answer', message: 'plain' }).message).toBe('plain');
  });

  it('is recognised by name, so that a second installed copy still matches', () => {
    const foreign = Object.assign(new Error('x'), { name: 'MappingError', code: 'too-many-samples' });
    expect(isMappingError(foreign)).toBe(true);
    expect(isMappingError(new Error('x'))).toBe(false);
    expect(isMappingError({ name: 'MappingError', code: 'x' })).toBe(false);
    expect(isMappingError(new RangeError('x'))).toBe(false);
  });

  it('words option errors one way', () => {
    expect(optionError('page', 'a whole number ≥ 1', 'x'.repeat(100)).message).toBe(`[mapper] option \`page\` must be a whole number ≥ 1, got "${'x'.repeat(80)}…"`);
    expect(optionError('fields', 'an object', null).message).toBe('[mapper] option `fields` must be an object, got null');
    expect(optionError('laps', 'an array of laps', {}).message).toBe('[mapper] option `laps` must be an array of laps, got an object');
  });
});

describe('public API', () => {
  it('exports one builder per contract method, the plan, the reader and the typed readers', () => {
    const names = [
      'buildSystemCurrent', 'buildStaffCurrent', 'buildAthleteCreate', 'buildAthleteGet', 'buildAthleteList',
      'buildWorkoutCreate', 'buildWorkoutSamplesAdd', 'buildWorkoutGet', 'buildWorkoutList', 'buildWorkoutUpdate', 'buildWorkoutDelete',
      'buildAssessmentCreate', 'buildAssessmentList', 'planWorkoutUpload', 'countWorkoutRequests', 'readResponse', 'readIds',
      'readSystemCurrent', 'readStaffCurrent', 'readAthlete', 'readAthleteList', 'readWorkout', 'readWorkoutList', 'readAssessmentList',
      'MappingError', 'isMappingError', 'formatLocalDateTime', 'parseLocalDateTime',
    ];
    for (const name of names) expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
  });
});
