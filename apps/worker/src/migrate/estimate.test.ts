import { describe, expect, it } from 'vitest';
import { DAY_MS, estimateFinish, formatEta } from './estimate.js';

const MIDNIGHT = Date.UTC(2026, 9, 20);
const HOUR = 3_600_000;

describe('estimateFinish', () => {
  it('20,000 files × 1.1 requests at 5000/day, fast uploads: the quota decides, about 4 days', () => {
    const e = estimateFinish({ remainingFiles: 20_000, requestsPerFile: 1.1, quotaLeftToday: 5000, dailyLimit: 5000, resetAt: MIDNIGHT + DAY_MS, now: MIDNIGHT, filesPerSecond: 10 / 1.1 });
    expect(e.limitedBy).toBe('quota');
    expect(e.requests).toBeCloseTo(22_000, 6);
    // 5000 today, 5000 on each of the next three days, the last 2000 in 200 s on the fifth.
    expect(e.finishAt).toBeCloseTo(MIDNIGHT + 4 * DAY_MS + 200_000, -1);
    expect(e.days).toBeCloseTo(4 + 200 / 86_400, 6);
    expect(formatEta((e.finishAt as number) - MIDNIGHT)).toBe('4 days');
  });

  it('the same work with a slow rate (4320 requests a day) is limited by the rate, not the quota', () => {
    const e = estimateFinish({ remainingFiles: 20_000, requestsPerFile: 1.1, quotaLeftToday: 5000, dailyLimit: 5000, resetAt: MIDNIGHT + DAY_MS, now: MIDNIGHT, filesPerSecond: 0.05 / 1.1 });
    expect(e.limitedBy).toBe('rate');
    expect(e.finishAt).toBeCloseTo(MIDNIGHT + 440_000_000, -2);
  });

  it('work that fits today\'s quota finishes at the observed rate', () => {
    const now = MIDNIGHT + 10 * HOUR;
    const e = estimateFinish({ remainingFiles: 600, requestsPerFile: 1, quotaLeftToday: 4000, dailyLimit: 5000, resetAt: MIDNIGHT + DAY_MS, now, filesPerSecond: 2 });
    expect(e).toEqual({ finishAt: now + 300_000, days: 300_000 / DAY_MS, limitedBy: 'rate', requests: 600 });
  });

  it('when today\'s quota is spent, the work waits for the reset: limited by the quota', () => {
    const now = MIDNIGHT + 22 * HOUR;
    const e = estimateFinish({ remainingFiles: 100, requestsPerFile: 1, quotaLeftToday: 0, dailyLimit: 5000, resetAt: MIDNIGHT + DAY_MS, now, filesPerSecond: 1 });
    expect(e.limitedBy).toBe('quota');
    expect(e.finishAt).toBe(MIDNIGHT + DAY_MS + 100_000);
  });

  it('without a measured rate: unknown while today\'s quota suffices, else the start of the last quota day', () => {
    const now = MIDNIGHT + 10 * HOUR;
    const base = { requestsPerFile: 1, quotaLeftToday: 1000, dailyLimit: 5000, resetAt: MIDNIGHT + DAY_MS, now };
    expect(estimateFinish({ ...base, remainingFiles: 1000 })).toEqual({ limitedBy: 'unknown', requests: 1000 });
    expect(estimateFinish({ ...base, remainingFiles: 1000, filesPerSecond: 0 })).toEqual({ limitedBy: 'unknown', requests: 1000 });
    const e = estimateFinish({ ...base, remainingFiles: 12_000 });
    // 1000 today, 5000 tomorrow, 5000 the day after, the last 1000 on the third day after the reset.
    expect(e).toMatchObject({ limitedBy: 'quota', finishAt: MIDNIGHT + 3 * DAY_MS, requests: 12_000 });
    expect(e.days).toBeCloseTo((3 * DAY_MS - 10 * HOUR) / DAY_MS, 9);
  });

  it('a reset time in the past counts as a fresh day', () => {
    const now = MIDNIGHT + 2 * HOUR;
    const e = estimateFinish({ remainingFiles: 6000, requestsPerFile: 1, quotaLeftToday: 0, dailyLimit: 5000, resetAt: MIDNIGHT, now });
    // A full quota now (5000), the rest after the next midnight.
    expect(e).toMatchObject({ limitedBy: 'quota', finishAt: MIDNIGHT + DAY_MS });
  });

  it('nothing left: done now', () => {
    expect(estimateFinish({ remainingFiles: 0, requestsPerFile: 1, quotaLeftToday: 0, dailyLimit: 5000, resetAt: MIDNIGHT, now: MIDNIGHT })).toEqual({ finishAt: MIDNIGHT, days: 0, limitedBy: 'rate', requests: 0 });
  });

  it('rejects impossible inputs with one message form', () => {
    const base = { remainingFiles: 1, requestsPerFile: 1, quotaLeftToday: 0, dailyLimit: 5000, resetAt: MIDNIGHT, now: MIDNIGHT };
    expect(() => estimateFinish({ ...base, remainingFiles: -1 })).toThrow('[migrate] estimateFinish: `remainingFiles` must be a number ≥ 0, got -1');
    expect(() => estimateFinish({ ...base, requestsPerFile: 0 })).toThrow('`requestsPerFile` must be a number > 0');
    expect(() => estimateFinish({ ...base, dailyLimit: 0 })).toThrow('`dailyLimit` must be a number > 0');
    expect(() => estimateFinish({ ...base, resetAt: Number.NaN })).toThrow(RangeError);
  });
});

describe('formatEta', () => {
  it.each([
    [0, '0 s'],
    [-5, '0 s'],
    [400, '1 s'],
    [12_000, '12 s'],
    [58_100, '59 s'],
    [59_400, '1 min'],
    [4 * 60_000 + 10_000, '4 min'],
    [59 * 60_000 + 40_000, '1 h'],
    [2 * HOUR + 10 * 60_000, '2 h 10 min'],
    [23 * HOUR + 59 * 60_000 + 50_000, '1 day'],
    [29 * HOUR, '1 day 5 h'],
    [47 * HOUR + 40 * 60_000, '2 days'],
    [3 * DAY_MS, '3 days'],
    [4.4 * DAY_MS, '4 days'],
    [Number.NaN, 'unknown'],
    [Infinity, 'unknown'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatEta(ms)).toBe(text);
  });
});
