/**
 * The dialect of a delimited text: its delimiter (by how consistently each candidate splits the
 * first rows), and per column how numbers are written (decimal point or comma, thousands
 * separators), read from the values themselves.
 */
import { createCsvTokenizer } from './tokenizer.js';
import type { CsvRow } from './tokenizer.js';

export type CsvDelimiter = ',' | ';' | '\t' | '|';
export const CSV_DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t', '|'];

/** Rows looked at to choose the delimiter. */
const SNIFF_ROWS = 64;

/** Rows of a text prefix with one delimiter; the last, maybe cut, row is left out. */
export function sniffRows(prefix: string, delimiter: string, maxRows = SNIFF_ROWS): CsvRow[] {
  const tokenizer = createCsvTokenizer({ delimiter, maxRowChars: Infinity });
  const rows = tokenizer.write(prefix.length > 262_144 ? prefix.slice(0, 262_144) : prefix);
  return rows.slice(0, maxRows);
}

/** Excel's `sep=;` first line: the delimiter it names and the text after it. */
export function excelSeparatorLine(text: string): { delimiter: CsvDelimiter; rest: string } | undefined {
  const m = /^"?sep=([,;\t|])"?[ \t]*(?:\r\n|\n|\r|$)/i.exec(text);
  return m ? { delimiter: m[1] as CsvDelimiter, rest: text.slice(m[0].length) } : undefined;
}

export interface DelimiterGuess {
  delimiter: CsvDelimiter;
  /** Fields in most rows with that delimiter. */
  columns: number;
  /** Share of the sniffed rows that have exactly `columns` fields (0..1). */
  consistency: number;
}

/**
 * The delimiter that splits the most rows into the same number (2 or more) of fields; ties go to
 * the one whose fields look more like numbers (`1,5;2,5` is two numbers split by `;`, not three
 * fragments split by `,`), then to the order of CSV_DELIMITERS. Undefined when no candidate gives
 * two or more columns in at least half of the rows.
 */
export function detectDelimiter(prefix: string): DelimiterGuess | undefined {
  let best: (DelimiterGuess & { numeric: number; score: number }) | undefined;
  for (const delimiter of CSV_DELIMITERS) {
    if (!prefix.includes(delimiter)) continue;
    const rows = sniffRows(prefix, delimiter);
    if (rows.length === 0) continue;
    const byCount = new Map<number, number>();
    for (const r of rows) byCount.set(r.cells.length, (byCount.get(r.cells.length) ?? 0) + 1);
    let columns = 0;
    let most = 0;
    for (const [count, times] of byCount) {
      if (count >= 2 && (times > most || (times === most && count > columns))) {
        columns = count;
        most = times;
      }
    }
    if (columns < 2) continue;
    const consistency = most / rows.length;
    let numeric = 0;
    let cells = 0;
    for (const r of rows) {
      if (r.cells.length !== columns) continue;
      for (const c of r.cells) {
        cells++;
        if (NUMBER_SHAPE.test(c.trim())) numeric++;
      }
    }
    const numericShare = cells > 0 ? numeric / cells : 0;
    const score = consistency + numericShare * 0.25;
    if (!best || score > best.score + 1e-9) best = { delimiter, columns, consistency, numeric: numericShare, score };
  }
  if (!best || best.consistency < 0.5) return undefined;
  return { delimiter: best.delimiter, columns: best.columns, consistency: best.consistency };
}

/** A number as spreadsheets write it, decimal point or comma, with or without thousands groups. */
const NUMBER_SHAPE = /^[+-]?(?:\d+|\d{1,3}(?:[.,' \u00a0\u202f]\d{3})+)(?:[.,]\d+)?(?:[eE][+-]?\d+)?$/;

export interface NumberFormat {
  decimal: '.' | ',';
  /** '' when the column has no thousands groups. */
  thousands: '' | ',' | '.' | ' ' | "'";
}

/** What the values of one column say about its decimal separator. */
export interface NumberEvidence {
  /** Values that can only be read with a decimal point (`1.5`, `1,234.5`). */
  point: number;
  /** Values that can only be read with a decimal comma (`1,5`, `1.234,5`). */
  comma: number;
  /** Values with a thousands group in the other separator (`1,234` or `1.234`), undecided alone. */
  ambiguous: number;
  /** Values with a space or apostrophe thousands group (`1 234`, `1'234`). */
  spaced: number;
}

export function emptyEvidence(): NumberEvidence {
  return { point: 0, comma: 0, ambiguous: 0, spaced: 0 };
}

/** Adds one cell's evidence. */
export function weighNumber(evidence: NumberEvidence, text: string): void {
  const t = text.trim();
  const dot = t.indexOf('.');
  const comma = t.indexOf(',');
  if (/\d[ '\u00a0\u202f]\d{3}(?:\D|$)/.test(t)) evidence.spaced++;
  if (dot >= 0 && comma >= 0) {
    if (t.lastIndexOf('.') > t.lastIndexOf(',')) evidence.point++;
    else evidence.comma++;
    return;
  }
  const sep = dot >= 0 ? dot : comma;
  if (sep < 0) return;
  const single = t.indexOf(t[sep] as string, sep + 1) < 0;
  const after = t.length - sep - 1;
  const digitsAfter = /^\d+$/.test(t.slice(sep + 1));
  if (single && digitsAfter && after === 3 && sep > 0 && sep <= 3 + (t[0] === '-' ? 1 : 0) && /^-?[1-9]/.test(t)) {
    evidence.ambiguous++; // 1,234 or 1.234: a thousands group or three decimals
    return;
  }
  if (!single) {
    // 1,234,567 or 1.234.567: thousands groups of the other separator
    if (dot >= 0) evidence.comma++;
    else evidence.point++;
    return;
  }
  if (dot >= 0) evidence.point++;
  else evidence.comma++;
}

/**
 * The number format of a column from its evidence; `fallback` decides a column with only
 * ambiguous values (the file's dominant decimal, else `.` with a `,` delimiter and `,` otherwise).
 */
export function decideNumberFormat(evidence: NumberEvidence, fallback: '.' | ','): NumberFormat {
  let decimal: '.' | ',' = fallback;
  if (evidence.point > evidence.comma) decimal = '.';
  else if (evidence.comma > evidence.point) decimal = ',';
  let thousands: NumberFormat['thousands'] = '';
  if (evidence.spaced > 0) thousands = ' ';
  else if (evidence.ambiguous > 0 || evidence.point + evidence.comma > 0) thousands = decimal === '.' ? ',' : '.';
  return { decimal, thousands };
}

/** Values that mean "no value" in exports. */
const MISSING = new Set(['', '-', '--', '---', 'n/a', 'na', 'nan', 'null', 'none', 'undefined', '#n/a', '#nv', '?']);

export function isMissing(text: string): boolean {
  if (text.length > 0) {
    const c = text.charCodeAt(0);
    if (c >= 48 && c <= 57) return false; // a digit: the common case, no allocation
  }
  return MISSING.has(text.trim().toLowerCase());
}

/**
 * `[-+]digits[<decimal>digits]` without spaces or groups, read without regular expressions; NaN
 * for anything else.
 */
function plainNumber(t: string, decimal: number): number {
  const n = t.length;
  if (n === 0 || n > 24) return NaN;
  let i = 0;
  let c = t.charCodeAt(0);
  if (c === 45 || c === 43) i = 1;
  let digits = 0;
  let sep = -1;
  for (; i < n; i++) {
    c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === decimal && sep < 0) sep = i;
    else return NaN;
  }
  if (digits === 0) return NaN;
  const v = decimal === 44 && sep >= 0 ? Number(`${t.slice(0, sep)}.${t.slice(sep + 1)}`) : Number(t);
  return Number.isFinite(v) ? v : NaN;
}

/**
 * A number in a column's format; NaN when the cell is empty, a missing marker or not a number.
 * A trailing `%` or unit word is not accepted: a column's unit comes from its header.
 */
export function parseNumber(text: string, format: NumberFormat): number {
  const plain = plainNumber(text, format.decimal === ',' ? 44 : 46);
  if (plain === plain) return plain;
  let t = text.trim();
  if (t.length === 0) return NaN;
  if (format.thousands !== '') {
    if (format.thousands === ' ') t = t.replace(/[ '\u00a0\u202f](?=\d{3}(?:\D|$))/g, '');
    else t = t.split(format.thousands).join('');
  }
  if (format.decimal === ',') t = t.replace(',', '.');
  // Linear: `\d+\.?\d*` backtracks quadratically on a long run of digits that does not match (a 60,000-digit cell took 2 s).
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}
