/**
 * The generic CSV parser (`csv`, last in the registry): spreadsheets and vendor CSVs.
 *
 * - Text: encoding detected (decode.ts), delimiter by consistency (dialect.ts), RFC 4180 rows
 *   from the bounded tokenizer (tokenizer.ts).
 * - Layout: the header row is the one that names the most known fields in seven languages
 *   (headers.ts), units from the header or a units row; vendor CSVs are recognised by their first
 *   rows (vendors.ts) and bring a built-in column mapping; a user's mapping (mapping.ts)
 *   overrides both.
 * - Two shapes: sample rows (one workout per file; samples.ts) and summary rows (one workout per
 *   row; summary-rows.ts). Naive times are local: resolved in the mapping's or the caller's zone,
 *   else the machine's (start-time.ts).
 * - `detect` claims only text that is a delimited table with a recognisable header (two known
 *   fields and a data row) or a known vendor CSV — never XML, JSON, HRM or a Polar Flow CSV.
 */
import { buildWorkout, createWarnings, isTimeZone } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { ParseError } from '../errors.js';
import type { ParseErrorCode } from '../errors.js';
import type { FormatParser, ParseContext } from '../types.js';
import { decodePrefix, decodeText, looksBinary } from './decode.js';
import { detectDelimiter, excelSeparatorLine, sniffRows } from './dialect.js';
import type { CsvMapping } from './mapping.js';
import { isPolarFlowHead } from './polar-head.js';
import { readSamples } from './samples.js';
import type { TableRead } from './samples.js';
import { readSummaries } from './summary-rows.js';
import { findHeaderRow, HEAD_ROWS, planTable, readPreamble } from './table.js';
import type { TableLayout } from './table.js';
import { decideTimePlan } from './time-plan.js';
import { createCsvRowReader } from './tokenizer.js';
import type { CsvRow } from './tokenizer.js';
import { findVendor, GENERIC_TABLE, mergeMappings } from './vendors.js';

/** What the generic parser takes besides the bytes. Proposed as `ParseOptions.csvMapping`. */
export interface CsvParseOptions {
  /** A column mapping (from `readCsvMapping`) for what the detection cannot read. */
  mapping?: CsvMapping;
}

/** A parse context that may carry a column mapping (what the registry passes once `ParseOptions.csvMapping` exists). */
export interface CsvParseContext extends ParseContext {
  csvMapping?: CsvMapping;
}

/** Characters of the file looked at by `detect`. */
const DETECT_BYTES = 65_536;

const SUMMARY_ONLY = new Set(['sport', 'name', 'notes', 'duration', 'movingTime', 'calories', 'heartRateAvg', 'heartRateMax', 'speedAvg', 'speedMax', 'paceAvg', 'cadenceAvg', 'cadenceMax', 'powerAvg', 'powerMax', 'ascent', 'descent']);
const CHANNEL_FIELDS = new Set(['heartRate', 'speed', 'pace', 'cadence', 'power', 'altitude', 'latitude', 'longitude', 'temperature', 'lap']);

/** One workout per row when a column names the sport or the workout, or summary values outnumber channels. */
function decideShape(layout: TableLayout): 'samples' | 'summary' {
  const fields = layout.columns.map((c) => c.field);
  const summary = fields.filter((f) => SUMMARY_ONLY.has(f)).length;
  const channels = fields.filter((f) => CHANNEL_FIELDS.has(f)).length;
  if ((fields.includes('sport') || fields.includes('name')) && channels <= 1) return 'summary';
  return summary >= 2 && summary > channels ? 'summary' : 'samples';
}

function firstChar(text: string): string {
  const m = /\S/.exec(text);
  return m ? m[0] : '';
}

/** Whether bytes are a delimited table this parser reads: cheap, pure, never throws. */
export function detectCsv(input: Uint8Array): boolean {
  try {
    if (input.length === 0) return false;
    const decoded = decodePrefix(input, DETECT_BYTES);
    if (looksBinary(decoded) || '<{['.includes(firstChar(decoded))) return false;
    const excel = excelSeparatorLine(decoded);
    const text = excel?.rest ?? decoded;
    const guess = excel ? { delimiter: excel.delimiter } : detectDelimiter(text);
    const rows = sniffRows(text, guess?.delimiter ?? ',');
    if (rows.length < 2 || isPolarFlowHead(rows)) return false;
    if (findVendor(rows)) return true;
    const header = findHeaderRow(rows);
    if (!header || header.score < 2 || !guess) return false;
    const width = (rows[header.index] as CsvRow).cells.length;
    return rows.slice(header.index + 1, header.index + 8).some((r) => r.cells.length >= Math.min(2, width) && r.cells.some((c) => /\d/.test(c)));
  } catch {
    return false;
  }
}

/**
 * Parses a CSV into workouts with an optional column mapping (else the context's `csvMapping`).
 * Throws ParseError naming the file, and for a known vendor CSV what it is.
 */
export function parseCsv(input: Uint8Array, ctx: ParseContext, mapping: CsvMapping | undefined = (ctx as CsvParseContext).csvMapping): Workout[] {
  const file = ctx.fileName;
  const error = (code: ParseErrorCode, message: string, line?: number): ParseError => new ParseError({ code, format: 'csv', file, line, message });
  if (input.length === 0) throw error('no-data', 'the file is empty');
  if (mapping?.timeZone !== undefined && !isTimeZone(mapping.timeZone)) throw error('corrupt', `the column mapping's timeZone "${mapping.timeZone}" is not an IANA time zone`);
  const decoded = decodeText(input, mapping?.encoding).text;
  if (looksBinary(decoded)) throw error('unknown-format', 'binary data, not a text table');
  const lead = firstChar(decoded.slice(0, 4096));
  if (lead === '<' || lead === '{') throw error('unknown-format', `not a CSV table: the text starts with "${lead}" (XML or JSON)`);
  const excel = excelSeparatorLine(decoded);
  const text = excel?.rest ?? decoded;
  const delimiter = mapping?.delimiter ?? excel?.delimiter ?? detectDelimiter(text.slice(0, DETECT_BYTES))?.delimiter ?? ',';

  const rows = createCsvRowReader(text, { delimiter, maxRows: ctx.limits.maxSamples + HEAD_ROWS, format: 'csv', file });
  const head: CsvRow[] = [];
  for (let row = rows.read(); row !== undefined; row = rows.read()) {
    head.push(row);
    if (head.length >= HEAD_ROWS) break;
  }
  if (head.length === 0) throw error('no-data', 'the file holds no rows');
  if (isPolarFlowHead(head)) throw error('unsupported-variant', 'a Polar Flow session CSV: it is read by the polar-csv parser');
  const vendor = findVendor(head) ?? GENERIC_TABLE;
  const fail = (code: ParseErrorCode, message: string, line?: number): ParseError => error(code, vendor === GENERIC_TABLE ? message : `${vendor.what}: ${message}`, line);
  if (vendor.refuse) throw fail('unsupported-variant', vendor.refuse);
  const merged = mergeMappings(vendor.mapping?.(head), mapping);
  const layout = planTable(head, merged, delimiter);
  if (!layout) {
    throw fail('no-data', 'no row is a header naming a column this tool knows (time, heart rate, speed, distance, power, …); a column mapping can say which column is which');
  }
  const read: TableRead = {
    head,
    rest: rows,
    layout,
    mapping: merged,
    vendor,
    preamble: readPreamble(head.slice(0, Math.max(0, layout.headerIndex)), merged?.dateOrder),
    fileName: file,
    timeZone: ctx.timeZone,
    maxSamples: ctx.limits.maxSamples,
    warnings: createWarnings(),
    fail,
  };
  if (!head.slice(layout.dataIndex).some((r) => r.cells.some((c) => c.trim().length > 0))) throw fail('no-data', 'the table has a header but no rows');
  const shape = merged?.shape ?? decideShape(layout);
  if (shape === 'summary') {
    return readSummaries(read).map((draft) => buildWorkout({ ...draft, fileName: file, sha256: ctx.sha256 }));
  }
  const plan = decideTimePlan(head, layout, merged, merged?.sampleRateSeconds ?? read.preamble.sampleRateSeconds);
  if (!plan) {
    const known = layout.columns.map((c) => c.header.text).join(', ');
    throw fail('no-data', `the table has no time column${known ? ` (columns read: ${known})` : ''}; a column mapping can name one or give "sampleRateSeconds"`);
  }
  const draft = readSamples(read, plan);
  return [buildWorkout({ ...draft, fileName: file, sha256: ctx.sha256 })];
}

/** Spreadsheets and vendor CSVs; goes last in the registry. */
export const csvParser: FormatParser = {
  format: 'csv',
  extensions: ['csv', 'txt', 'tsv'],
  detect: detectCsv,
  parse: (input, ctx) => parseCsv(input, ctx),
};

/** A `csv` parser bound to a column mapping (for callers that pick the parser themselves). */
export function createCsvParser(options: CsvParseOptions = {}): FormatParser {
  return { ...csvParser, parse: (input, ctx) => parseCsv(input, ctx, options.mapping ?? (ctx as CsvParseContext).csvMapping) };
}
