/**
 * Typed readers of `ok` answers. Elements are matched by local name; unknown elements are
 * ignored; an empty or unreadable value is unknown (absent). Local date-times are read in the
 * account's zone into epoch ms UTC. A missing element that the method promises (the `<system>`
 * of `system.current`, the paging of a list) is a `MappingError` `unexpected-answer`.
 */
import type { Device, Samples, Summary } from '@optimo-import/workout';
import { MappingError } from './errors.js';
import type { Assessment, Athlete, ListPage, LapRecord, StaffMember, SystemInfo, WorkoutRecord } from './records.js';
import type { OkAnswer } from './responses.js';
import { parseLocalDateTime } from '@optimo-import/workout';
import { resolveTimeZone } from './options.js';
import { LAP_SUMMARY_FIELDS, SAMPLE_CHANNELS, WORKOUT_SUMMARY_FIELDS } from './workout-xml.js';
import type { XmlElement } from './xml-read.js';
import { childOf, childText, childrenOf } from './xml-read.js';

export interface AnswerReadOptions {
  /** The account's IANA time zone, to read local date-times. */
  timeZone: string;
}

export interface AnswerIds {
  workoutId?: string;
  athleteId?: string;
  assessmentId?: string;
  /** `workout.samples.add`: samples stored in all. */
  sampleCount?: number;
}

/** A decimal number; `\d+(?:\.\d*)?`, not `\d+\.?\d*`, which backtracks quadratically on a long run of digits. */
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

function unexpected(method: string, message: string): MappingError {
  return new MappingError({ code: 'unexpected-answer', method, message });
}

function rootOf(answer: OkAnswer, method: string): XmlElement {
  if (answer?.kind !== 'ok' || !answer.root) throw unexpected(method, `expected an ok answer, got ${String(answer?.kind)}`);
  return answer.root;
}

function required(parent: XmlElement, name: string, method: string): XmlElement {
  const child = childOf(parent, name);
  if (!child) throw unexpected(method, `the answer has no <${name}>`);
  return child;
}

export function numberIn(element: XmlElement, name: string): number | undefined {
  const text = childText(element, name);
  if (text === undefined || !NUMBER.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function timeIn(element: XmlElement, name: string, timeZone: string): number | undefined {
  const text = childText(element, name);
  return text === undefined ? undefined : parseLocalDateTime(text, timeZone);
}

function booleanIn(element: XmlElement, name: string): boolean | undefined {
  const text = childText(element, name)?.toLowerCase();
  if (text === '1' || text === 'true') return true;
  if (text === '0' || text === 'false') return false;
  return undefined;
}

/** Copies the defined values only, so that absent stays absent. */
function defined<T extends object>(record: T): T {
  for (const key of Object.keys(record) as (keyof T)[]) if (record[key] === undefined) delete record[key];
  return record;
}

function paging<T>(root: XmlElement, wrapper: string, item: string, method: string, read: (element: XmlElement) => T): ListPage<T> {
  const list = required(root, wrapper, method);
  const attribute = (name: string, min: number): number => {
    const text = list.attributes[name]?.trim();
    const value = text !== undefined && /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(value >= min)) throw unexpected(method, `<${wrapper}> has no valid ${name} attribute (${JSON.stringify(text)})`);
    return value;
  };
  return {
    page: attribute('page', 1),
    perPage: attribute('per_page', 1),
    pages: attribute('pages', 1),
    total: attribute('total', 0),
    items: childrenOf(list, item).map(read),
  };
}

/** Ids of a `create` or `workout.samples.add` answer (children of the root). */
export function readIds(answer: OkAnswer): AnswerIds {
  const root = rootOf(answer, 'ids');
  return defined({
    workoutId: childText(root, 'workout_id'),
    athleteId: childText(root, 'athlete_id'),
    assessmentId: childText(root, 'assessment_id'),
    sampleCount: numberIn(root, 'sample_count'),
  });
}

export function readSystemCurrent(answer: OkAnswer): SystemInfo {
  const method = 'system.current';
  const system = required(rootOf(answer, method), 'system', method);
  const api = required(system, 'api', method);
  const timeZone = childText(system, 'timezone');
  const requests = numberIn(api, 'requests');
  const requestLimit = numberIn(api, 'request_limit');
  const resetsInSeconds = numberIn(api, 'resets_in');
  if (timeZone === undefined) throw unexpected(method, 'the answer has no <timezone>');
  if (requests === undefined || requestLimit === undefined || resetsInSeconds === undefined) {
    throw unexpected(method, '<api> lacks <requests>, <request_limit> or <resets_in>');
  }
  return defined({ name: childText(system, 'name'), timeZone, requests, requestLimit, resetsInSeconds });
}

export function readStaffCurrent(answer: OkAnswer): StaffMember {
  const method = 'staff.current';
  const staff = required(rootOf(answer, method), 'staff', method);
  const staffId = childText(staff, 'staff_id');
  if (staffId === undefined) throw unexpected(method, '<staff> has no <staff_id>');
  const role = childText(staff, 'role');
  return defined({
    staffId,
    username: childText(staff, 'username'),
    firstName: childText(staff, 'first_name'),
    lastName: childText(staff, 'last_name'),
    email: childText(staff, 'email'),
    role: role === 'admin' || role === 'coach' ? role : undefined,
  });
}

function athleteOf(element: XmlElement, timeZone: string, method: string): Athlete {
  const athleteId = childText(element, 'athlete_id');
  if (athleteId === undefined) throw unexpected(method, '<athlete> has no <athlete_id>');
  const sex = childText(element, 'sex');
  return defined({
    athleteId,
    firstName: childText(element, 'first_name'),
    lastName: childText(element, 'last_name'),
    email: childText(element, 'email'),
    coachId: childText(element, 'coach_id'),
    birthDate: childText(element, 'birth_date'),
    sex: sex === 'F' || sex === 'M' || sex === 'X' ? sex : undefined,
    weightKilograms: numberIn(element, 'weight'),
    maxHeartRateBpm: numberIn(element, 'max_heart_rate'),
    restingHeartRateBpm: numberIn(element, 'resting_heart_rate'),
    folder: childText(element, 'folder'),
    updated: timeIn(element, 'updated', timeZone),
  });
}

export function readAthlete(answer: OkAnswer, options: AnswerReadOptions): Athlete {
  const timeZone = resolveTimeZone(options?.timeZone);
  return athleteOf(required(rootOf(answer, 'athlete.get'), 'athlete', 'athlete.get'), timeZone, 'athlete.get');
}

export function readAthleteList(answer: OkAnswer, options: AnswerReadOptions): ListPage<Athlete> {
  const timeZone = resolveTimeZone(options?.timeZone);
  return paging(rootOf(answer, 'athlete.list'), 'athletes', 'athlete', 'athlete.list', (e) => athleteOf(e, timeZone, 'athlete.list'));
}

function summaryOf(element: XmlElement, fields: ReadonlyArray<readonly [string, keyof Summary, number]>): Summary {
  const summary: Summary = {};
  for (const [name, key] of fields) {
    const value = numberIn(element, name);
    if (value !== undefined) summary[key] = value;
  }
  return summary;
}

function lapOf(element: XmlElement, timeZone: string): LapRecord {
  return defined({
    startTime: timeIn(element, 'start_time', timeZone),
    elapsedSeconds: numberIn(element, 'duration'),
    movingSeconds: numberIn(element, 'moving_time'),
    distanceMeters: numberIn(element, 'distance'),
    energyKilocalories: numberIn(element, 'calories'),
    summary: summaryOf(element, LAP_SUMMARY_FIELDS),
    trigger: childText(element, 'trigger'),
  });
}

/** `<samples>` as columns; a sample without a readable offset is skipped; a channel appears when any sample has it. */
export function samplesOf(element: XmlElement): Samples {
  const list = childrenOf(element, 'sample');
  const offsetSeconds: number[] = [];
  const columns = new Map<string, (number | undefined)[]>();
  for (const sample of list) {
    const offset = numberIn(sample, 'offset');
    if (offset === undefined) continue;
    const index = offsetSeconds.length;
    offsetSeconds.push(offset);
    for (const child of sample.children) {
      if (child.name === 'offset') continue;
      const text = child.text.trim();
      if (text === '' || !NUMBER.test(text)) continue;
      let column = columns.get(child.name);
      if (!column) {
        column = [];
        columns.set(child.name, column);
      }
      column[index] = Number(text);
    }
  }
  const samples: Samples = { offsetSeconds };
  for (const [name, channel] of SAMPLE_CHANNELS) {
    const column = columns.get(name);
    if (!column) continue;
    column.length = offsetSeconds.length;
    samples[channel] = Array.from(column); // holes become undefined
  }
  return samples;
}

/** A `<workout>` element (of an answer, or of a request body) as a record. */
export function workoutOf(element: XmlElement, timeZone: string): WorkoutRecord {
  const deviceElement = childOf(element, 'device');
  const device: Device = deviceElement
    ? defined({
        manufacturer: childText(deviceElement, 'manufacturer'),
        product: childText(deviceElement, 'product'),
        serial: childText(deviceElement, 'serial'),
        software: childText(deviceElement, 'software'),
      })
    : {};
  const laps = childOf(element, 'laps');
  const samples = childOf(element, 'samples');
  const record: WorkoutRecord = defined({
    workoutId: childText(element, 'workout_id'),
    athleteId: childText(element, 'athlete_id'),
    externalId: childText(element, 'external_id'),
    sport: childText(element, 'sport'),
    subSport: childText(element, 'sub_sport'),
    name: childText(element, 'name'),
    notes: childText(element, 'notes'),
    startTime: timeIn(element, 'start_time', timeZone),
    elapsedSeconds: numberIn(element, 'duration'),
    movingSeconds: numberIn(element, 'moving_time'),
    distanceMeters: numberIn(element, 'distance'),
    energyKilocalories: numberIn(element, 'calories'),
    summary: summaryOf(element, WORKOUT_SUMMARY_FIELDS),
    private: booleanIn(element, 'private'),
    device,
    sourceFormat: childText(element, 'source_format'),
    folder: childText(element, 'folder'),
    updated: timeIn(element, 'updated', timeZone),
    laps: laps ? childrenOf(laps, 'lap').map((lap) => lapOf(lap, timeZone)) : [],
    samples: samples ? samplesOf(samples) : undefined,
  });
  return record;
}

export function readWorkout(answer: OkAnswer, options: AnswerReadOptions): WorkoutRecord {
  const timeZone = resolveTimeZone(options?.timeZone);
  return workoutOf(required(rootOf(answer, 'workout.get'), 'workout', 'workout.get'), timeZone);
}

export function readWorkoutList(answer: OkAnswer, options: AnswerReadOptions): ListPage<WorkoutRecord> {
  const timeZone = resolveTimeZone(options?.timeZone);
  return paging(rootOf(answer, 'workout.list'), 'workouts', 'workout', 'workout.list', (e) => workoutOf(e, timeZone));
}

function assessmentOf(element: XmlElement, method: string): Assessment {
  const assessmentId = childText(element, 'assessment_id');
  if (assessmentId === undefined) throw unexpected(method, '<assessment> has no <assessment_id>');
  return defined({
    assessmentId,
    athleteId: childText(element, 'athlete_id'),
    type: childText(element, 'type'),
    date: childText(element, 'date'),
    vo2max: numberIn(element, 'vo2max'),
    ftpWatts: numberIn(element, 'ftp'),
    maxHeartRateBpm: numberIn(element, 'max_heart_rate'),
    restingHeartRateBpm: numberIn(element, 'resting_heart_rate'),
    weightKilograms: numberIn(element, 'weight'),
    bodyFatPercent: numberIn(element, 'body_fat'),
    notes: childText(element, 'notes'),
    externalId: childText(element, 'external_id'),
  });
}

export function readAssessmentList(answer: OkAnswer): ListPage<Assessment> {
  return paging(rootOf(answer, 'assessment.list'), 'assessments', 'assessment', 'assessment.list', (e) => assessmentOf(e, 'assessment.list'));
}
