import { describe, expect, it } from 'vitest';
import { escapeXml, formatNumber, hasForbiddenCharacters, removeForbiddenCharacters, requestXml, utf8Length } from './xml-write.js';
import { readXml } from './xml-read.js';

describe('escapeXml', () => {
  it('escapes the five markup characters', () => {
    expect(escapeXml(`Tempo & strides <fast> "quoted" 'single'`)).toBe('Tempo &amp; strides &lt;fast&gt; &quot;quoted&quot; &apos;single&apos;');
  });

  it('keeps emoji, accents and other scripts as they are', () => {
    expect(escapeXml('Läuft 🏃‍♀️🚴 自転車 👍🏽')).toBe('Läuft 🏃‍♀️🚴 自転車 👍🏽');
  });

  it('removes the control characters XML 1.0 forbids, keeps tab and LF, and writes CR as a reference', () => {
    const text = 'a\u0000b\u0001c\u0008d\u000Be\u000Cf\u000Eg\u001Fh\ti\nj\rk\uFFFEl\uFFFFm';
    expect(escapeXml(text)).toBe('abcdefgh\ti\nj&#13;klm');
    expect(hasForbiddenCharacters(text)).toBe(true);
    expect(hasForbiddenCharacters('fine\ttext\n')).toBe(false);
  });

  it('removes lone surrogates but keeps pairs', () => {
    expect(removeForbiddenCharacters('a\uD83Db\uDE00c\uD83D\uDE00')).toBe('abc😀');
  });

  it('keeps C1 controls and DEL, which XML 1.0 allows', () => {
    expect(escapeXml('a\u007Fb\u0085c')).toBe('a\u007Fb\u0085c');
  });

  it('survives a round trip through the reader, CRLF included', () => {
    const text = `A & B < C > D "E" 'F' 🏔️\r\nline two\tend`;
    const parsed = readXml(`<x>${escapeXml(text)}</x>`);
    expect(parsed.ok && parsed.root.text).toBe(text);
  });
});

describe('formatNumber', () => {
  it.each([
    [0, 3, '0'],
    [-0, 3, '0'],
    [-0.0001, 3, '0'],
    [-0.0004, 3, '0'],
    [-0.0005, 2, '0'],
    [1, 3, '1'],
    [1.5, 0, '2'],
    [2.5, 0, '3'],
    [10012.5, 2, '10012.5'],
    [3.14159265, 3, '3.142'],
    [38.72231234567, 7, '38.7223123'],
    [-9.13934999999, 7, '-9.13935'],
    [1e-7, 7, '0.0000001'],
    [1e-8, 7, '0'],
    [5e-7, 3, '0'],
    [123456789012345680000, 2, '123456789012345683968'], // the double's exact value,
    [1e21, 2, '1000000000000000000000'],
    [-2e22, 1, '-20000000000000000000000'],
    [100.0, 1, '100'],
    [148.04999, 1, '148'],
    [0.1 + 0.2, 3, '0.3'],
    [-3.25, 1, '-3.3'],
  ])('%d to %d decimals → %s', (value, decimals, text) => {
    expect(formatNumber(value, decimals)).toBe(text);
  });

  it('never writes an exponent', () => {
    for (const value of [1e-300, 1e-10, 1.23e-5, 9.99e20, 1e21, 1.7976931348623157e308, -4.9e-324]) {
      for (const decimals of [0, 1, 3, 7]) expect(formatNumber(value, decimals)).not.toMatch(/e/i);
    }
  });

  it('rounds like the decimal it writes, for many magnitudes (property)', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 20_000; i++) {
      const decimals = Math.floor(random() * 8);
      const value = (random() - 0.3) * 10 ** Math.floor(random() * 14 - 6);
      const text = formatNumber(value, decimals) as string;
      expect(text).toMatch(/^-?\d+(\.\d*[1-9])?$/);
      expect(text).not.toBe('-0');
      expect(text.split('.')[1]?.length ?? 0).toBeLessThanOrEqual(decimals);
      expect(Math.abs(Number(text) - value)).toBeLessThanOrEqual(0.5 * 10 ** -decimals * (1 + 1e-9) + Math.abs(value) * 1e-15);
    }
  });

  it('gives undefined for values that are not finite', () => {
    expect(formatNumber(Number.NaN, 2)).toBeUndefined();
    expect(formatNumber(Number.POSITIVE_INFINITY, 2)).toBeUndefined();
    expect(formatNumber(Number.NEGATIVE_INFINITY, 2)).toBeUndefined();
  });
});

describe('request envelope and sizes', () => {
  it('writes the declaration and the method', () => {
    expect(requestXml('system.current', '')).toBe('<?xml version="1.0" encoding="utf-8"?><request method="system.current"></request>');
  });

  it('measures UTF-8 bytes like Buffer.byteLength', () => {
    for (const text of ['', 'ascii', 'Läuft', '自転車', '🏃‍♀️🚴👍🏽', 'x\uD83Dy']) {
      expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });
});
