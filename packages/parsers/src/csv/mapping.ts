/**
 * The column mapping file: a small JSON document that tells the generic CSV reader what the
 * detection cannot (which column is which channel in which unit, the time format and zone, the
 * delimiter and decimal separator). See README.md in this folder for the format and an example.
 * `readCsvMapping` checks it strictly and names every bad key in one error.
 */
import { isTimeZone } from '@optimo-import/workout';
import { ParseError } from '../errors.js';
import type { DateOrder } from './datetime.js';
import { CSV_DELIMITERS } from './dialect.js';
import type { CsvDelimiter, NumberFormat } from './dialect.js';
import { CSV_ENCODINGS } from './decode.js';
import type { CsvEncoding } from './decode.js';
import { CSV_FIELDS, FIELD_UNITS } from './headers.js';
import type { CsvField } from './headers.js';
import { unitNames, unitOf } from './units.js';
import type { Unit } from './units.js';

export interface CsvColumnMapping {
  field: CsvField;
  /** The unit of the column's values; the field's default when absent. */
  unit?: Unit;
}

/** A checked mapping (what `readCsvMapping` returns; also what the built-in vendor profiles are). */
export interface CsvMapping {
  encoding?: CsvEncoding;
  delimiter?: CsvDelimiter;
  decimal?: NumberFormat['decimal'];
  thousands?: NumberFormat['thousands'];
  /** 1-based row (blank lines not counted) of the header; 0: no header, columns go by `#n`. */
  headerRow?: number;
  /** A row of units under the header (ergomo). Default: detected. */
  unitsRow?: boolean;
  shape?: 'samples' | 'summary';
  /** Sport name (an Optimo sport or any name `sportFromName` knows). */
  sport?: string;
  /** IANA zone of naive times in the file; default the time zone option, else the machine's zone. */
  timeZone?: string;
  /** Start date-time when the file has none (ISO 8601; naive means local in `timeZone`). */
  start?: string;
  /** Seconds between rows when the file has no time column. */
  sampleRateSeconds?: number;
  /** Order of numeric dates (`03-07-2015`). Default: detected from the values, else DMY (MDY for `/`). */
  dateOrder?: DateOrder;
  /** Header text (case-insensitive, trimmed) or `#n` (1-based column number) → column. */
  columns?: Record<string, CsvColumnMapping>;
}

const TOP_KEYS = ['$schema', 'version', 'encoding', 'delimiter', 'decimal', 'thousands', 'headerRow', 'unitsRow', 'shape', 'sport', 'timeZone', 'start', 'sampleRateSeconds', 'dateOrder', 'columns'] as const;
const COLUMN_KEYS = ['field', 'unit'] as const;
const DATE_ORDERS: readonly DateOrder[] = ['DMY', 'MDY', 'YMD'];
const THOUSANDS: readonly NumberFormat['thousands'][] = ['', ',', '.', ' ', "'"];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads and checks a mapping file (UTF-8 JSON). Throws a ParseError (`corrupt`) naming the file
 * and every bad key with what is wrong with it.
 */
export function readCsvMapping(input: Uint8Array | string, fileName = 'mapping'): CsvMapping {
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ParseError({ code: 'corrupt', format: 'csv', file: fileName, message: `the column mapping is not JSON (${(error as Error).message})`, cause: error });
  }
  const problems: string[] = [];
  const mapping = checkMapping(json, problems);
  if (problems.length > 0 || !mapping) {
    throw new ParseError({ code: 'corrupt', format: 'csv', file: fileName, message: `the column mapping has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${problems.join('; ')}` });
  }
  return mapping;
}

function checkMapping(json: unknown, problems: string[]): CsvMapping | undefined {
  if (!isRecord(json)) {
    problems.push('the document must be a JSON object');
    return undefined;
  }
  const out: CsvMapping = {};
  for (const key of Object.keys(json)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) problems.push(`"${key}" is not a mapping key (use ${TOP_KEYS.filter((k) => k !== '$schema').join(', ')})`);
  }
  const str = (key: string): string | undefined => {
    const v = json[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') problems.push(`${key}: must be a string`);
    return typeof v === 'string' ? v : undefined;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], aliases: Record<string, T> = {}): T | undefined => {
    const v = str(key);
    if (v === undefined) return undefined;
    const value = (aliases[v.toLowerCase()] ?? v) as T;
    if (!allowed.includes(value)) problems.push(`${key}: "${v}" is not one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    return allowed.includes(value) ? value : undefined;
  };
  if (json.version !== undefined && json.version !== 1) problems.push(`version: ${JSON.stringify(json.version)} is not 1`);
  const encoding = oneOf('encoding', CSV_ENCODINGS, { utf8: 'utf-8', 'utf-16': 'utf-16le', latin1: 'windows-1252', 'iso-8859-1': 'windows-1252', 'iso-8859-15': 'windows-1252', cp1252: 'windows-1252' });
  if (encoding) out.encoding = encoding;
  const delimiter = oneOf('delimiter', CSV_DELIMITERS, { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', pipe: '|' });
  if (delimiter) out.delimiter = delimiter;
  const decimal = oneOf('decimal', ['.', ','] as const, { point: '.', comma: ',' });
  if (decimal) out.decimal = decimal;
  const thousands = oneOf('thousands', THOUSANDS, { none: '', space: ' ', apostrophe: "'" });
  if (thousands !== undefined) out.thousands = thousands;
  const shape = oneOf('shape', ['samples', 'summary'] as const);
  if (shape) out.shape = shape;
  const dateOrder = oneOf('dateOrder', DATE_ORDERS, { dmy: 'DMY', mdy: 'MDY', ymd: 'YMD', 'dd.mm.yyyy': 'DMY', 'dd-mm-yyyy': 'DMY', 'dd/mm/yyyy': 'DMY', 'mm/dd/yyyy': 'MDY', 'yyyy-mm-dd': 'YMD' });
  if (dateOrder) out.dateOrder = dateOrder;
  const sport = str('sport');
  if (sport !== undefined) out.sport = sport;
  const timeZone = str('timeZone');
  if (timeZone !== undefined) {
    if (isTimeZone(timeZone)) out.timeZone = timeZone;
    else problems.push(`timeZone: "${timeZone}" is not an IANA time zone (such as Europe/Berlin)`);
  }
  const start = str('start');
  if (start !== undefined) {
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/.test(start.trim())) out.start = start.trim();
    else problems.push(`start: "${start}" is not an ISO 8601 date-time (such as 2024-05-01T07:00:00 or 2024-05-01T07:00:00+02:00)`);
  }
  if (json.headerRow !== undefined) {
    if (Number.isInteger(json.headerRow) && (json.headerRow as number) >= 0 && (json.headerRow as number) <= 1000) out.headerRow = json.headerRow as number;
    else problems.push(`headerRow: ${JSON.stringify(json.headerRow)} must be a whole number from 0 (no header) to 1000`);
  }
  if (json.unitsRow !== undefined) {
    if (typeof json.unitsRow === 'boolean') out.unitsRow = json.unitsRow;
    else problems.push('unitsRow: must be true or false');
  }
  if (json.sampleRateSeconds !== undefined) {
    const v = json.sampleRateSeconds;
    if (typeof v === 'number' && v > 0 && v <= 3600) out.sampleRateSeconds = v;
    else problems.push(`sampleRateSeconds: ${JSON.stringify(v)} must be a number of seconds over 0 and at most 3600`);
  }
  if (json.columns !== undefined) {
    if (!isRecord(json.columns)) problems.push('columns: must be an object of header text → field');
    else out.columns = checkColumns(json.columns, problems);
  }
  if (out.headerRow === 0 && out.columns && Object.keys(out.columns).some((k) => !/^#\d+$/.test(k))) {
    problems.push('columns: with headerRow 0 (no header) columns are named by number, like "#1"');
  }
  return out;
}

function checkColumns(columns: Record<string, unknown>, problems: string[]): Record<string, CsvColumnMapping> {
  const out: Record<string, CsvColumnMapping> = {};
  for (const [name, spec] of Object.entries(columns)) {
    const where = `columns.${JSON.stringify(name)}`;
    if (name.trim().length === 0) {
      problems.push(`${where}: a column needs a header text or a number like "#3"`);
      continue;
    }
    if (/^#/.test(name) && !/^#[1-9]\d{0,3}$/.test(name)) problems.push(`${where}: a column number is "#" and 1..9999`);
    let fieldText: unknown;
    let unitText: unknown;
    if (spec === null) fieldText = 'ignore';
    else if (typeof spec === 'string') fieldText = spec;
    else if (isRecord(spec)) {
      for (const key of Object.keys(spec)) if (!(COLUMN_KEYS as readonly string[]).includes(key)) problems.push(`${where}.${key}: not a column key (use field, unit)`);
      fieldText = spec.field;
      unitText = spec.unit;
    } else {
      problems.push(`${where}: must be a field name or { "field": …, "unit": … }`);
      continue;
    }
    if (typeof fieldText !== 'string' || !(CSV_FIELDS as readonly string[]).includes(fieldText)) {
      problems.push(`${where}.field: ${JSON.stringify(fieldText)} is not a field (use ${CSV_FIELDS.join(', ')})`);
      continue;
    }
    const field = fieldText as CsvField;
    const column: CsvColumnMapping = { field };
    if (unitText !== undefined) {
      const dimension = FIELD_UNITS[field]?.dimension;
      const unit = typeof unitText === 'string' ? unitOf(unitText) : undefined;
      if (!dimension) problems.push(`${where}.unit: ${field} takes no unit`);
      else if (!unit || unit.dimension !== dimension) {
        const allowed = field === 'time' ? ['epoch-s', 'epoch-ms'] : unitNames(dimension);
        problems.push(`${where}.unit: ${JSON.stringify(unitText)} is not a unit of ${field} (use ${allowed.join(', ')})`);
      } else column.unit = unit;
    }
    out[name.trim()] = column;
  }
  return out;
}
