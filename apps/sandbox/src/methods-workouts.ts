import { FOLDERS, WORKOUT_REQUIRED, fieldTable, readField, requireFields } from './fields.js';
import type { FieldSpec } from './fields.js';
import {
  addAthleteFilter,
  PAGING_FIELDS,
  addDateFilter,
  failOr,
  addUpdatedFilter,
  athleteExists,
  canReachAthlete,
  checkAthleteAccess,
  idOf,
  listXml,
  ok,
  readArguments,
  readPaging,
  recordArgument,
  restrictToCoach,
  textOf,
} from './method-kit.js';
import type { MethodContext, MethodHandler } from './method-kit.js';
import { createProblems, firstFailure, hasInputProblems } from './problems.js';
import type { Problems } from './problems.js';
import { readSamples } from './samples.js';
import { SampleLimitError } from './store-records.js';
import type { ListQuery, WorkoutRow } from './store-records.js';
import { SAMPLE_LIMIT_MESSAGE, applyWorkout, readWorkout, workoutXml } from './workout-record.js';
import { xmlElement } from './xml-write.js';

/** The workout methods (optimo-api.md 2.4, 2.5). */

const WORKOUT_ID: FieldSpec = { name: 'workout_id', kind: 'id' };


/** The workout of this account, or undefined. */
function findWorkout(context: MethodContext, id: number | undefined): WorkoutRow | undefined {
  if (id === undefined) return undefined;
  const workout = context.records.workout(id);
  return workout?.accountId === context.account.id ? workout : undefined;
}

/** 40300 for a coach reaching a workout of an athlete not assigned to them. */
function checkWorkoutAccess(context: MethodContext, workout: WorkoutRow | undefined, problems: Problems): void {
  if (workout !== undefined && !canReachAthlete(context, workout.athleteId)) problems.access.push(`workout ${workout.id} belongs to athlete ${workout.athleteId}, who is not assigned to you.`);
}

/** 40900 when another workout of the account already has this external_id (any folder). */
function checkExternalId(context: MethodContext, externalId: string | undefined, selfId: number | undefined, problems: Problems): void {
  if (externalId === undefined) return;
  const existing = context.records.workoutByExternalId(context.account.id, externalId);
  if (existing !== undefined && existing.id !== selfId) {
    problems.duplicate.push(`a workout with external_id '${externalId}' already exists (workout ${existing.id}).`);
    problems.duplicateExtra = `\n  ${xmlElement('workout_id', existing.id)}`;
  }
}

export const workoutCreate: MethodHandler = (request, context) => {
  const problems = createProblems();
  const element = recordArgument(request, 'workout', problems);
  const input = element === undefined ? undefined : readWorkout(element, 'create', problems, context);
  if (input !== undefined) requireFields(input.record, WORKOUT_REQUIRED, problems);
  const athleteId = input === undefined ? undefined : idOf(input.record, 'athlete_id');
  checkAthleteAccess(context, athleteId, problems);
  if (!hasInputProblems(problems) && input !== undefined) {
    if (athleteId !== undefined && !athleteExists(context, athleteId)) problems.notFound.push(`athlete ${athleteId} was not found.`);
    if (problems.notFound.length === 0) checkExternalId(context, textOf(input.record, 'external_id'), undefined, problems);
  }
  return failOr(problems, () => {
    if (input === undefined || athleteId === undefined) throw new Error('unreachable: a valid workout.create has a workout');
    const fields = applyWorkout({}, input);
    const id = context.records.createWorkout(context.account.id, athleteId, fields, input.laps ?? [], input.samples ?? [], context.now);
    return ok(xmlElement('workout_id', id));
  });
};

export const workoutUpdate: MethodHandler = (request, context) => {
  const problems = createProblems();
  const element = recordArgument(request, 'workout', problems);
  const input = element === undefined ? undefined : readWorkout(element, 'update', problems, context);
  const idElement = input?.record.nested.get('workout_id');
  const idText = idElement === undefined ? null : readField(WORKOUT_ID, idElement, problems, { timeZone: context.account.timeZone });
  if (input !== undefined && idText === null) problems.missing.push(`'workout_id' is required.`);
  const workout = findWorkout(context, idText === null || idText === undefined ? undefined : Number(idText));
  checkWorkoutAccess(context, workout, problems);
  const newAthleteId = input === undefined ? undefined : idOf(input.record, 'athlete_id');
  checkAthleteAccess(context, newAthleteId, problems);
  for (const name of WORKOUT_REQUIRED) {
    if (input?.record.values.get(name) === null) problems.missing.push(`'${name}' is required and cannot be cleared.`);
  }
  if (!hasInputProblems(problems) && input !== undefined && typeof idText === 'string') {
    if (workout === undefined || workout.folder === 'deleted') problems.notFound.push(`workout ${idText} was not found${workout === undefined ? '' : ' (it is deleted)'}.`);
    if (newAthleteId !== undefined && !athleteExists(context, newAthleteId)) problems.notFound.push(`athlete ${newAthleteId} was not found.`);
    if (problems.notFound.length === 0) checkExternalId(context, textOf(input.record, 'external_id'), workout?.id, problems);
  }
  return failOr(problems, () => {
    if (input === undefined || workout === undefined) throw new Error('unreachable: a valid workout.update names a workout');
    const fields = applyWorkout(workout.fields, input);
    context.records.updateWorkout(workout.id, fields, input.laps ?? workout.laps, context.now);
    return ok();
  });
};

/** Reads `<workout_id>` and checks access; shared by get, delete and samples.add. */
function workoutArgument(context: MethodContext, idValue: number | undefined, invalid: boolean, problems: Problems): WorkoutRow | undefined {
  if (idValue === undefined && !invalid) problems.missing.push(`'workout_id' is required.`);
  const workout = findWorkout(context, idValue);
  checkWorkoutAccess(context, workout, problems);
  return workout;
}

export const workoutGet: MethodHandler = (request, context) => {
  const problems = createProblems();
  const record = readArguments(request, fieldTable(WORKOUT_ID, { name: 'include_samples', kind: 'boolean' }), problems, context);
  const idValue = idOf(record, 'workout_id');
  const workout = workoutArgument(context, idValue, record.invalid.has('workout_id'), problems);
  if (!hasInputProblems(problems) && workout === undefined) problems.notFound.push(`workout ${idValue} was not found.`);
  return failOr(problems, () => {
    if (workout === undefined) throw new Error('unreachable: a valid workout.get names a workout');
    const samples = textOf(record, 'include_samples') === '1' ? context.records.samples(workout.id) : undefined;
    return ok(workoutXml(workout, context, { laps: true, ...(samples === undefined ? {} : { samples }) }));
  });
};

export const workoutDelete: MethodHandler = (request, context) => {
  const problems = createProblems();
  const record = readArguments(request, fieldTable(WORKOUT_ID), problems, context);
  const idValue = idOf(record, 'workout_id');
  const workout = workoutArgument(context, idValue, record.invalid.has('workout_id'), problems);
  if (!hasInputProblems(problems) && (workout === undefined || workout.folder === 'deleted')) {
    problems.notFound.push(`workout ${idValue} was not found${workout === undefined ? '' : ' (it is already deleted)'}.`);
  }
  return failOr(problems, () => {
    if (workout === undefined) throw new Error('unreachable: a valid workout.delete names a workout');
    context.records.moveWorkout(workout.id, 'deleted', context.now);
    return ok();
  });
};

export const workoutSamplesAdd: MethodHandler = (request, context) => {
  const problems = createProblems();
  const record = readArguments(request, fieldTable(WORKOUT_ID), problems, context, ['samples']);
  const idValue = idOf(record, 'workout_id');
  const workout = workoutArgument(context, idValue, record.invalid.has('workout_id'), problems);
  const element = record.nested.get('samples');
  if (element === undefined || (element.children.length === 0 && element.text.trim() === '')) problems.missing.push(`'samples' is required.`);
  const samples = element === undefined ? [] : readSamples(element, problems);
  if (!hasInputProblems(problems) && (workout === undefined || workout.folder === 'deleted')) {
    problems.notFound.push(`workout ${idValue} was not found${workout === undefined ? '' : ' (it is deleted)'}.`);
  }
  if (firstFailure(problems) !== undefined || workout === undefined) return failOr(problems, () => ok());
  try {
    const total = context.records.addSamples(workout.id, samples, context.now);
    return ok(xmlElement('workout_id', workout.id) + xmlElement('sample_count', total));
  } catch (error) {
    if (!(error instanceof SampleLimitError)) throw error;
    problems.invalid.push(SAMPLE_LIMIT_MESSAGE(error.total));
    return failOr(problems, () => ok());
  }
};

const WORKOUT_LIST_ARGUMENTS = fieldTable(
  { name: 'athlete_id', kind: 'id' },
  { name: 'external_id', kind: 'text' },
  { name: 'date_from', kind: 'date' },
  { name: 'date_to', kind: 'date' },
  { name: 'updated_from', kind: 'text' },
  { name: 'updated_to', kind: 'text' },
  { name: 'folder', kind: 'enum', values: FOLDERS },
  ...PAGING_FIELDS,
);

export const workoutList: MethodHandler = (request, context) => {
  const problems = createProblems();
  const record = readArguments(request, WORKOUT_LIST_ARGUMENTS, problems, context);
  const paging = readPaging(record, problems);
  const query: ListQuery = { where: ['account_id = ?'], params: [context.account.id], ...paging };
  addAthleteFilter(record, query, problems, context);
  const externalId = textOf(record, 'external_id');
  if (externalId !== undefined) {
    query.where.push('external_id = ?');
    query.params.push(externalId);
  }
  // The external_id filter searches every folder unless a folder is named (optimo-api.md 2.5).
  const folder = textOf(record, 'folder') ?? (externalId === undefined ? 'active' : undefined);
  if (folder !== undefined) {
    query.where.push('folder = ?');
    query.params.push(folder);
  }
  addDateFilter(record, query, 'local_date');
  addUpdatedFilter(record, query, problems, context.account.timeZone);
  restrictToCoach(context, query, 'athlete_id');
  return failOr(problems, () => {
    const result = context.records.listWorkouts(query);
    return ok(listXml('workouts', result.rows.map((workout) => workoutXml(workout, context, { laps: false })), paging, result.total));
  });
};
