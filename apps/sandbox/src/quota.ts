import { nextLocalMidnight, startOfLocalDay } from './local-time.js';

/**
 * The quota day (optimo-api.md 2.2, 2.5): a fixed window, not a sliding one. Every counted request
 * of the window adds one; at the window's end the count starts again from zero, whatever was used.
 *
 * With the real day length (86,400 s) the window is the account's local calendar day: it opens at
 * the first instant of the local date and closes at the first instant of the next one, so a day
 * with a daylight-saving change lasts 23 or 25 hours. Worked example, Europe/Lisbon, limit 5000:
 * 4,999 requests by 2026-03-28 23:59:59 WET leave one; the window closes at 2026-03-29 00:00 WET
 * (00:00Z), the 23-hour day that follows closes at 2026-03-30 00:00 WEST (2026-03-29 23:00Z).
 *
 * With a shortened day (`daySeconds` other than 86,400, for tests) the windows are
 * [k × daySeconds, (k + 1) × daySeconds) seconds since 1970-01-01T00:00:00Z, whatever the zone:
 * with daySeconds 60 the count resets at every whole UTC minute.
 */
export const REAL_DAY_SECONDS = 86_400;

export interface QuotaWindow {
  /** Epoch milliseconds of the window's first instant. */
  start: number;
  /** Epoch milliseconds of the next window's first instant (the reset). */
  end: number;
}

export function quotaWindowAt(utcMs: number, timeZone: string, daySeconds: number): QuotaWindow {
  if (daySeconds === REAL_DAY_SECONDS) {
    return { start: startOfLocalDay(timeZone, utcMs), end: nextLocalMidnight(timeZone, utcMs) };
  }
  const length = daySeconds * 1000;
  const start = Math.floor(utcMs / length) * length;
  return { start, end: start + length };
}

/** Whole seconds until the reset, rounded up, at least 1: the `Retry-After` and `resets_in` value. */
export function secondsUntilReset(window: QuotaWindow, utcMs: number): number {
  return Math.max(1, Math.ceil((window.end - utcMs) / 1000));
}
