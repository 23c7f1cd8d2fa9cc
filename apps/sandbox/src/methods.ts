import type { MethodHandler } from './method-kit.js';
import { athleteCreate, athleteGet, athleteList, staffCurrent, systemCurrent } from './methods-account.js';
import { assessmentCreate, assessmentList } from './methods-assessments.js';
import { workoutCreate, workoutDelete, workoutGet, workoutList, workoutSamplesAdd, workoutUpdate } from './methods-workouts.js';

/** Every method of optimo-api.md 2.4; any other name is 40010. */
export const METHODS: ReadonlyMap<string, MethodHandler> = new Map([
  ['system.current', systemCurrent],
  ['staff.current', staffCurrent],
  ['athlete.create', athleteCreate],
  ['athlete.get', athleteGet],
  ['athlete.list', athleteList],
  ['workout.create', workoutCreate],
  ['workout.samples.add', workoutSamplesAdd],
  ['workout.get', workoutGet],
  ['workout.list', workoutList],
  ['workout.update', workoutUpdate],
  ['workout.delete', workoutDelete],
  ['assessment.create', assessmentCreate],
  ['assessment.list', assessmentList],
]);
