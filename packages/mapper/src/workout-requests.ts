/**
 * `workout.create`, `workout.samples.add` and `workout.update` from the model. The upload plan
 * (upload-plan.ts) cuts a large workout into these requests.
 */
import type { Workout } from '@optimo-import/workout';
import { SPORTS, createWarnings } from '@optimo-import/workout';
import { MappingError, optionError } from './errors.js';
import type { ApiId, WorkoutRequestOptions } from './options.js';
import { MAX_EXTERNAL_ID_LENGTH, codePointLength, resolveId, resolveMaxBodyBytes, resolveWorkoutOptions } from './options.js';
import type { WorkoutUpdateFields } from './records.js';
import { resolveTimeZone } from './options.js';
import type { PreparedSamples } from './workout-xml.js';
import {
  DECIMALS,
  WORKOUT_SUMMARY_FIELDS,
  deviceXml,
  lapXml,
  localTimeText,
  numberText,
  prepareSamples,
  reportWarnings,
  textField,
  workoutFieldsXml,
} from './workout-xml.js';
import { XML_DECLARATION, escapeXml, hasForbiddenCharacters, utf8Length } from './xml-write.js';

/** Samples `fromIndex` (included) to `toIndex` (excluded) of `workout.samples`, like `slice`. */
export interface SampleRange {
  fromIndex: number;
  toIndex: number;
}

export interface SamplesAddOptions {
  /** Default 10,485,760. */
  maxBodyBytes?: number;
  onWarning?: WorkoutRequestOptions['onWarning'];
}

export interface WorkoutUpdateOptions {
  /** The account's IANA time zone, for `startTime` and laps. Required. */
  timeZone: string;
}

export const CREATE_HEAD = `${XML_DECLARATION}<request method="workout.create"><workout>`;
export const CREATE_TAIL = '</workout></request>';
export const SAMPLES_OPEN = '<samples>';
export const SAMPLES_CLOSE = '</samples>';
const ADD_HEAD = `${XML_DECLARATION}<request method="workout.samples.add"><workout_id>`;
const ADD_MIDDLE = `</workout_id>${SAMPLES_OPEN}`;
const ADD_TAIL = `${SAMPLES_CLOSE}</request>`;
/** Bytes of a `workout.samples.add` body around its id and samples. */
export const ADD_OVERHEAD_BYTES = ADD_HEAD.length + ADD_MIDDLE.length + ADD_TAIL.length;

export function resolveRange(range: SampleRange | undefined, length: number, allowEmpty: boolean): SampleRange {
  if (range === undefined) return { fromIndex: 0, toIndex: length };
  const { fromIndex, toIndex } = range;
  const ok = Number.isSafeInteger(fromIndex) && Number.isSafeInteger(toIndex) && fromIndex >= 0 && toIndex <= length && (allowEmpty ? fromIndex <= toIndex : fromIndex < toIndex);
  if (!ok) throw optionError('range', `{ fromIndex, toIndex } with 0 ≤ fromIndex ${allowEmpty ? '≤' : '<'} toIndex ≤ ${length}`, `{ fromIndex: ${String(fromIndex)}, toIndex: ${String(toIndex)} }`);
  return { fromIndex, toIndex };
}

/** Sample strings of a range, and whether any sample in it is sent. */
export function samplesXml(samples: PreparedSamples, range: SampleRange): string {
  return samples.xml.slice(range.fromIndex, range.toIndex).join('');
}

/** A body and its size in UTF-8 bytes (sample strings are ASCII, so only the rest is measured). */
export interface SizedBody {
  body: string;
  bytes: number;
}

/** The `workout.create` body from its fields and a range of samples (no `<samples>` when none is sent). */
export function createBody(fieldsXml: string, samples: PreparedSamples, range: SampleRange): SizedBody {
  const inner = samplesXml(samples, range);
  const wrapped = inner === '' ? '' : SAMPLES_OPEN + inner + SAMPLES_CLOSE;
  return { body: CREATE_HEAD + fieldsXml + wrapped + CREATE_TAIL, bytes: CREATE_HEAD.length + utf8Length(fieldsXml) + wrapped.length + CREATE_TAIL.length };
}

export function samplesAddBody(workoutId: string, samples: PreparedSamples, range: SampleRange): SizedBody {
  const id = escapeXml(workoutId);
  const inner = samplesXml(samples, range);
  return { body: ADD_HEAD + id + ADD_MIDDLE + inner + ADD_TAIL, bytes: ADD_OVERHEAD_BYTES + utf8Length(id) + inner.length };
}

export function checkBodySize({ body, bytes }: SizedBody, maxBodyBytes: number, method: string, externalId: string | undefined): string {
  if (bytes > maxBodyBytes) {
    throw new MappingError({
      code: 'body-too-large',
      method,
      externalId,
      message: `the body is ${bytes} bytes, over maxBodyBytes ${maxBodyBytes}; split it with planWorkoutUpload`,
    });
  }
  return body;
}

/**
 * `workout.create` with the workout's fields, laps and the samples of `range` (default all).
 * Throws `MappingError` `body-too-large` when the body passes `maxBodyBytes`: use
 * `planWorkoutUpload` for workouts that may be large.
 */
export function buildWorkoutCreate(workout: Workout, options: WorkoutRequestOptions, range?: SampleRange): string {
  const method = 'workout.create';
  const resolved = resolveWorkoutOptions(options);
  const warnings = createWarnings();
  const fields = workoutFieldsXml(workout, resolved, warnings, method);
  const samples = prepareSamples(workout, warnings, method);
  const body = checkBodySize(createBody(fields, samples, resolveRange(range, samples.length, true)), resolved.maxBodyBytes, method, workout.externalId);
  reportWarnings(warnings, resolved.onWarning);
  return body;
}

/** `workout.samples.add` with the samples of `range` (not empty) for a created workout. */
export function buildWorkoutSamplesAdd(workoutId: ApiId, workout: Workout, range: SampleRange, options: SamplesAddOptions = {}): string {
  const method = 'workout.samples.add';
  const id = resolveId(workoutId, 'workoutId');
  const maxBodyBytes = resolveMaxBodyBytes(options.maxBodyBytes);
  const warnings = createWarnings();
  const samples = prepareSamples(workout, warnings, method);
  const body = checkBodySize(samplesAddBody(id, samples, resolveRange(range, samples.length, false)), maxBodyBytes, method, workout.externalId);
  reportWarnings(warnings, options.onWarning);
  return body;
}

const clear = (element: string): string => `<${element}/>`;

/**
 * `workout.update`: `<workout_id>` and the fields given; `null` clears a field (an empty
 * element), absent fields stay. `laps` replaces every lap. Samples are not allowed (the API
 * answers 40030): add them with `workout.samples.add`.
 */
export function buildWorkoutUpdate(workoutId: ApiId, fields: WorkoutUpdateFields, options: WorkoutUpdateOptions): string {
  const method = 'workout.update';
  const id = resolveId(workoutId, 'workoutId');
  if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
  const timeZone = resolveTimeZone(options.timeZone);
  if (typeof fields !== 'object' || fields === null) throw optionError('fields', 'an object', fields);
  if ('samples' in fields) throw new MappingError({ code: 'invalid-value', method, field: 'samples', message: 'samples cannot be updated; use workout.samples.add' });
  const warnings = createWarnings();
  const strict = (element: string, value: number | null | undefined, decimals: number): string => {
    if (value === undefined) return '';
    if (value === null) return clear(element);
    const text = numberText(element, value, decimals, warnings);
    if (text === undefined) throw new MappingError({ code: 'invalid-value', method, field: element, message: `${String(value)} is not a number the API takes` });
    return `<${element}>${text}</${element}>`;
  };
  const text = (element: string, value: string | null | undefined): string => {
    if (value === undefined) return '';
    if (value === null) return clear(element);
    const xml = textField(element, value, warnings);
    return xml === '' ? clear(element) : xml;
  };
  let xml = `<workout_id>${escapeXml(id)}</workout_id>`;
  if (fields.athleteId !== undefined) xml += `<athlete_id>${escapeXml(resolveId(fields.athleteId, 'fields.athleteId'))}</athlete_id>`;
  if (fields.externalId !== undefined && fields.externalId !== null) {
    const externalId = fields.externalId.trim();
    if (externalId === '' || codePointLength(externalId) > MAX_EXTERNAL_ID_LENGTH || hasForbiddenCharacters(externalId)) {
      throw new MappingError({ code: 'invalid-value', method, field: 'external_id', message: `an external id is 1 to ${MAX_EXTERNAL_ID_LENGTH} characters without control characters` });
    }
  }
  xml += text('external_id', fields.externalId);
  if (fields.sport !== undefined) {
    if (!(SPORTS as readonly string[]).includes(fields.sport)) throw new MappingError({ code: 'invalid-value', method, field: 'sport', message: `${JSON.stringify(fields.sport)} is not one of ${SPORTS.join(', ')}` });
    xml += `<sport>${fields.sport}</sport>`;
  }
  xml += text('sub_sport', fields.subSport) + text('name', fields.name) + text('notes', fields.notes);
  if (fields.startTime !== undefined) xml += `<start_time>${localTimeText(fields.startTime, timeZone, method, 'start_time')}</start_time>`;
  if (fields.elapsedSeconds !== undefined) xml += strict('duration', fields.elapsedSeconds, DECIMALS.seconds);
  xml += strict('moving_time', fields.movingSeconds, DECIMALS.seconds);
  xml += strict('distance', fields.distanceMeters, DECIMALS.distance);
  xml += strict('calories', fields.energyKilocalories, DECIMALS.energy);
  const summary = fields.summary ?? {};
  for (const [element, key, decimals] of WORKOUT_SUMMARY_FIELDS) xml += strict(element, summary[key], decimals);
  if (fields.private !== undefined) xml += fields.private === null ? clear('private') : `<private>${fields.private ? 1 : 0}</private>`;
  if (fields.device !== undefined) xml += fields.device === null ? clear('device') : deviceXml(fields.device, warnings) || clear('device');
  xml += text('source_format', fields.sourceFormat);
  if (fields.laps !== undefined) {
    if (!Array.isArray(fields.laps)) throw optionError('fields.laps', 'an array of laps', fields.laps);
    xml += `<laps>${fields.laps.map((lap) => lapXml(lap, timeZone, warnings, method)).join('')}</laps>`;
  }
  const dropped = warnings.list().find((w) => w.code === 'value-left-out');
  if (dropped) throw new MappingError({ code: 'invalid-value', method, field: 'laps', message: 'a lap value the API cannot take (not finite or negative)' });
  return `${XML_DECLARATION}<request method="${method}"><workout>${xml}</workout></request>`;
}
