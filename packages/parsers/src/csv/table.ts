/**
 * The layout of a table from its first rows: which row is the header (the one whose cells name
 * the most known fields), a units row under it, what every column holds (header, then the
 * mapping's say), each column's number format, and the metadata some exports put above the
 * table (`Date,04/19/2008`, or a header/value pair of rows such as Joule's `Date/Time`).
 */
import type { CsvRow } from './tokenizer.js';
import { decideNumberFormat, emptyEvidence, isMissing, parseNumber, weighNumber } from './dialect.js';
import type { NumberEvidence, NumberFormat } from './dialect.js';
import { foldText, parseDateTime, parseDuration, parseTimeOfDay, possibleOrders } from './datetime.js';
import type { DateOrder, WallTime } from './datetime.js';
import { analyzeHeader, FIELD_UNITS } from './headers.js';
import type { CsvField, HeaderInfo } from './headers.js';
import type { CsvMapping } from './mapping.js';
import { unitOf } from './units.js';
import type { Unit } from './units.js';

/** Rows read before the layout is decided. */
export const HEAD_ROWS = 256;
/** Rows searched for the header. */
const HEADER_SEARCH_ROWS = 64;

export interface ColumnPlan {
  index: number;
  field: CsvField;
  /** The header's analysis (text `#n` when the file has no header). */
  header: HeaderInfo;
  /** The unit the header, the units row or the mapping states; undefined: the field's default. */
  unit?: Unit;
  /** Whether the mapping (or a vendor profile) assigned this column. */
  mapped: boolean;
  number: NumberFormat;
}

export interface TableLayout {
  /** Index in the head rows of the header row; -1 without one. */
  headerIndex: number;
  /** Index in the head rows of the first data row. */
  dataIndex: number;
  unitsRow: boolean;
  /** Every column with a known field, in file order; a field taken by an earlier column is `ignore`. */
  columns: ColumnPlan[];
  /** Headers of all columns. */
  headers: HeaderInfo[];
  /** Fields named more than once (the later columns were left out). */
  duplicates: string[];
  /** The file's dominant decimal separator. */
  decimal: '.' | ',';
}

/** Fields that make a row look like a header (names and ids alone do not). */
const HEADER_WEIGHT = (field: CsvField | undefined): number => (field === undefined || field === 'ignore' || field === 'id' ? 0 : 1);

function looksNumeric(cell: string): boolean {
  return /^\s*[+-]?\d[\d.,:' ]*\s*$/.test(cell);
}

/** The header row: the most distinct known fields among the first rows, mostly non-numeric cells. */
export function findHeaderRow(rows: readonly CsvRow[]): { index: number; score: number } | undefined {
  let best: { index: number; score: number } | undefined;
  const limit = Math.min(rows.length, HEADER_SEARCH_ROWS);
  for (let r = 0; r < limit; r++) {
    const cells = (rows[r] as CsvRow).cells;
    const nonEmpty = cells.filter((c) => c.trim().length > 0);
    if (nonEmpty.length === 0 || nonEmpty.filter(looksNumeric).length * 2 > nonEmpty.length) continue;
    const fields = new Set<CsvField>();
    for (const c of cells) {
      const field = analyzeHeader(c).field;
      if (field !== undefined && HEADER_WEIGHT(field) > 0) fields.add(field);
    }
    if (fields.size > (best?.score ?? 0)) best = { index: r, score: fields.size };
  }
  return best;
}

/** Whether a row under the header is a units row (`L_SEC,KM,WATT,…`): units and no numbers. */
function isUnitsRow(row: CsvRow | undefined): boolean {
  if (!row) return false;
  const cells = row.cells.map((c) => c.trim()).filter((c) => c.length > 0);
  if (cells.length < 2 || cells.some(looksNumeric)) return false;
  return cells.filter((c) => unitOf(c) !== undefined).length * 2 >= cells.length;
}

/** The mapping's column for a header: `#n`, `Header#k` (k-th column of that name) or the header text. */
function mappedColumn(mapping: CsvMapping | undefined, index: number, text: string, occurrence: number) {
  const columns = mapping?.columns;
  if (!columns) return undefined;
  const key = text.trim().toLowerCase();
  for (const [name, spec] of Object.entries(columns)) {
    const n = name.trim().toLowerCase();
    if (n === `#${index + 1}`) return spec;
    const numbered = /^(.*)#(\d+)$/.exec(n);
    if (numbered && numbered[1] !== '' && (numbered[1] as string).trim() === key && Number(numbered[2]) === occurrence) return spec;
    if (!numbered && n === key && occurrence === 1) return spec;
  }
  return undefined;
}

/** The layout of a table from its head rows; undefined when no row is a recognisable header. */
export function planTable(head: readonly CsvRow[], mapping: CsvMapping | undefined, delimiter: string): TableLayout | undefined {
  let headerIndex: number;
  if (mapping?.headerRow !== undefined) headerIndex = mapping.headerRow - 1;
  else {
    const found = findHeaderRow(head);
    if (!found) {
      if (!mapping?.columns) return undefined;
      headerIndex = -1;
    } else headerIndex = found.index;
  }
  if (headerIndex >= head.length) return undefined;
  const headerCells = headerIndex >= 0 ? (head[headerIndex] as CsvRow).cells : [];
  const unitsRow = headerIndex >= 0 && head[headerIndex + 1] !== undefined && (mapping?.unitsRow ?? isUnitsRow(head[headerIndex + 1]));
  const unitCells = unitsRow ? (head[headerIndex + 1] as CsvRow).cells : [];
  const dataIndex = headerIndex + 1 + (unitsRow ? 1 : 0);
  const width = Math.max(headerCells.length, ...head.slice(dataIndex, dataIndex + 32).map((r) => r.cells.length), 0);

  const headers: HeaderInfo[] = [];
  const plans: Omit<ColumnPlan, 'number'>[] = [];
  const seen = new Map<string, number>();
  const taken = new Set<CsvField>();
  const duplicates: string[] = [];
  for (let i = 0; i < width; i++) {
    const text = headerCells[i]?.trim() ?? '';
    const occurrence = (seen.get(text.toLowerCase()) ?? 0) + 1;
    seen.set(text.toLowerCase(), occurrence);
    const info = headerIndex >= 0 ? analyzeHeader(text) : { text: `#${i + 1}`, key: `#${i + 1}` };
    headers.push(info);
    const spec = mappedColumn(mapping, i, text, occurrence);
    let field = spec?.field ?? info.field;
    let unit = spec?.unit ?? info.unit;
    if (!spec && !unit && unitCells[i] !== undefined && field !== undefined) {
      const fromRow = unitOf(unitCells[i]);
      if (fromRow && fromRow.dimension === FIELD_UNITS[field]?.dimension) unit = fromRow;
      else if (fromRow && (field === 'time' || field === 'duration') && fromRow.dimension === 'time') {
        unit = fromRow;
        if (field === 'time') field = 'elapsed';
      }
    }
    if (field === undefined || field === 'ignore') continue;
    plans.push({ index: i, field, header: info, mapped: spec !== undefined, ...(unit ? { unit } : {}) });
  }
  // A field named twice: the mapping's column wins, else the first.
  const columns: Omit<ColumnPlan, 'number'>[] = [];
  for (const plan of [...plans.filter((p) => p.mapped), ...plans.filter((p) => !p.mapped)]) {
    if (taken.has(plan.field)) {
      if (!plan.mapped) duplicates.push(plan.header.text);
      continue;
    }
    taken.add(plan.field);
    columns.push(plan);
  }
  columns.sort((a, b) => a.index - b.index);

  // Number formats per column, from the values of the head rows.
  const evidence = new Map<number, NumberEvidence>();
  let point = 0;
  let comma = 0;
  for (const plan of columns) {
    const e = emptyEvidence();
    for (let r = dataIndex; r < head.length; r++) {
      const cell = (head[r] as CsvRow).cells[plan.index];
      if (cell !== undefined && !isMissing(cell) && !cell.includes(':')) weighNumber(e, cell);
    }
    evidence.set(plan.index, e);
    point += e.point;
    comma += e.comma;
  }
  const fallback: '.' | ',' = mapping?.decimal ?? (point > comma ? '.' : comma > point ? ',' : delimiter === ',' ? '.' : ',');
  const number = (index: number): NumberFormat => {
    const format = decideNumberFormat(evidence.get(index) ?? emptyEvidence(), fallback);
    if (mapping?.decimal) format.decimal = mapping.decimal;
    if (mapping?.thousands !== undefined) format.thousands = mapping.thousands;
    else if (format.thousands === format.decimal) format.thousands = '';
    return format;
  };
  return {
    headerIndex,
    dataIndex,
    unitsRow,
    columns: columns.map((c) => ({ ...c, number: number(c.index) })),
    headers,
    duplicates,
    decimal: fallback,
  };
}

/** First non-missing values of a column in the head rows. */
export function headValues(head: readonly CsvRow[], layout: TableLayout, index: number, max = 64): string[] {
  const out: string[] = [];
  for (let r = layout.dataIndex; r < head.length && out.length < max; r++) {
    const cell = (head[r] as CsvRow).cells[index];
    if (cell !== undefined && !isMissing(cell)) out.push(cell.trim());
  }
  return out;
}

/** Header words of English exports, whose `/` dates are month first (US); elsewhere `/` is day first. */
const ENGLISH_DATE_KEYS = new Set(['date', 'time', 'timestamp', 'date time', 'datetime', 'start', 'start time', 'start date', 'activity date', 'day', 'time of day']);

/** Whether `/` dates of a column are month first: an English header, or 12-hour times with AM/PM. */
export function slashMonthFirst(header: HeaderInfo | undefined, values: readonly string[]): boolean {
  return (header !== undefined && ENGLISH_DATE_KEYS.has(header.key)) || values.some((v) => /\d\s*[ap]\.?m\.?$/i.test(v));
}

/**
 * The order of numeric dates from the values: a first part over 12 proves day-month, a second
 * part over 12 month-day. Without proof: `.` and `-` are day-month, `/` month-day in English
 * exports (`monthFirst`) and day-month elsewhere; `assumed` says so.
 */
export function decideDateOrder(values: readonly string[], fallback?: DateOrder, monthFirst = true): { order: DateOrder; assumed: boolean } {
  let dmy = 0;
  let mdy = 0;
  let separator = '';
  let ymd = 0;
  for (const v of values) {
    const p = possibleOrders(v);
    if (!p) continue;
    separator ||= p.separator;
    if (p.orders.length === 1 && p.orders[0] === 'YMD') ymd++;
    else if (p.orders.length === 1 && p.orders[0] === 'DMY') dmy++;
    else if (p.orders.length === 1 && p.orders[0] === 'MDY') mdy++;
  }
  if (ymd > 0 && dmy === 0 && mdy === 0) return { order: 'YMD', assumed: false };
  if (dmy > mdy) return { order: 'DMY', assumed: false };
  if (mdy > dmy) return { order: 'MDY', assumed: false };
  if (fallback) return { order: fallback, assumed: false };
  const numeric = values.some((v) => possibleOrders(v) !== undefined);
  return { order: separator === '/' && monthFirst ? 'MDY' : 'DMY', assumed: numeric };
}

export interface PreambleInfo {
  start?: WallTime;
  /** The text the start was read from, for messages. */
  startText?: string;
  sampleRateSeconds?: number;
}

const RATE_KEY = /^(sample ?rate|sampling ?rate|samplingrate|recording interval|record(ing)? rate|abtastrate|aufzeichnungsintervall|intervalle d enregistrement|frecuencia de muestreo)\b/;

/**
 * Start date-time and sample rate from the rows above the table: `key,value` rows and
 * header/value row pairs. A date and a time given apart are joined.
 */
export function readPreamble(rows: readonly CsvRow[], order: DateOrder | undefined): PreambleInfo {
  const pairs: [string, string][] = [];
  for (let r = 0; r < rows.length; r++) {
    const cells = (rows[r] as CsvRow).cells.map((c) => c.trim());
    const nonEmpty = cells.filter((c) => c.length > 0);
    if (nonEmpty.length <= 2 && cells[0] && !looksNumeric(cells[0])) {
      pairs.push([cells[0], cells[1] ?? '']);
      continue;
    }
    const next = rows[r + 1]?.cells;
    if (next && next.length === cells.length && nonEmpty.every((c) => !looksNumeric(c))) {
      cells.forEach((key, i) => pairs.push([key, (next[i] ?? '').trim()]));
      r++;
    }
  }
  const info: PreambleInfo = {};
  let date: WallTime | undefined;
  let timeMs: number | undefined;
  const datePairs = pairs.filter(([k]) => analyzeHeader(k).field === 'date');
  const dates = datePairs.map(([, v]) => v);
  const dateOrder = decideDateOrder(dates, order, slashMonthFirst(datePairs[0] && analyzeHeader(datePairs[0][0]), dates)).order;
  for (const [key, value] of pairs) {
    if (value.length === 0) continue;
    const folded = foldText(key).replace(/[^a-z0-9]+/g, ' ').trim();
    if (RATE_KEY.test(folded)) {
      const unit = analyzeHeader(key).unitText;
      const seconds = parseDuration(value, unit === 'ms' ? 'ms' : 's', value.includes(',') ? ',' : '.');
      if (seconds > 0 && seconds <= 3600 && info.sampleRateSeconds === undefined) info.sampleRateSeconds = seconds;
      continue;
    }
    const field = analyzeHeader(key).field;
    if (field === 'time' || field === 'date' || field === 'timeOfDay') {
      const wall = parseDateTime(value, dateOrder);
      if (wall && (wall.hasTime || field === 'date')) {
        if (wall.hasTime && info.start === undefined) {
          info.start = wall;
          info.startText = `${key} ${value}`;
        } else if (!wall.hasTime) date ??= wall;
        continue;
      }
      const tod = parseTimeOfDay(value);
      if (tod === tod && timeMs === undefined) timeMs = tod;
    }
  }
  if (info.start === undefined && date) {
    info.start = { wallMs: date.wallMs + (timeMs ?? 0), hasTime: timeMs !== undefined };
    info.startText = 'the date and time above the table';
  }
  return info;
}

/** Parses a cell as a number in its column's format. */
export function cellNumber(cell: string | undefined, plan: ColumnPlan): number {
  return cell === undefined ? NaN : parseNumber(cell, plan.number);
}
