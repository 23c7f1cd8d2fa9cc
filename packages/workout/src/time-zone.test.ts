import { describe, expect, it } from 'vitest';
import { formatLocalDate, formatLocalDateTime, isLocalDate, isLocalDateTime, isTimeZone, offsetAt, parseLocalDateTime, wallToUtc } from './time-zone.js';

const utc = (iso: string): number => Date.parse(iso);

describe('formatLocalDateTime (UTC → local wall clock)', () => {
  it.each([
    ['UTC', '2024-05-01T07:00:00Z', '2024-05-01 07:00:00'],
    ['Europe/Berlin', '2024-01-15T12:00:00Z', '2024-01-15 13:00:00'],
    ['Europe/Berlin', '2024-07-15T12:00:00Z', '2024-07-15 14:00:00'],
    // Berlin spring: 02:00 CET becomes 03:00 CEST at 01:00Z.
    ['Europe/Berlin', '2024-03-31T00:59:59Z', '2024-03-31 01:59:59'],
    ['Europe/Berlin', '2024-03-31T01:00:00Z', '2024-03-31 03:00:00'],
    // Berlin autumn: 02:30 happens twice.
    ['Europe/Berlin', '2024-10-27T00:30:00Z', '2024-10-27 02:30:00'],
    ['Europe/Berlin', '2024-10-27T01:30:00Z', '2024-10-27 02:30:00'],
    ['America/New_York', '2024-03-10T06:59:59Z', '2024-03-10 01:59:59'],
    ['America/New_York', '2024-03-10T07:00:00Z', '2024-03-10 03:00:00'],
    ['America/New_York', '2024-11-03T05:30:00Z', '2024-11-03 01:30:00'],
    ['America/New_York', '2024-11-03T06:30:00Z', '2024-11-03 01:30:00'],
    // Lord Howe moves by 30 minutes: +10:30 → +11:00 on 2024-10-06 at 02:00.
    ['Australia/Lord_Howe', '2024-10-05T15:29:00Z', '2024-10-06 01:59:00'],
    ['Australia/Lord_Howe', '2024-10-05T15:30:00Z', '2024-10-06 02:30:00'],
    ['Australia/Lord_Howe', '2024-04-06T14:45:00Z', '2024-04-07 01:45:00'],
    ['Australia/Lord_Howe', '2024-04-06T15:15:00Z', '2024-04-07 01:45:00'],
    ['Asia/Kathmandu', '2024-05-01T00:00:00Z', '2024-05-01 05:45:00'],
  ])('%s %s → %s', (zone, iso, local) => {
    expect(formatLocalDateTime(utc(iso), zone)).toBe(local);
  });

  it('drops milliseconds (floors, also before 1970)', () => {
    expect(formatLocalDateTime(utc('2024-05-01T07:00:00.999Z'), 'UTC')).toBe('2024-05-01 07:00:00');
    expect(formatLocalDateTime(utc('1969-12-31T23:59:59.500Z'), 'UTC')).toBe('1969-12-31 23:59:59');
  });

  it('pads years below 1000 and gives the local date', () => {
    expect(formatLocalDateTime(Date.UTC(999, 0, 2, 3, 4, 5), 'UTC')).toBe('0999-01-02 03:04:05');
    expect(formatLocalDate(utc('2024-12-31T23:30:00Z'), 'Europe/Berlin')).toBe('2025-01-01');
  });
});

describe('parseLocalDateTime (local wall clock → UTC, contract 2.5)', () => {
  it.each([
    ['UTC', '2024-05-01 07:00:00', '2024-05-01T07:00:00Z'],
    ['Europe/Berlin', '2024-01-15 13:00:00', '2024-01-15T12:00:00Z'],
    ['Europe/Berlin', '2024-07-15 14:00:00', '2024-07-15T12:00:00Z'],
    // Repeated autumn hour: the first occurrence (still summer time).
    ['Europe/Berlin', '2024-10-27 02:30:00', '2024-10-27T00:30:00Z'],
    ['Europe/Berlin', '2024-10-27 03:00:00', '2024-10-27T02:00:00Z'],
    // Skipped spring hour: moved forward by the gap (02:30 → 03:30 CEST).
    ['Europe/Berlin', '2024-03-31 02:30:00', '2024-03-31T01:30:00Z'],
    ['Europe/Berlin', '2024-03-31 02:00:00', '2024-03-31T01:00:00Z'],
    ['Europe/Berlin', '2024-03-31 03:00:00', '2024-03-31T01:00:00Z'],
    ['America/New_York', '2024-03-10 02:30:00', '2024-03-10T07:30:00Z'],
    ['America/New_York', '2024-11-03 01:30:00', '2024-11-03T05:30:00Z'],
    ['America/New_York', '2024-11-03 02:30:00', '2024-11-03T07:30:00Z'],
    // Lord Howe: a 30-minute gap and a 30-minute repeat.
    ['Australia/Lord_Howe', '2024-10-06 02:15:00', '2024-10-05T15:45:00Z'],
    ['Australia/Lord_Howe', '2024-10-06 02:30:00', '2024-10-05T15:30:00Z'],
    ['Australia/Lord_Howe', '2024-04-07 01:45:00', '2024-04-06T14:45:00Z'],
    ['Australia/Lord_Howe', '2024-04-07 02:00:00', '2024-04-06T15:30:00Z'],
  ])('%s %s → %s', (zone, local, iso) => {
    expect(new Date(parseLocalDateTime(local, zone) as number).toISOString()).toBe(new Date(iso).toISOString());
  });

  it('a gap time lands on the wall clock moved forward by the gap', () => {
    expect(formatLocalDateTime(parseLocalDateTime('2024-03-31 02:30:00', 'Europe/Berlin') as number, 'Europe/Berlin')).toBe('2024-03-31 03:30:00');
    expect(formatLocalDateTime(parseLocalDateTime('2024-10-06 02:15:00', 'Australia/Lord_Howe') as number, 'Australia/Lord_Howe')).toBe('2024-10-06 02:45:00');
  });

  it('reads a date alone as local midnight and refuses malformed text', () => {
    expect(parseLocalDateTime('2024-05-01', 'Europe/Berlin')).toBe(utc('2024-04-30T22:00:00Z'));
    for (const bad of ['', '2024-13-01 00:00:00', '2023-02-29 00:00:00', '2024-05-01 24:00:00', '2024-05-01T07:00:00Z', 'yesterday']) {
      expect(parseLocalDateTime(bad, 'UTC'), bad).toBeUndefined();
    }
    expect(parseLocalDateTime('2024-02-29 00:00:00', 'UTC')).toBe(utc('2024-02-29T00:00:00Z'));
  });

  it.each(['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago'])(
    'round-trips every 15 minutes of 2024 in %s (second occurrences map to the first)',
    (zone) => {
      const start = utc('2024-01-01T00:00:00Z');
      for (let t = start; t < start + 366 * 86_400_000; t += 900_000) {
        const local = formatLocalDateTime(t, zone);
        const back = parseLocalDateTime(local, zone) as number;
        expect(formatLocalDateTime(back, zone)).toBe(local);
        if (back !== t) {
          // Only a repeated hour may read back earlier, and only by the size of the repeat.
          expect(back).toBeLessThan(t);
          expect(t - back).toBeLessThanOrEqual(3_600_000);
          expect(offsetAt(back, zone)).toBeGreaterThan(offsetAt(t, zone));
        }
      }
    },
  );
});

describe('time zone checks', () => {
  it('knows IANA zones through Intl', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isTimeZone(' Europe/Berlin')).toBe(false);
    expect(isTimeZone(42)).toBe(false);
  });

  it('throws RangeError in the one message form', () => {
  });

  it('checks date and date-time text', () => {
    expect(isLocalDate('2024-05-01')).toBe(true);
    expect(isLocalDate('2024-5-1')).toBe(false);
    expect(isLocalDateTime('2024-05-01 07:00:00')).toBe(true);
    expect(isLocalDateTime('2024-05-01T07:00:00')).toBe(false);
  });
});

describe('wallToUtc (wall clock as epoch ms → UTC)', () => {
  it('keeps milliseconds and follows the repeated/skipped hour rules', () => {
    expect(wallToUtc(Date.UTC(2024, 6, 15, 14, 0, 0, 250), 'Europe/Berlin')).toBe(Date.UTC(2024, 6, 15, 12, 0, 0, 250));
    expect(wallToUtc(Date.UTC(2024, 9, 27, 2, 30), 'Europe/Berlin')).toBe(Date.UTC(2024, 9, 27, 0, 30));
    expect(wallToUtc(Date.UTC(2024, 2, 31, 2, 30), 'Europe/Berlin')).toBe(Date.UTC(2024, 2, 31, 1, 30));
    expect(wallToUtc(Date.UTC(2024, 2, 31, 2, 30), 'UTC')).toBe(Date.UTC(2024, 2, 31, 2, 30));
  });
});
