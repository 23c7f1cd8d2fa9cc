/**
 * One builder per API method except the workout upload ones (see workout-requests.ts). Each
 * returns the whole UTF-8 request body as a string.
 */
import { createWarnings } from '@optimo-import/workout';
import { MappingError, optionError } from './errors.js';
import type { ApiId } from './options.js';
import { resolveExternalIdOption, resolveId } from './options.js';
import type { AssessmentFields, AthleteFields, Folder } from './records.js';
import { ASSESSMENT_TYPES, FOLDERS, SEXES } from './records.js';
import { formatLocalDate, formatLocalDateTime, isLocalDate, isLocalDateTime } from '@optimo-import/workout';
import { resolveTimeZone } from './options.js';
import { DECIMALS, textField } from './workout-xml.js';
import { booleanElement, escapeXml, formatNumber, requestXml } from './xml-write.js';

/** Largest `per_page` the API uses; larger values are sent as 100. */
export const MAX_PER_PAGE = 100;

/** A date filter: `YYYY-MM-DD`, or epoch ms read as a local date in the filter's `timeZone`. */
export type DateInput = string | number;
/** A date-time filter: `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD`, or epoch ms (local time in `timeZone`). */
export type DateTimeInput = string | number;

export interface ListPaging {
  /** From 1. Default: not sent (the API's 1). */
  page?: number;
  /** Default: not sent (the API's 25); above 100 is sent as 100. */
  perPage?: number;
}

export interface AthleteListFilter extends ListPaging {
  email?: string;
  folder?: Folder;
  updatedFrom?: DateTimeInput;
  updatedTo?: DateTimeInput;
  /** Needed only when a date is given as epoch ms. */
  timeZone?: string;
}

export interface WorkoutListFilter extends ListPaging {
  athleteId?: ApiId;
  externalId?: string;
  dateFrom?: DateInput;
  dateTo?: DateInput;
  updatedFrom?: DateTimeInput;
  updatedTo?: DateTimeInput;
  folder?: Folder;
  timeZone?: string;
}

export interface AssessmentListFilter extends ListPaging {
  athleteId?: ApiId;
  dateFrom?: DateInput;
  dateTo?: DateInput;
  timeZone?: string;
}

export interface AssessmentRequestOptions {
  /** Needed only when `assessment.date` is epoch ms. */
  timeZone?: string;
}

export function buildSystemCurrent(): string {
  return requestXml('system.current', '');
}

export function buildStaffCurrent(): string {
  return requestXml('staff.current', '');
}

const idElement = (element: string, id: ApiId, option: string): string => `<${element}>${escapeXml(resolveId(id, option))}</${element}>`;

function filterObject<T>(filter: T | undefined): T | Record<string, never> {
  if (filter === undefined) return {};
  if (typeof filter !== 'object' || filter === null) throw optionError('filter', 'an object', filter);
  return filter;
}

function zoneFor(timeZone: string | undefined, option: string): string {
  if (timeZone === undefined) throw optionError('timeZone', `an IANA time zone when \`${option}\` is epoch ms`, timeZone);
  return resolveTimeZone(timeZone);
}

/** A record's number: a value the contract cannot take is an error here, not a warning. */
function recordNumber(method: string, element: string, value: number | undefined, decimals: number): string {
  if (value === undefined) return '';
  const text = typeof value === 'number' ? formatNumber(value, decimals) : undefined;
  if (text === undefined || text.startsWith('-')) {
    throw new MappingError({ code: 'invalid-value', method, field: element, message: `${String(value)} is not a finite number ≥ 0` });
  }
  return `<${element}>${text}</${element}>`;
}

function dateFilter(element: string, option: string, value: DateInput | undefined, timeZone: string | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number' && Number.isFinite(value)) return `<${element}>${formatLocalDate(value, zoneFor(timeZone, option))}</${element}>`;
  if (typeof value === 'string' && isLocalDate(value)) return `<${element}>${value}</${element}>`;
  throw optionError(option, 'a date YYYY-MM-DD or epoch ms', value);
}

function dateTimeFilter(element: string, option: string, value: DateTimeInput | undefined, timeZone: string | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number' && Number.isFinite(value)) return `<${element}>${formatLocalDateTime(value, zoneFor(timeZone, option))}</${element}>`;
  if (typeof value === 'string' && (isLocalDate(value) || isLocalDateTime(value))) return `<${element}>${value}</${element}>`;
  throw optionError(option, 'a date-time YYYY-MM-DD HH:MM:SS, a date YYYY-MM-DD or epoch ms', value);
}

function folderFilter(value: Folder | undefined): string {
  if (value === undefined) return '';
  if (!FOLDERS.includes(value)) throw optionError('folder', `one of ${FOLDERS.join(', ')}`, value);
  return `<folder>${value}</folder>`;
}

function pagingFilter(paging: ListPaging): string {
  let xml = '';
  if (paging.page !== undefined) {
    if (!Number.isSafeInteger(paging.page) || paging.page < 1) throw optionError('page', 'a whole number ≥ 1', paging.page);
    xml += `<page>${paging.page}</page>`;
  }
  if (paging.perPage !== undefined) {
    if (!Number.isSafeInteger(paging.perPage) || paging.perPage < 1) throw optionError('perPage', 'a whole number ≥ 1', paging.perPage);
    xml += `<per_page>${Math.min(paging.perPage, MAX_PER_PAGE)}</per_page>`;
  }
  return xml;
}

function stringFilter(element: string, option: string, value: string | undefined): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.trim() === '') throw optionError(option, 'a non-blank string', value);
  return `<${element}>${escapeXml(value.trim())}</${element}>`;
}

export function buildAthleteCreate(athlete: AthleteFields): string {
  const method = 'athlete.create';
  if (typeof athlete !== 'object' || athlete === null) throw optionError('athlete', 'an object', athlete);
  const warnings = createWarnings();
  const first = textField('first_name', athlete.firstName, warnings);
  const last = textField('last_name', athlete.lastName, warnings);
  if (first === '') throw new MappingError({ code: 'missing-field', method, field: 'first_name', message: 'an athlete needs a first name' });
  if (last === '') throw new MappingError({ code: 'missing-field', method, field: 'last_name', message: 'an athlete needs a last name' });
  if (athlete.birthDate !== undefined && !isLocalDate(athlete.birthDate)) {
    throw new MappingError({ code: 'invalid-value', method, field: 'birth_date', message: `${JSON.stringify(athlete.birthDate)} is not a date YYYY-MM-DD` });
  }
  if (athlete.sex !== undefined && !SEXES.includes(athlete.sex)) {
    throw new MappingError({ code: 'invalid-value', method, field: 'sex', message: `${JSON.stringify(athlete.sex)} is not one of ${SEXES.join(', ')}` });
  }
  let xml = first + last + textField('email', athlete.email, warnings);
  if (athlete.coachId !== undefined) xml += idElement('coach_id', athlete.coachId, 'coachId');
  if (athlete.birthDate !== undefined) xml += `<birth_date>${athlete.birthDate}</birth_date>`;
  if (athlete.sex !== undefined) xml += `<sex>${athlete.sex}</sex>`;
  xml += recordNumber(method, 'weight', athlete.weightKilograms, DECIMALS.weight);
  xml += recordNumber(method, 'max_heart_rate', athlete.maxHeartRateBpm, 0);
  xml += recordNumber(method, 'resting_heart_rate', athlete.restingHeartRateBpm, 0);
  return requestXml(method, `<athlete>${xml}</athlete>`);
}

export function buildAthleteGet(athleteId: ApiId): string {
  return requestXml('athlete.get', idElement('athlete_id', athleteId, 'athleteId'));
}

export function buildAthleteList(filter?: AthleteListFilter): string {
  const f = filterObject(filter) as AthleteListFilter;
  const xml =
    stringFilter('email', 'email', f.email) +
    folderFilter(f.folder) +
    dateTimeFilter('updated_from', 'updatedFrom', f.updatedFrom, f.timeZone) +
    dateTimeFilter('updated_to', 'updatedTo', f.updatedTo, f.timeZone) +
    pagingFilter(f);
  return requestXml('athlete.list', xml);
}

export interface WorkoutGetOptions {
  /** `<include_samples>`; default false (always sent, as 0 or 1). */
  includeSamples?: boolean;
}

export function buildWorkoutGet(workoutId: ApiId, options: WorkoutGetOptions = {}): string {
  if (options.includeSamples !== undefined && typeof options.includeSamples !== 'boolean') throw optionError('includeSamples', 'a boolean', options.includeSamples);
  return requestXml('workout.get', idElement('workout_id', workoutId, 'workoutId') + booleanElement('include_samples', options.includeSamples ?? false));
}

export function buildWorkoutList(filter?: WorkoutListFilter): string {
  const f = filterObject(filter) as WorkoutListFilter;
  const externalId = resolveExternalIdOption(f.externalId);
  const xml =
    (f.athleteId === undefined ? '' : idElement('athlete_id', f.athleteId, 'athleteId')) +
    (externalId === undefined ? '' : `<external_id>${escapeXml(externalId)}</external_id>`) +
    dateFilter('date_from', 'dateFrom', f.dateFrom, f.timeZone) +
    dateFilter('date_to', 'dateTo', f.dateTo, f.timeZone) +
    dateTimeFilter('updated_from', 'updatedFrom', f.updatedFrom, f.timeZone) +
    dateTimeFilter('updated_to', 'updatedTo', f.updatedTo, f.timeZone) +
    folderFilter(f.folder) +
    pagingFilter(f);
  return requestXml('workout.list', xml);
}

export function buildWorkoutDelete(workoutId: ApiId): string {
  return requestXml('workout.delete', idElement('workout_id', workoutId, 'workoutId'));
}

export function buildAssessmentCreate(assessment: AssessmentFields, options: AssessmentRequestOptions = {}): string {
  const method = 'assessment.create';
  if (typeof assessment !== 'object' || assessment === null) throw optionError('assessment', 'an object', assessment);
  const warnings = createWarnings();
  if (assessment.type === undefined) throw new MappingError({ code: 'missing-field', method, field: 'type', message: 'an assessment needs a type' });
  if (!(ASSESSMENT_TYPES as readonly string[]).includes(assessment.type)) {
    throw new MappingError({ code: 'invalid-value', method, field: 'type', message: `${JSON.stringify(assessment.type)} is not one of ${ASSESSMENT_TYPES.join(', ')}` });
  }
  let date: string;
  if (assessment.date === undefined) throw new MappingError({ code: 'missing-field', method, field: 'date', message: 'an assessment needs a date' });
  if (typeof assessment.date === 'number' && Number.isFinite(assessment.date)) {
    date = formatLocalDate(assessment.date, zoneFor(options.timeZone, 'date'));
  } else if (typeof assessment.date === 'string' && isLocalDate(assessment.date)) {
    date = assessment.date;
  } else {
    throw new MappingError({ code: 'invalid-value', method, field: 'date', message: `${JSON.stringify(assessment.date)} is not a date YYYY-MM-DD or epoch ms` });
  }
  let externalId: string | undefined;
  try {
    externalId = resolveExternalIdOption(assessment.externalId, 'assessment.externalId');
  } catch (error) {
    throw new MappingError({ code: 'invalid-value', method, field: 'external_id', message: 'the external id is blank or longer than 128 characters', cause: error });
  }
  let xml = idElement('athlete_id', assessment.athleteId, 'assessment.athleteId');
  xml += `<type>${assessment.type}</type><date>${date}</date>`;
  xml += recordNumber(method, 'vo2max', assessment.vo2max, DECIMALS.vo2max);
  xml += recordNumber(method, 'ftp', assessment.ftpWatts, DECIMALS.power);
  xml += recordNumber(method, 'max_heart_rate', assessment.maxHeartRateBpm, 0);
  xml += recordNumber(method, 'resting_heart_rate', assessment.restingHeartRateBpm, 0);
  xml += recordNumber(method, 'weight', assessment.weightKilograms, DECIMALS.weight);
  xml += recordNumber(method, 'body_fat', assessment.bodyFatPercent, DECIMALS.percent);
  xml += textField('notes', assessment.notes, warnings);
  if (externalId !== undefined) xml += `<external_id>${escapeXml(externalId)}</external_id>`;
  return requestXml(method, `<assessment>${xml}</assessment>`);
}

export function buildAssessmentList(filter?: AssessmentListFilter): string {
  const f = filterObject(filter) as AssessmentListFilter;
  const xml =
    (f.athleteId === undefined ? '' : idElement('athlete_id', f.athleteId, 'athleteId')) +
    dateFilter('date_from', 'dateFrom', f.dateFrom, f.timeZone) +
    dateFilter('date_to', 'dateTo', f.dateTo, f.timeZone) +
    pagingFilter(f);
  return requestXml('assessment.list', xml);
}
