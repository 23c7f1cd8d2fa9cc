/**
 * Polar Flow's per-session CSV (`polar-csv`; formats.md §6): a summary header and its row of
 * values, then a sample header and one row per sample.
 *
 * - Summary values by header name (POLAR_SUMMARY), units read from the header text (`Total
 *   distance (km)`); columns come and go by device and year (power since 2018), so nothing
 *   depends on position. `Name` is the athlete, not the workout, and is not kept; the athlete's
 *   settings (HR max, HR sit, VO2max, height, weight) neither.
 * - `Date` follows the account's locale (`03-07-2015`, `06.09.2015`, `07/03/2015`): a day or
 *   month over 12 decides the order, else the date in a Polar file name
 *   (`Firstname_Lastname_2015-07-03_20-28-42.csv`), else day-month-year with a warning (month-day
 *   for `/`). `Start time` is local wall-clock time: UTC by `resolveLocalStart` in the time zone
 *   option, else the machine's zone, DST warnings in the workout.
 * - Samples as in the generic reader: `Time` is time from the start (`Sample rate`, on the first
 *   sample row only, places rows when a file has no `Time`), empty cells are gaps, the trailing
 *   comma of every line is an empty column.
 */
import { buildWorkout, createWarnings } from '@optimo-import/workout';
import type { Summary, Workout, WorkoutDraft } from '@optimo-import/workout';
import { ParseError } from '../errors.js';
import type { ParseErrorCode } from '../errors.js';
import type { FormatParser, ParseContext } from '../types.js';
import { decodePrefix, decodeText, looksBinary } from './decode.js';
import { parseNumber } from './dialect.js';
import type { NumberFormat } from './dialect.js';
import { dateTimeFromFileName, parseDateTime, parseDuration, parseTimeOfDay, possibleOrders } from './datetime.js';
import type { DateOrder, WallTime } from './datetime.js';
import { foldHeader, splitUnit } from './headers.js';
import type { CsvMapping } from './mapping.js';
import { isPolarFlowHead } from './polar-head.js';
import { readSamples } from './samples.js';
import { sportOfName } from './sport-names.js';
import type { TableRead } from './samples.js';
import { isPlausibleInstant, startOf } from './start-time.js';
import { HEAD_ROWS, planTable } from './table.js';
import { decideTimePlan } from './time-plan.js';
import { createCsvRowReader, tokenizeCsv } from './tokenizer.js';
import type { CsvRow } from './tokenizer.js';
import { toModelUnit, unitOf } from './units.js';
import type { Unit, UnitDimension } from './units.js';
import type { VendorProfile } from './vendors.js';

type SummaryTarget =
  | { kind: 'sport' | 'date' | 'start' | 'duration' | 'notes' }
  | { kind: 'distance' | 'energy'; dimension: UnitDimension; unit: string }
  | { kind: 'summary'; key: keyof Summary; dimension: UnitDimension; unit: string }
  | { kind: 'pace'; key: keyof Summary }
  | { kind: 'extra'; name: string };

/** Summary header (folded, without its unit) → what it gives; anything else is left out. */
const POLAR_SUMMARY: ReadonlyMap<string, SummaryTarget> = new Map<string, SummaryTarget>([
  ['sport', { kind: 'sport' }],
  ['date', { kind: 'date' }],
  ['start time', { kind: 'start' }],
  ['duration', { kind: 'duration' }],
  ['notes', { kind: 'notes' }],
  ['total distance', { kind: 'distance', dimension: 'length', unit: 'km' }],
  ['calories', { kind: 'energy', dimension: 'energy', unit: 'kcal' }],
  ['average heart rate', { kind: 'summary', key: 'heartRateAvgBpm', dimension: 'rate', unit: 'bpm' }],
  ['average speed', { kind: 'summary', key: 'speedAvgMetersPerSecond', dimension: 'speed', unit: 'km/h' }],
  ['max speed', { kind: 'summary', key: 'speedMaxMetersPerSecond', dimension: 'speed', unit: 'km/h' }],
  ['average pace', { kind: 'pace', key: 'speedAvgMetersPerSecond' }],
  ['average cadence', { kind: 'summary', key: 'cadenceAvgPerMinute', dimension: 'rate', unit: 'rpm' }],
  ['ascent', { kind: 'summary', key: 'ascentMeters', dimension: 'length', unit: 'm' }],
  ['descent', { kind: 'summary', key: 'descentMeters', dimension: 'length', unit: 'm' }],
  ['average power', { kind: 'summary', key: 'powerAvgWatts', dimension: 'power', unit: 'W' }],
  ['max power', { kind: 'summary', key: 'powerMaxWatts', dimension: 'power', unit: 'W' }],
  ['running index', { kind: 'extra', name: 'runningIndex' }],
  ['training load', { kind: 'extra', name: 'trainingLoad' }],
]);

const POINT: NumberFormat = { decimal: '.', thousands: '' };

/** The header's unit when it is one of `dimension`, else the column's usual unit. */
function unitIn(unitText: string | undefined, dimension: UnitDimension, fallback: string): Unit {
  const unit = unitOf(unitText);
  return unit && unit.dimension === dimension ? unit : (unitOf(fallback) as Unit);
}

/** Whether the text starts like a Polar Flow session CSV. */
export function detectPolarCsv(input: Uint8Array): boolean {
  try {
    if (input.length === 0) return false;
    const text = decodePrefix(input, 16_384);
    if (looksBinary(text) || !/^\s*"?name"?,"?sport"?,"?date"?,"?start time"?,/i.test(text)) return false;
    const rows = tokenizeCsv(text.slice(0, text.lastIndexOf('\n') > 0 ? text.lastIndexOf('\n') : text.length), { delimiter: ',', maxRowChars: 16_384 });
    return isPolarFlowHead(rows);
  } catch {
    return false;
  }
}

/** The order of Polar's `Date`: proven by a part over 12, else by the file name's date, else assumed. */
function polarDate(text: string, fileName: string | undefined): { wall?: WallTime; order: DateOrder; assumed: boolean } {
  const possible = possibleOrders(text);
  const orders = possible?.orders ?? [];
  if (orders.length === 1) return { wall: parseDateTime(text, orders[0]), order: orders[0] as DateOrder, assumed: false };
  const named = dateTimeFromFileName(fileName);
  if (named) {
    const day = Math.floor(named.wallMs / 86_400_000) * 86_400_000;
    for (const order of orders) {
      const wall = parseDateTime(text, order);
      if (wall && wall.wallMs === day) return { wall, order, assumed: false };
    }
  }
  const order: DateOrder = possible?.separator === '/' ? 'MDY' : 'DMY';
  return { wall: parseDateTime(text, order), order, assumed: orders.length > 1 };
}

function parsePolarCsv(input: Uint8Array, ctx: ParseContext): Workout[] {
  const file = ctx.fileName;
  const error = (code: ParseErrorCode, message: string, line?: number): ParseError => new ParseError({ code, format: 'polar-csv', file, line, message });
  if (input.length === 0) throw error('no-data', 'the file is empty');
  const { text } = decodeText(input);
  const rows = createCsvRowReader(text, { delimiter: ',', maxRows: ctx.limits.maxSamples + HEAD_ROWS, format: 'polar-csv', file });
  const head: CsvRow[] = [];
  for (let row = rows.read(); row !== undefined; row = rows.read()) {
    head.push(row);
    if (head.length >= HEAD_ROWS) break;
  }
  if (!isPolarFlowHead(head)) throw error('corrupt', 'not a Polar Flow session CSV: the first row must start Name,Sport,Date,Start time and the third Sample rate');
  const [header, values] = head as [CsvRow, CsvRow | undefined];
  if (!values) throw error('truncated', 'the file ends after the summary header, before its values', 2);
  const warnings = createWarnings();

  // Summary row, by header name.
  let sportName: string | undefined;
  let dateText: string | undefined;
  let startText: string | undefined;
  let durationText: string | undefined;
  let notes: string | undefined;
  let distanceMeters: number | undefined;
  let energyKilocalories: number | undefined;
  const summary: Summary = {};
  const extras: Record<string, number> = {};
  header.cells.forEach((cell, i) => {
    const raw = values.cells[i]?.trim() ?? '';
    if (raw === '' || raw === "''") return;
    const { name, unitText } = splitUnit(cell.trim());
    const target = POLAR_SUMMARY.get(foldHeader(name));
    if (!target) return;
    const number = (dimension: UnitDimension, unit: string): number | undefined => {
      const v = parseNumber(raw, POINT);
      return v === v ? toModelUnit(v, unitIn(unitText, dimension, unit)) : undefined;
    };
    switch (target.kind) {
      case 'sport':
        sportName = raw;
        break;
      case 'date':
        dateText = raw;
        break;
      case 'start':
        startText = raw;
        break;
      case 'duration':
        durationText = raw;
        break;
      case 'notes':
        notes = raw.replace(/^''$/, '') || undefined;
        break;
      case 'distance':
        distanceMeters = number(target.dimension, target.unit);
        break;
      case 'energy':
        energyKilocalories = number(target.dimension, target.unit);
        break;
      case 'summary': {
        const v = number(target.dimension, target.unit);
        if (v !== undefined && v > 0) summary[target.key] = Math.round(v * 1e6) / 1e6;
        break;
      }
      case 'pace': {
        const seconds = parseDuration(raw);
        const unit = unitIn(unitText, 'pace', 'min/km');
        if (seconds > 0 && summary[target.key] === undefined) summary[target.key] = Math.round((unit.factor / seconds) * 1e6) / 1e6;
        break;
      }
      case 'extra': {
        const v = parseNumber(raw, POINT);
        if (v === v) extras[target.name] = v;
        break;
      }
    }
  });
  if (dateText === undefined || startText === undefined) throw error('corrupt', 'the summary row has no Date or no Start time', values.line);
  const date = polarDate(dateText, file);
  const tod = parseTimeOfDay(startText);
  if (!date.wall || tod !== tod) throw error('corrupt', `the summary's Date "${dateText}" and Start time "${startText}" are not a date and a time`, values.line);
  if (date.assumed) warnings.add('date-order-assumed', `the date "${dateText}" can be read day-first or month-first; read as ${date.order === 'MDY' ? 'month-day-year' : 'day-month-year'} (the account's locale decides; a Polar file name with its date settles it)`);
  const wall: WallTime = { wallMs: date.wall.wallMs + tod, hasTime: true };
  if (!isPlausibleInstant(wall.wallMs)) throw error('corrupt', `the summary's Date "${dateText}" is not a workout date (before 1990)`, values.line);
  const sport = sportOfName(sportName);
  const elapsed = durationText === undefined ? NaN : parseDuration(durationText);

  const base: Omit<WorkoutDraft, 'startTime' | 'utcOffsetSource'> = {
    format: 'polar-csv',
    fileName: file,
    sha256: ctx.sha256,
    index: 0,
    count: 1,
    sport: sport ?? 'other',
    sourceSport: { sport: sportName },
    notes,
    elapsedSeconds: elapsed === elapsed ? elapsed : undefined,
    distanceMeters,
    energyKilocalories,
    summary,
    device: { manufacturer: 'Polar' },
    ...(Object.keys(extras).length > 0 ? { extras } : {}),
  };
  if (head.length <= 3) {
    // A session without samples (a manual entry): the summary is the workout.
    if (!sport) warnings.add('sport-unknown', sportName ? `sport "${sportName}" is not one we know; imported as other` : 'the file names no sport; imported as other');
    return [buildWorkout({ ...base, ...startOf(wall, ctx.timeZone, warnings), warnings })];
  }
  const vendor: VendorProfile = {
    id: 'polar-csv',
    what: 'a Polar Flow session CSV',
    matches: () => true,
    start: () => wall,
    ...(sportName !== undefined ? { sport: sportName } : {}),
  };
  const sampleRate = Number(head[3]?.cells[0]?.trim());
  const mapping: CsvMapping = { headerRow: 1, unitsRow: false, decimal: '.', ...(sampleRate > 0 && sampleRate <= 3600 ? { sampleRateSeconds: sampleRate } : {}) };
  const sampleHead = head.slice(2);
  const layout = planTable(sampleHead, mapping, ',');
  if (!layout) throw error('corrupt', 'the sample header names no column this tool knows', head[2]?.line);
  const fail = (code: ParseErrorCode, message: string, line?: number): ParseError => error(code, message, line);
  const read: TableRead = {
    head: sampleHead,
    rest: rows,
    layout,
    mapping,
    vendor,
    preamble: {},
    fileName: file,
    timeZone: ctx.timeZone,
    maxSamples: ctx.limits.maxSamples,
    warnings,
    fail,
  };
  const plan = decideTimePlan(sampleHead, layout, mapping, mapping.sampleRateSeconds);
  if (!plan) throw error('corrupt', 'the samples have neither a Time column nor a Sample rate', head[2]?.line);
  const draft = readSamples(read, plan);
  // The summary's own values (totals, device, sport) over what the sample reader filled in.
  return [buildWorkout({ ...draft, ...base })];
}

/** Polar Flow per-session CSV. */
export const polarCsvParser: FormatParser = {
  format: 'polar-csv',
  extensions: ['csv'],
  detect: detectPolarCsv,
  parse: parsePolarCsv,
};
