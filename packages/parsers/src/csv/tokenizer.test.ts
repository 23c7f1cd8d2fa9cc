import { describe, expect, it } from 'vitest';
import { isParseError } from '../errors.js';
import { createCsvTokenizer, iterateCsvRows, tokenizeCsv, tokenizeCsvStream } from './tokenizer.js';

const cells = (text: string, delimiter = ','): string[][] => tokenizeCsv(text, { delimiter }).map((r) => r.cells);

describe('tokenizeCsv (RFC 4180)', () => {
  it('splits rows and fields with CRLF, LF and CR endings', () => {
    expect(cells('a,b\r\n1,2\n3,4\r5,6')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('reads quoted fields with delimiters, doubled quotes and line breaks, and counts lines', () => {
    const rows = tokenizeCsv('name,notes\n"Doe, John","said ""hi""\nthen left"\nx,y\n', { delimiter: ',' });
    expect(rows.map((r) => r.cells)).toEqual([
      ['name', 'notes'],
      ['Doe, John', 'said "hi"\nthen left'],
      ['x', 'y'],
    ]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('keeps trailing empty fields (Polar lines end with a comma) and skips blank lines', () => {
    expect(cells('a,b,\n\n1,,\n')).toEqual([
      ['a', 'b', ''],
      ['1', '', ''],
    ]);
  });

  it('is lenient with stray quotes: inside an unquoted field, and after a closing quote', () => {
    expect(cells('5" tall,x\n"a"b,c')).toEqual([
      ['5" tall', 'x'],
      ['ab', 'c'],
    ]);
  });

  it('takes any delimiter', () => {
    expect(cells('a;b\n1,5;2', ';')).toEqual([
      ['a', 'b'],
      ['1,5', '2'],
    ]);
    expect(cells('a\tb\n1\t2', '\t')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('gives the same rows whatever the chunking (a CRLF or a quote split across chunks)', () => {
    const text = 'h1,h2\r\n"q,1","a""b"\r\nx,y\r\n';
    const whole = cells(text);
    for (let size = 1; size <= text.length; size++) {
      const tokenizer = createCsvTokenizer({ delimiter: ',' });
      const rows = [];
      for (let at = 0; at < text.length; at += size) rows.push(...tokenizer.write(text.slice(at, at + size)));
      rows.push(...tokenizer.end());
      expect(rows.map((r) => r.cells)).toEqual(whole);
    }
  });

  it('refuses a quoted field never closed, naming the line where it opened', () => {
    try {
      tokenizeCsv('a,b\n1,"open\n2,3\n', { delimiter: ',', format: 'csv', file: 'f.csv' });
      expect.fail('expected a ParseError');
    } catch (error) {
      expect(isParseError(error)).toBe(true);
      expect((error as Error).message).toBe('[csv] f.csv line 2: a quoted field opened on line 2 is never closed');
    }
  });

  it('stops at a row longer than the bound, without reading the rest of it', () => {
    const long = 'x'.repeat(1_000_000);
    const started = performance.now();
    expect(() => tokenizeCsv(`a,b\n${long}`, { delimiter: ',', maxRowChars: 1000, format: 'csv' })).toThrow(/line 2: a row longer than 1,000 characters/);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('stops after maxRows rows', () => {
    const rows = iterateCsvRows('1\n'.repeat(100), { delimiter: ',', maxRows: 10 });
    let n = 0;
    expect(() => {
      for (const _ of rows) n++;
    }).toThrow(/more than 10 rows/);
    expect(n).toBe(10);
  });

  it('pulls rows lazily: stopping early tokenizes no more', () => {
    const it = iterateCsvRows('a\n'.repeat(1_000_000), { delimiter: ',' });
    expect(it.next().value?.cells).toEqual(['a']);
  });

  it('reads a stream of chunks', async () => {
    async function* chunks(): AsyncGenerator<string> {
      yield 'a,"b';
      yield '\nc"\r';
      yield '\n1,2';
    }
    const rows = [];
    for await (const row of tokenizeCsvStream(chunks(), { delimiter: ',' })) rows.push(row.cells);
    expect(rows).toEqual([
      ['a', 'b\nc'],
      ['1', '2'],
    ]);
  });
});
