/**
 * The CSV tokenizer: one incremental core (`createCsvTokenizer`: feed text chunks, get the rows
 * they complete) and thin wrappers over it — `iterateCsvRows` (pull rows from a string, stop any
 * time), `tokenizeCsv` (all rows of a string) and `tokenizeCsvStream` (rows from async chunks).
 *
 * RFC 4180 with a chosen delimiter: quoted fields may hold delimiters, doubled quotes and line
 * breaks; CRLF, LF and CR all end a row. Lenient where real files are sloppy: a quote inside an
 * unquoted field is kept as text, text after a closing quote is appended, blank lines are
 * skipped. Strict on bounds: a row longer than `maxRowChars` or more rows than `maxRows` stop the
 * tokenizer with a `too-large` ParseError at once — it never reads on to find the end.
 */
import type { FormatId } from '@optimo-import/workout';
import { ParseError } from '../errors.js';
import type { ParseErrorCode } from '../errors.js';

/** Why the tokenizer stopped (a string union; the table below gives each its ParseError code). */
export type CsvFailure = 'row-too-long' | 'too-many-rows' | 'unclosed-quote';

export const CSV_FAILURES: Readonly<Record<CsvFailure, ParseErrorCode>> = {
  'row-too-long': 'too-large',
  'too-many-rows': 'too-large',
  'unclosed-quote': 'corrupt',
};

/** A row longer than this (in characters, quoted line breaks included) is refused. */
export const MAX_ROW_CHARS = 256 * 1024;

/** Characters fed to the core at a time by the string wrappers. */
const CHUNK_CHARS = 64 * 1024;

export interface CsvTokenizerOptions {
  /** One character: `,` `;` tab or `|`. */
  delimiter: string;
  /** Default MAX_ROW_CHARS. */
  maxRowChars?: number;
  /** Most rows (blank lines not counted). Default unlimited. */
  maxRows?: number;
  /** For error messages. */
  format?: FormatId;
  file?: string;
}

export interface CsvRow {
  /** The fields, untrimmed, quotes removed. */
  cells: string[];
  /** 1-based line where the row starts. */
  line: number;
}

export interface CsvTokenizer {
  /** Tokenizes a chunk; returns the rows it completed. */
  write(chunk: string): CsvRow[];
  /** Ends the input; returns the last row, if any. Throws for a quoted field left open. */
  end(): CsvRow[];
  /** Rows emitted so far. */
  readonly rowCount: number;
}

const START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_SEEN = 3;
const QUOTE = 34;

export function createCsvTokenizer(options: CsvTokenizerOptions): CsvTokenizer {
  const delimiter = options.delimiter.charCodeAt(0);
  const maxRowChars = options.maxRowChars ?? MAX_ROW_CHARS;
  const maxRows = options.maxRows ?? Infinity;
  const fail = (failure: CsvFailure, line: number, message: string): ParseError =>
    new ParseError({ code: CSV_FAILURES[failure], format: options.format, file: options.file, line, message });
  const tooLong = (line: number): ParseError => fail('row-too-long', line, `a row longer than ${maxRowChars.toLocaleString('en-US')} characters; not a table this tool reads`);

  // State between chunks (the loop works on local copies: closure slots are slow in a hot loop).
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let state = START;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 1;
  let rowCount = 0;
  let skipLf = false;
  /** Characters of the current row seen in earlier chunks. */
  let carried = 0;
  let failure: ParseError | undefined;

  const tokenizer: CsvTokenizer = {
    get rowCount() {
      return rowCount;
    },
    write(chunk) {
      if (failure) throw failure;
      const out: CsvRow[] = [];
      const n = chunk.length;
      let st = state;
      let f = field;
      let cs = cells;
      let q = quoted;
      let ln = line;
      let rl = rowLine;
      let count = rowCount;
      let i = 0;
      if (skipLf && n > 0 && chunk.charCodeAt(0) === 10) i = 1;
      skipLf = false;
      let start = i;
      let rowStart = i;
      for (; i < n; i++) {
        const c = chunk.charCodeAt(i);
        if (st === QUOTED) {
          if (c === QUOTE) {
            f += chunk.slice(start, i);
            st = QUOTE_SEEN;
            start = i + 1;
          } else if (c === 10 || (c === 13 && chunk.charCodeAt(i + 1) !== 10)) ln++;
          continue;
        }
        if (st === QUOTE_SEEN) {
          if (c === QUOTE) {
            f += '"';
            st = QUOTED;
            start = i + 1;
            continue;
          }
          st = UNQUOTED; // the closing quote; what follows is handled as unquoted text
          start = i;
        }
        if (c === delimiter) {
          cs.push(f.length === 0 ? chunk.slice(start, i) : f + chunk.slice(start, i));
          f = '';
          st = START;
          start = i + 1;
        } else if (c === 10 || c === 13) {
          if (carried + (i - rowStart) > maxRowChars) throw tooLong(rl);
          cs.push(f.length === 0 ? chunk.slice(start, i) : f + chunk.slice(start, i));
          f = '';
          if (cs.length > 1 || q || (cs[0] as string).length > 0) {
            if (count >= maxRows) {
              // The rows before stay readable; the next write (or end) throws.
              failure = fail('too-many-rows', rl, `more than ${maxRows.toLocaleString('en-US')} rows; the file is too large to import`);
              rowCount = count;
              return out;
            }
            count++;
            out.push({ cells: cs, line: rl });
          }
          cs = [];
          q = false;
          ln++;
          st = START;
          if (c === 13) {
            if (i + 1 < n) {
              if (chunk.charCodeAt(i + 1) === 10) i++;
            } else skipLf = true;
          }
          start = i + 1;
          rowStart = i + 1;
          carried = 0;
          rl = ln;
        } else if (st === START) {
          if (c === QUOTE) {
            st = QUOTED;
            q = true;
            quoteLine = ln;
            start = i + 1;
          } else st = UNQUOTED;
        }
      }
      if (st !== QUOTE_SEEN) f += chunk.slice(start, n);
      carried += n - rowStart;
      state = st;
      field = f;
      cells = cs;
      quoted = q;
      line = ln;
      rowLine = rl;
      rowCount = count;
      if (carried > maxRowChars) throw tooLong(rl);
      return out;
    },
    end() {
      if (failure) throw failure;
      if (state === QUOTED) throw fail('unclosed-quote', quoteLine, `a quoted field opened on line ${quoteLine} is never closed`);
      const out: CsvRow[] = [];
      if (cells.length > 0 || field.length > 0 || quoted) {
        cells.push(field);
        if (cells.length > 1 || quoted || (cells[0] as string).length > 0) {
          if (rowCount >= maxRows) throw fail('too-many-rows', rowLine, `more than ${maxRows.toLocaleString('en-US')} rows; the file is too large to import`);
          rowCount++;
          out.push({ cells, line: rowLine });
        }
      }
      cells = [];
      field = '';
      quoted = false;
      state = START;
      return out;
    },
  };
  return tokenizer;
}

/** Pull rows one at a time from a string without generator overhead: `read()` is undefined at the end. */
export interface CsvRowReader {
  read(): CsvRow | undefined;
}

export function createCsvRowReader(text: string, options: CsvTokenizerOptions): CsvRowReader {
  const tokenizer = createCsvTokenizer(options);
  let at = 0;
  let buffer: CsvRow[] = [];
  let next = 0;
  let ended = false;
  return {
    read() {
      while (next >= buffer.length) {
        if (ended) return undefined;
        next = 0;
        if (at < text.length) {
          buffer = tokenizer.write(text.slice(at, at + CHUNK_CHARS));
          at += CHUNK_CHARS;
        } else {
          buffer = tokenizer.end();
          ended = true;
        }
      }
      return buffer[next++];
    },
  };
}

/** Rows of a string, pulled one at a time: stop early and the rest is never tokenized. */
export function* iterateCsvRows(text: string, options: CsvTokenizerOptions): Generator<CsvRow, void, undefined> {
  const tokenizer = createCsvTokenizer(options);
  for (let at = 0; at < text.length; at += CHUNK_CHARS) yield* tokenizer.write(text.slice(at, at + CHUNK_CHARS));
  yield* tokenizer.end();
}

/** Every row of a string. */
export function tokenizeCsv(text: string, options: CsvTokenizerOptions): CsvRow[] {
  return [...iterateCsvRows(text, options)];
}

/** Rows from a stream of text chunks (a decoded file stream, a socket). */
export async function* tokenizeCsvStream(chunks: AsyncIterable<string>, options: CsvTokenizerOptions): AsyncGenerator<CsvRow, void, undefined> {
  const tokenizer = createCsvTokenizer(options);
  for await (const chunk of chunks) yield* tokenizer.write(chunk);
  yield* tokenizer.end();
}
