import { describe, expect, it } from 'vitest';
import { formatLocal, isValidTimeZone, nextLocalMidnight, parseLocalDateTime, resolveLocal, startOfLocalDay } from './local-time.js';

function resolve(zone: string, text: string): { utc: string; text: string; shifted: boolean } {
  const local = parseLocalDateTime(text);
  if (local === undefined) throw new Error(`bad test input ${text}`);
  const resolved = resolveLocal(zone, local);
  return { utc: new Date(resolved.utcMs).toISOString(), text: resolved.text, shifted: resolved.shifted };
}

describe('local time rules (optimo-api.md 2.5)', () => {
  it('reads ordinary wall-clock times with the offset in force', () => {
    expect(resolve('Europe/Lisbon', '2026-01-15 10:00:00')).toEqual({ utc: '2026-01-15T10:00:00.000Z', text: '2026-01-15 10:00:00', shifted: false });
    expect(resolve('Europe/Lisbon', '2026-07-15 10:00:00').utc).toBe('2026-07-15T09:00:00.000Z');
    expect(resolve('Asia/Kolkata', '2026-07-15 10:00:00').utc).toBe('2026-07-15T04:30:00.000Z');
    expect(resolve('UTC', '2026-07-15 10:00:00').utc).toBe('2026-07-15T10:00:00.000Z');
  });

  it('a repeated hour (autumn) means its first occurrence', () => {
    expect(resolve('Europe/Lisbon', '2026-10-25 01:30:00').utc).toBe('2026-10-25T00:30:00.000Z');
    expect(resolve('America/New_York', '2026-11-01 01:15:00').utc).toBe('2026-11-01T05:15:00.000Z');
  });

  it('a skipped hour (spring) moves forward by the gap', () => {
    expect(resolve('Europe/Lisbon', '2026-03-29 01:30:00')).toEqual({ utc: '2026-03-29T01:30:00.000Z', text: '2026-03-29 02:30:00', shifted: true });
    expect(resolve('America/New_York', '2026-03-08 02:00:00')).toEqual({ utc: '2026-03-08T07:00:00.000Z', text: '2026-03-08 03:00:00', shifted: true });
    // Lord Howe's gap is 30 minutes.
    expect(resolve('Australia/Lord_Howe', '2026-10-04 02:10:00').text).toBe('2026-10-04 02:40:00');
  });

  it('days start at their first instant, and last 23 or 25 hours around the changes', () => {
    const at = (iso: string) => Date.parse(iso);
    expect(new Date(startOfLocalDay('Europe/Lisbon', at('2026-03-29T12:00:00Z'))).toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(new Date(nextLocalMidnight('Europe/Lisbon', at('2026-03-29T12:00:00Z'))).toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(new Date(nextLocalMidnight('Europe/Lisbon', at('2026-10-25T12:00:00Z'))).toISOString()).toBe('2026-10-26T00:00:00.000Z');
    // Santiago skips 00:00-01:00 on 2026-09-06: the date starts at 01:00 local.
    expect(new Date(startOfLocalDay('America/Santiago', at('2026-09-06T12:00:00Z'))).toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });

  it('formats instants in the zone and rejects impossible input', () => {
    expect(formatLocal('Europe/Lisbon', Date.parse('2026-10-25T01:30:00Z'))).toBe('2026-10-25 01:30:00');
    for (const bad of ['2026-02-29 10:00:00', '2026-13-01 00:00:00', '2026-01-01 24:00:00', '2026-01-01T10:00:00', '2026-1-1 10:00:00', '2026-01-01 10:00']) {
      expect(parseLocalDateTime(bad), bad).toBeUndefined();
    }
    expect(parseLocalDateTime('2028-02-29 23:59:59')).toBeDefined();
    expect(isValidTimeZone('Europe/Lisbon')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
