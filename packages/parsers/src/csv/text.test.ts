import { describe, expect, it } from 'vitest';
import { encodeCsvText } from '@optimo-import/fixtures';
import { dateTimeFromFileName, parseDateTime, parseDuration, parseTimeOfDay } from './datetime.js';
import { decodePrefix, decodeText, looksBinary, sniffEncoding } from './decode.js';
import { decideNumberFormat, detectDelimiter, emptyEvidence, parseNumber, weighNumber } from './dialect.js';
import { decideDateOrder } from './table.js';

const TEXT = 'Zeit;Höhe (m);Temp (°C)\n0;12,5;21\n';
const iso = (wall: { wallMs: number } | undefined): string | undefined => (wall ? new Date(wall.wallMs).toISOString() : undefined);

describe('decodeText', () => {
  it.each([
    ['utf-8', 'utf-8', false],
    ['utf-8-bom', 'utf-8', true],
    ['utf-16le', 'utf-16le', true],
    ['utf-16be', 'utf-16be', true],
    ['windows-1252', 'windows-1252', false],
  ] as const)('%s', (written, detected, bom) => {
    const decoded = decodeText(encodeCsvText(TEXT, written));
    expect(decoded).toEqual({ text: TEXT, encoding: detected, bom });
  });

  it('finds BOM-less UTF-16 by its NUL bytes', () => {
    const le = encodeCsvText(TEXT, 'utf-16le').subarray(2);
    const be = encodeCsvText(TEXT, 'utf-16be').subarray(2);
    expect(sniffEncoding(le).encoding).toBe('utf-16le');
    expect(sniffEncoding(be).encoding).toBe('utf-16be');
    expect(decodeText(be).text).toBe(TEXT);
  });

  it('reads a prefix cut inside a UTF-8 character as UTF-8', () => {
    const bytes = encodeCsvText('ä'.repeat(100));
    expect(decodePrefix(bytes, 51)).toMatch(/^ä{25}/);
  });

  it('tells binary from text', () => {
    expect(looksBinary('a,b\n1,2')).toBe(false);
    expect(looksBinary('\u0000\u0001abc')).toBe(true);
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['a,b,c\n1,2,3\n4,5,6', ','],
    ['a;b;c\n1,5;2,5;3\n1;2;3', ';'],
    ['a\tb\n1\t2\n3\t4', '\t'],
    ['a|b\n1|2', '|'],
    ['"x, y";b\n"1,2";3\n4;5', ';'],
  ])('%j → %j', (text, delimiter) => {
    expect(detectDelimiter(text)?.delimiter).toBe(delimiter);
  });

  it('finds none in prose', () => {
    expect(detectDelimiter('just some words\nand more words')).toBeUndefined();
  });

  it('finds the table under metadata blocks (Joule)', () => {
    const text = 'Version,Date/Time,Km\n6,2013-02-05 14:06:43,0\nMinutes,Watts,Km,Hrate\n0,321,0,68\n0.01,321,0,68\n0.02,300,0.1,70\n';
    expect(detectDelimiter(text)).toMatchObject({ delimiter: ',', columns: 4 });
  });
});

describe('number formats per column', () => {
  const decide = (values: string[], fallback: '.' | ',' = '.') => {
    const e = emptyEvidence();
    for (const v of values) weighNumber(e, v);
    return decideNumberFormat(e, fallback);
  };
  it('tells decimal comma, decimal point and thousands groups apart', () => {
    expect(decide(['12,5', '13,75'])).toEqual({ decimal: ',', thousands: '.' });
    expect(decide(['12.5', '1,234.5'])).toEqual({ decimal: '.', thousands: ',' });
    expect(decide(['1.234,5'])).toEqual({ decimal: ',', thousands: '.' });
    expect(decide(['1,234,567'])).toEqual({ decimal: '.', thousands: ',' });
    expect(decide(['2,336'], '.')).toEqual({ decimal: '.', thousands: ',' });
    expect(decide(['2,336'], ',')).toEqual({ decimal: ',', thousands: '.' });
    expect(decide(['1 234,5'])).toEqual({ decimal: ',', thousands: ' ' });
  });
  it('parses with a format; missing markers and junk are NaN', () => {
    expect(parseNumber(' 12,5 ', { decimal: ',', thousands: '.' })).toBe(12.5);
    expect(parseNumber('1.234,5', { decimal: ',', thousands: '.' })).toBe(1234.5);
    expect(parseNumber('2,336', { decimal: '.', thousands: ',' })).toBe(2336);
    expect(parseNumber('   0.000', { decimal: '.', thousands: '' })).toBe(0);
    expect(parseNumber('1 234', { decimal: ',', thousands: ' ' })).toBe(1234);
    for (const junk of ['', '--', 'abc', '0x10', '1e999', '12 bpm']) expect(parseNumber(junk, { decimal: '.', thousands: '' })).toBeNaN();
  });
});

describe('dates and times', () => {
  it.each([
    ['2024-05-21T07:00:00Z', 'DMY', '2024-05-21T07:00:00.000Z', 0],
    ['2024-05-21 09:00:00', 'DMY', '2024-05-21T09:00:00.000Z', undefined],
    ['2024/05/21 09:00', 'DMY', '2024-05-21T09:00:00.000Z', undefined],
    ['21.05.2024 09:00:05', 'DMY', '2024-05-21T09:00:05.000Z', undefined],
    ['03-07-2015', 'DMY', '2015-07-03T00:00:00.000Z', undefined],
    ['03-07-2015', 'MDY', '2015-03-07T00:00:00.000Z', undefined],
    ['04/19/2008 12:45:19', 'MDY', '2008-04-19T12:45:19.000Z', undefined],
    ['Jan 2, 2020, 8:15:02 AM', 'DMY', '2020-01-02T08:15:02.000Z', undefined],
    ['Jul 7, 2018, 5:04:11 PM', 'DMY', '2018-07-07T17:04:11.000Z', undefined],
    ['Fr, 25 Mai 2012 20:31', 'DMY', '2012-05-25T20:31:00.000Z', undefined],
    ['25 août 2012 à 20:31', 'DMY', '2012-08-25T20:31:00.000Z', undefined],
    ['2 de enero de 2020 08:15', 'DMY', '2020-01-02T08:15:00.000Z', undefined],
    ['12 mrt 2021 18:00', 'DMY', '2021-03-12T18:00:00.000Z', undefined],
    ['2024-05-21 09:00:00 +02:00', 'DMY', '2024-05-21T09:00:00.000Z', 120],
    ['2024-05-21 09:00:00 UTC', 'DMY', '2024-05-21T09:00:00.000Z', 0],
  ] as const)('%s (%s)', (text, order, wall, offset) => {
    const parsed = parseDateTime(text, order);
    expect(iso(parsed)).toBe(wall);
    expect(parsed?.offsetMinutes).toBe(offset);
  });

  it('rejects what is not a date', () => {
    for (const text of ['31.02.2024', 'hello world', '12:30', '1234', '2024-13-01', 'Foo 2, 2020']) expect(parseDateTime(text)).toBeUndefined();
  });

  it('reads times of day, 12-hour ones too', () => {
    expect(parseTimeOfDay('20:28:42')).toBe((20 * 3600 + 28 * 60 + 42) * 1000);
    expect(parseTimeOfDay('12:05 AM')).toBe(5 * 60 * 1000);
    expect(parseTimeOfDay('1:05:00 pm')).toBe(13 * 3600 * 1000 + 5 * 60 * 1000);
    expect(parseTimeOfDay('25:00')).toBeNaN();
  });

  it('reads durations', () => {
    expect(parseDuration('10:02:34')).toBe(36154);
    expect(parseDuration('65:11')).toBe(3911);
    expect(parseDuration('1:05:11.5')).toBe(3911.5);
    expect(parseDuration('3671')).toBe(3671);
    expect(parseDuration('1,5', 'min', ',')).toBe(90);
    expect(parseDuration('0.01667', 'min')).toBeCloseTo(1.0002, 6);
    expect(parseDuration('1h 05m 11s')).toBe(3911);
    expect(parseDuration('1.02:00:00')).toBe(26 * 3600);
    for (const bad of ['', 'abc', '1:99', '-5']) expect(parseDuration(bad)).toBeNaN();
  });

  it('decides the order of numeric dates from the values, else from the separator', () => {
    expect(decideDateOrder(['13.02.2020', '01.02.2020'])).toEqual({ order: 'DMY', assumed: false });
    expect(decideDateOrder(['02/13/2020'])).toEqual({ order: 'MDY', assumed: false });
    expect(decideDateOrder(['03-07-2015'])).toEqual({ order: 'DMY', assumed: true });
    expect(decideDateOrder(['03/07/2015'])).toEqual({ order: 'MDY', assumed: true });
    expect(decideDateOrder(['03/07/2015'], undefined, false)).toEqual({ order: 'DMY', assumed: true });
    expect(decideDateOrder(['03/07/2015'], 'DMY')).toEqual({ order: 'DMY', assumed: false });
    expect(decideDateOrder(['2015-07-03'])).toEqual({ order: 'YMD', assumed: false });
  });

  it('reads a date and time from a file name', () => {
    expect(dateTimeFromFileName('gc__2009_08_04_06_22_50.CSV')).toMatchObject({ hasTime: true, text: '2009-08-04 06:22:50' });
    expect(dateTimeFromFileName('John_Doe_2015-07-03_20-28-42.csv')).toMatchObject({ hasTime: true, text: '2015-07-03 20:28:42' });
    expect(dateTimeFromFileName('dir/RP3_2016-03-27_09-23-29.csv')).toMatchObject({ hasTime: true });
    expect(dateTimeFromFileName('wattbike_20110430.txt')).toMatchObject({ hasTime: false, text: '2011-04-30' });
    expect(dateTimeFromFileName('activity_1234567890123.csv')).toBeUndefined();
    expect(dateTimeFromFileName(undefined)).toBeUndefined();
  });
});
