import { describe, expect, it } from 'vitest';
import { isValidTimeZone, localToUtc, offsetMinutesAt, parseIsoDateTime, toUtc } from './time.js';

describe('parseIsoDateTime', () => {
  it('reads Z, offsets, fractions and naive times', () => {
    expect(parseIsoDateTime('2021-02-28T11:16:59.745Z')).toEqual({ localAsUtcMs: Date.UTC(2021, 1, 28, 11, 16, 59, 745), offsetMinutes: 0 });
    expect(parseIsoDateTime('2021-02-28T11:16:59+01:00')?.offsetMinutes).toBe(60);
    expect(parseIsoDateTime('2021-02-28 11:16:59-0530')?.offsetMinutes).toBe(-330);
    expect(parseIsoDateTime(' 2021-02-28T11:16:59 ')).toEqual({ localAsUtcMs: Date.UTC(2021, 1, 28, 11, 16, 59) });
    expect(toUtc(parseIsoDateTime('2021-02-28T11:16:59+01:00')!)).toBe(Date.UTC(2021, 1, 28, 10, 16, 59));
  });
  it('refuses what is not a date-time', () => {
    expect(parseIsoDateTime('yesterday')).toBeUndefined();
    expect(parseIsoDateTime('2021-13-01T00:00:00Z')).toBeUndefined();
  });
});

describe('time zones', () => {
  it('knows IANA zones', () => {
    expect(isValidTimeZone('Europe/Lisbon')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
  it('gives offsets with daylight saving', () => {
    expect(offsetMinutesAt(Date.UTC(2024, 0, 15, 12), 'Europe/Berlin')).toBe(60);
    expect(offsetMinutesAt(Date.UTC(2024, 6, 15, 12), 'Europe/Berlin')).toBe(120);
    expect(offsetMinutesAt(Date.UTC(2024, 6, 15, 12), 'Australia/Brisbane')).toBe(600);
    expect(offsetMinutesAt(Date.UTC(2024, 6, 15, 12), 'Asia/Kolkata')).toBe(330);
  });
  it('turns local wall-clock time into UTC, first occurrence in a repeated hour, forward in a skipped one', () => {
    expect(localToUtc(Date.UTC(2024, 6, 15, 14, 0), 'Europe/Berlin')).toBe(Date.UTC(2024, 6, 15, 12, 0));
    // 2024-10-27 02:30 happens twice in Berlin: the first is 00:30Z (CEST).
    expect(localToUtc(Date.UTC(2024, 9, 27, 2, 30), 'Europe/Berlin')).toBe(Date.UTC(2024, 9, 27, 0, 30));
    // 2024-03-31 02:30 does not exist in Berlin: moved forward by the hour, to 03:30 CEST = 01:30Z.
    expect(localToUtc(Date.UTC(2024, 2, 31, 2, 30), 'Europe/Berlin')).toBe(Date.UTC(2024, 2, 31, 1, 30));
    expect(localToUtc(Date.UTC(2024, 2, 31, 2, 30), 'UTC')).toBe(Date.UTC(2024, 2, 31, 2, 30));
  });
});
