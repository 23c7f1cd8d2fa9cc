/**
 * The bounds: a huge row, a huge quoted field, many rows. Each ends quickly in a clear
 * `too-large` error; none is read to its end first.
 */
import { describe, expect, it } from 'vitest';
import { buildPolarCsv } from '@optimo-import/fixtures';
import { DEFAULT_LIMITS } from '../types.js';
import { csvParser, detectCsv } from './generic-csv.js';
import { detectPolarCsv, polarCsvParser } from './polar-csv.js';
import { context, parseFailure, utf8 } from './test-helpers.js';

const MB = 1024 * 1024;

function timed<T>(fn: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = fn();
  return { value, ms: performance.now() - started };
}

describe('csv bounds', () => {
  it('a 1 MB single line is refused at once, by both parsers and both detectors', () => {
    const line = utf8(`Time,Heart rate,${'9'.repeat(MB)}\n`);
    const csv = timed(() => parseFailure(() => csvParser.parse(line, context({ fileName: 'long.csv' }))));
    expect(csv.value.code).toBe('too-large');
    expect(csv.value.message).toBe('[csv] long.csv line 1: a row longer than 262,144 characters; not a table this tool reads');
    expect(csv.ms).toBeLessThan(1000);
    const polar = utf8(`${buildPolarCsv().split('\r\n').slice(0, 3).join('\r\n')}\r\n1,${'0'.repeat(MB)}\r\n`);
    const p = timed(() => parseFailure(() => polarCsvParser.parse(polar, context({ fileName: 'long.csv' }))));
    expect(p.value.message).toMatch(/^\[polar-csv\] long\.csv line 4: a row longer than/);
    expect(p.ms).toBeLessThan(1000);
    expect(timed(() => detectCsv(line)).ms).toBeLessThan(500);
    expect(timed(() => detectPolarCsv(polar)).value).toBe(true);
  });

  it('a quoted field that runs on for a megabyte of lines is refused, naming the line the row starts on', () => {
    const text = utf8(`Time,Notes\n2024-05-21T07:00:00Z,"${'words\n'.repeat(MB / 6)}"\n`);
    const error = parseFailure(() => csvParser.parse(text, context({ fileName: 'notes.csv' })));
    expect(error.code).toBe('too-large');
    expect(error.line).toBe(2);
  });

  it('2 million short rows with maxSamples 100,000: stops at the 100,001st row, quickly', () => {
    const text = utf8(`Elapsed time (s),Heart rate\n${Array.from({ length: 2_000_000 }, (_, i) => `${i},120`).join('\n')}\n`);
    const { value: error, ms } = timed(() => parseFailure(() => csvParser.parse(text, context({ fileName: 'x_2024-05-21_07-00-00.csv', limits: { ...DEFAULT_LIMITS, maxSamples: 100_000 } }))));
    expect(error.code).toBe('too-large');
    expect(error.message).toBe('[csv] x_2024-05-21_07-00-00.csv line 100002: more than 100,000 sample rows (the maxSamples limit)');
    expect(ms).toBeLessThan(2000);
  });

  it('one row over the default maxSamples (2,000,000) is refused; exactly at it is read', () => {
    const rows = Array.from({ length: 2_000_001 }, (_, i) => `${i},120`);
    const over = utf8(`Elapsed time (s),Heart rate\n${rows.join('\n')}\n`);
    const { value: error, ms } = timed(() => parseFailure(() => csvParser.parse(over, context({ fileName: 'x_2024-05-21_07-00-00.csv', timeZone: 'UTC' }))));
    expect(error.message).toMatch(/line 2000002: more than 2,000,000 sample rows/);
    expect(ms).toBeLessThan(15_000);
    rows.pop();
    const at = utf8(`Elapsed time (s),Heart rate\n${rows.join('\n')}\n`);
    const [w] = csvParser.parse(at, context({ fileName: 'x_2024-05-21_07-00-00.csv', timeZone: 'UTC' }));
    expect(w!.samples.offsetSeconds).toHaveLength(2_000_000);
  });

  it('rows that hold no value still count against the tokenizer bound (maxSamples + 256 rows)', () => {
    const text = utf8(`Elapsed time (s),Heart rate\n0,120\n1,121\n${',\n'.repeat(200_000)}`);
    const { value: error, ms } = timed(() => parseFailure(() => csvParser.parse(text, context({ fileName: 'x_2024-05-21_07-00-00.csv', limits: { ...DEFAULT_LIMITS, maxSamples: 1000 } }))));
    expect(error.code).toBe('too-large');
    expect(error.message).toMatch(/more than 1,256 rows; the file is too large to import/);
    expect(ms).toBeLessThan(1000);
  });

  it('summary rows are bounded the same way', () => {
    const text = utf8(`Date,Sport,Duration\n${'2024-05-21 07:00,Run,600\n'.repeat(5000)}`);
    const error = parseFailure(() => csvParser.parse(text, context({ limits: { ...DEFAULT_LIMITS, maxSamples: 1000 } })));
    expect(error.message).toMatch(/line 1002: more than 1,000 rows \(the maxSamples limit\)/);
  });
});
