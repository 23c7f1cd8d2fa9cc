import { parseDecimal, formatDecimal } from './decimal.js';
import { parseLocalDate, parseLocalDateTime, resolveLocal } from './local-time.js';
import type { Problems } from './problems.js';
import type { XmlElement } from './xml-read.js';

/**
 * The records of optimo-api.md 2.4 as tables, and one reader for them. A value is read into its
 * canonical text: numbers in plain decimal, text trimmed, date-times in the account's wall-clock
 * time after the skipped-hour rule. An empty element (or one holding only spaces) means unknown.
 */
export type FieldKind = 'id' | 'decimal' | 'signed' | 'whole' | 'text' | 'enum' | 'date' | 'datetime' | 'boolean';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  values?: readonly string[];
  maxLength?: number;
  min?: number;
  max?: number;
}

export const SPORTS = ['running', 'cycling', 'swimming', 'walking', 'hiking', 'rowing', 'skiing', 'strength', 'multisport', 'other'] as const;
export const LAP_TRIGGERS = ['manual', 'distance', 'time', 'position', 'session_end', 'auto'] as const;
export const ASSESSMENT_TYPES = ['vo2max_test', 'ftp_test', 'max_heart_rate_test', 'resting_heart_rate', 'orthostatic_test', 'body_composition', 'other'] as const;
export const FOLDERS = ['active', 'deleted'] as const;
export const EXTERNAL_ID_MAX = 128;
export const MAX_SAMPLES = 200_000;

/** A field table keyed by name. */
export function fieldTable(...specs: FieldSpec[]): ReadonlyMap<string, FieldSpec> {
  return new Map(specs.map((spec) => [spec.name, spec]));
}
const decimal = (name: string): FieldSpec => ({ name, kind: 'decimal' });

/** `athlete` as written by clients; `athlete_id`, `folder` and `updated` are answers only. */
export const ATHLETE_FIELDS = fieldTable(
  { name: 'first_name', kind: 'text' },
  { name: 'last_name', kind: 'text' },
  { name: 'email', kind: 'text' },
  { name: 'coach_id', kind: 'id' },
  { name: 'birth_date', kind: 'date' },
  { name: 'sex', kind: 'enum', values: ['F', 'M', 'X'] },
  decimal('weight'),
  decimal('max_heart_rate'),
  decimal('resting_heart_rate'),
);
export const ATHLETE_ANSWER_ONLY = ['athlete_id', 'folder', 'updated'] as const;
/** The order of an `<athlete>` answer. */
export const ATHLETE_ORDER = ['athlete_id', ...ATHLETE_FIELDS.keys(), 'folder', 'updated'];

/** `workout` scalar fields (laps, samples and device are read apart). */
export const WORKOUT_FIELDS = fieldTable(
  { name: 'athlete_id', kind: 'id' },
  { name: 'external_id', kind: 'text', maxLength: EXTERNAL_ID_MAX },
  { name: 'sport', kind: 'enum', values: SPORTS },
  { name: 'sub_sport', kind: 'text' },
  { name: 'name', kind: 'text' },
  { name: 'notes', kind: 'text' },
  { name: 'start_time', kind: 'datetime' },
  ...['duration', 'moving_time', 'distance', 'calories', 'avg_heart_rate', 'max_heart_rate', 'min_heart_rate', 'avg_speed', 'max_speed']
    .concat(['avg_cadence', 'max_cadence', 'avg_power', 'max_power', 'ascent', 'descent'])
    .map(decimal),
  { name: 'avg_temperature', kind: 'signed' },
  { name: 'private', kind: 'boolean' },
  { name: 'source_format', kind: 'text' },
);
export const WORKOUT_REQUIRED = ['athlete_id', 'sport', 'start_time', 'duration'] as const;
export const WORKOUT_ANSWER_ONLY = ['workout_id', 'folder', 'updated'] as const;
export const DEVICE_FIELDS = fieldTable(
  { name: 'manufacturer', kind: 'text' },
  { name: 'product', kind: 'text' },
  { name: 'serial', kind: 'text' },
  { name: 'software', kind: 'text' },
);
/** The order of a `<workout>` answer; `device` stands for its group. */
export const WORKOUT_ORDER = ['workout_id', ...[...WORKOUT_FIELDS.keys()].slice(0, -1), 'device', 'source_format', 'folder', 'updated'];

export const LAP_FIELDS = fieldTable(
  { name: 'start_time', kind: 'datetime' },
  ...['duration', 'moving_time', 'distance', 'calories', 'avg_heart_rate', 'max_heart_rate', 'avg_speed', 'max_speed']
    .concat(['avg_cadence', 'avg_power', 'max_power', 'ascent', 'descent'])
    .map(decimal),
  { name: 'trigger', kind: 'enum', values: LAP_TRIGGERS },
);

/** Sample channels, in answer order; `offset` is read apart (seconds, up to 3 decimals). */
export const SAMPLE_FIELDS = fieldTable(
  decimal('heart_rate'),
  decimal('speed'),
  decimal('cadence'),
  decimal('power'),
  { name: 'altitude', kind: 'signed' },
  { name: 'lat', kind: 'signed', min: -90, max: 90 },
  { name: 'lon', kind: 'signed', min: -180, max: 180 },
  decimal('distance'),
  { name: 'temperature', kind: 'signed' },
);
export const SAMPLE_CHANNELS = [...SAMPLE_FIELDS.keys()];

export const ASSESSMENT_FIELDS = fieldTable(
  { name: 'athlete_id', kind: 'id' },
  { name: 'type', kind: 'enum', values: ASSESSMENT_TYPES },
  { name: 'date', kind: 'date' },
  ...['vo2max', 'ftp', 'max_heart_rate', 'resting_heart_rate', 'weight'].map(decimal),
  { name: 'body_fat', kind: 'whole', max: 100 },
  { name: 'notes', kind: 'text' },
  { name: 'external_id', kind: 'text', maxLength: EXTERNAL_ID_MAX },
);
export const ASSESSMENT_REQUIRED = ['athlete_id', 'type', 'date'] as const;
export const ASSESSMENT_ORDER = ['assessment_id', ...ASSESSMENT_FIELDS.keys()];

const ID = /^\d+$/;
const WHOLE = /^\d+$/;

/** Length in Unicode code points, as the contract counts. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

export interface ReadOptions {
  timeZone: string;
  /** Put before the field name in messages, e.g. `lap 2: `. */
  label?: string;
}

/**
 * Reads one leaf element by its spec. Returns the canonical text, `null` for empty (unknown), or
 * undefined when invalid (the problem is recorded).
 */
export function readField(spec: FieldSpec, element: XmlElement, problems: Problems, options: ReadOptions): string | null | undefined {
  const where = `${options.label ?? ''}'${spec.name}'`;
  if (element.children.length > 0) {
    problems.invalid.push(`${where} must hold text, not elements.`);
    return undefined;
  }
  const text = element.text.trim();
  if (text === '') return null;
  const invalid = (message: string): undefined => {
    problems.invalid.push(`${where} ${message}`);
    return undefined;
  };
  switch (spec.kind) {
    case 'text':
      if (spec.maxLength !== undefined && codePointLength(text) > spec.maxLength) return invalid(`is longer than ${spec.maxLength} characters.`);
      return text;
    case 'enum':
      if (!(spec.values ?? []).includes(text)) return invalid(`must be one of ${(spec.values ?? []).join(', ')}.`);
      return text;
    case 'boolean':
      if (text !== '1' && text !== '0') return invalid('must be 1 or 0.');
      return text;
    case 'date':
      if (parseLocalDate(text) === undefined) return invalid('is not a valid date (YYYY-MM-DD).');
      return text;
    case 'datetime': {
      const local = parseLocalDateTime(text);
      if (local === undefined) return invalid('is not a valid date-time (YYYY-MM-DD HH:MM:SS).');
      return resolveLocal(options.timeZone, local).text;
    }
    case 'id': {
      if (!ID.test(text)) return invalid('is not a valid id.');
      const value = Number(text);
      if (value < 1 || !Number.isSafeInteger(value)) return invalid('is not a valid id.');
      return String(value);
    }
    case 'whole':
    case 'decimal':
    case 'signed': {
      if (spec.kind === 'whole' && !WHOLE.test(text)) return invalid('must be a whole number.');
      const parsed = parseDecimal(text);
      if (parsed === undefined) return invalid('is not a valid number (digits, an optional point and decimals; no exponent).');
      if (parsed.negative && spec.kind !== 'signed') return invalid('must not be negative.');
      if (spec.min !== undefined && parsed.value < spec.min) return invalid(`must be at least ${spec.min}.`);
      if (spec.max !== undefined && parsed.value > spec.max) return invalid(`must be at most ${spec.max}.`);
      return formatDecimal(parsed.value);
    }
  }
}

export interface ReadRecordOptions extends ReadOptions {
  /** The record's name in messages (`workout`, `lap`, `workout.list`). */
  owner: string;
  /** Elements that are answers only: present → invalid. */
  answerOnly?: readonly string[];
  /** Elements read by the caller (laps, samples, device): passed back untouched. */
  nested?: readonly string[];
}

export interface ReadRecord {
  /** Canonical text per field; `null` where the element was empty. */
  values: Map<string, string | null>;
  /** Names of fields given with an invalid value. */
  invalid: Set<string>;
  nested: Map<string, XmlElement>;
}

/** Reads the children of a record element against a table; unknown or repeated elements are invalid. */
export function readRecord(parent: XmlElement, fields: ReadonlyMap<string, FieldSpec>, problems: Problems, options: ReadRecordOptions): ReadRecord {
  const result: ReadRecord = { values: new Map(), invalid: new Set(), nested: new Map() };
  const seen = new Set<string>();
  const label = options.label ?? '';
  if (parent.text.trim() !== '') problems.invalid.push(`${label}<${parent.name}> must hold elements, not text.`);
  for (const child of parent.children) {
    if (seen.has(child.name)) {
      problems.invalid.push(`${label}'${child.name}' is given more than once.`);
      continue;
    }
    seen.add(child.name);
    if (options.nested?.includes(child.name) === true) {
      result.nested.set(child.name, child);
      continue;
    }
    if (options.answerOnly?.includes(child.name) === true) {
      problems.invalid.push(`${label}'${child.name}' is set by the server, not sent.`);
      continue;
    }
    const spec = fields.get(child.name);
    if (spec === undefined) {
      problems.invalid.push(`${label}'${child.name}' is not a field of ${options.owner}.`);
      continue;
    }
    const value = readField(spec, child, problems, options);
    if (value === undefined) result.invalid.add(child.name);
    else result.values.set(child.name, value);
  }
  return result;
}

/** Records `'name' is required.` for each required field that is absent or empty. */
export function requireFields(record: ReadRecord, required: readonly string[], problems: Problems, label = ''): void {
  for (const name of required) {
    if (record.invalid.has(name)) continue;
    const value = record.values.get(name);
    if (value === undefined || value === null) problems.missing.push(`${label}'${name}' is required.`);
  }
}
