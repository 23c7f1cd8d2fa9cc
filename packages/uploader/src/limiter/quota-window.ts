/**
 * The quota day as a window of instants [start, end), epoch milliseconds.
 *
 * Real days (`daySeconds` 86,400, the default): the account's local calendar day. It opens at the
 * first instant of the local date and closes at the first instant of the next one (optimo-api.md
 * 2.5), so a daylight-saving day lasts 23 or 25 hours, and where midnight itself is skipped the
 * day opens at 01:00. Test days (any other `daySeconds`, like the sandbox's `--day-seconds`): the
 * windows are [k·N, (k+1)·N) seconds since 1970-01-01T00:00:00Z, whatever the zone.
 */
import { formatLocalDate, parseLocalDateTime } from '@optimo-import/workout';

export const REAL_DAY_SECONDS = 86_400;

export interface QuotaWindow {
  /** Epoch ms of the window's first instant. */
  start: number;
  /** Epoch ms of the next window's first instant: the reset. */
  end: number;
}

function nextDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(0);
  next.setUTCFullYear(year, month - 1, day + 1);
  const y = String(next.getUTCFullYear()).padStart(4, '0');
  const m = String(next.getUTCMonth() + 1).padStart(2, '0');
  const d = String(next.getUTCDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

function firstInstantOf(date: string, timeZone: string): number {
  const instant = parseLocalDateTime(date, timeZone);
  if (instant === undefined) throw new RangeError(`[limiter] cannot read the local date ${date} in ${timeZone}`);
  return instant;
}

/** The quota window holding the instant `epochMs`. */
export function quotaWindowAt(epochMs: number, timeZone: string, daySeconds: number = REAL_DAY_SECONDS): QuotaWindow {
  if (daySeconds !== REAL_DAY_SECONDS) {
    const length = daySeconds * 1000;
    const start = Math.floor(epochMs / length) * length;
    return { start, end: start + length };
  }
  const date = formatLocalDate(epochMs, timeZone);
  return { start: firstInstantOf(date, timeZone), end: firstInstantOf(nextDate(date), timeZone) };
}

/** A window and the one after it: what the Redis script needs to roll over on its own clock. */
export interface WindowPair {
  current: QuotaWindow;
  next: QuotaWindow;
}

/**
 * `quotaWindowAt` with a one-day cache: the local-day arithmetic (a few Intl calls) runs once a
 * day, not once per token.
 */
export function createWindowFinder(timeZone: string, daySeconds: number): (epochMs: number) => WindowPair {
  let cached: WindowPair | undefined;
  return (epochMs) => {
    if (cached !== undefined && epochMs >= cached.current.start && epochMs < cached.current.end) return cached;
    if (cached !== undefined && epochMs >= cached.next.start && epochMs < cached.next.end) {
      cached = { current: cached.next, next: quotaWindowAt(cached.next.end, timeZone, daySeconds) };
      return cached;
    }
    const current = quotaWindowAt(epochMs, timeZone, daySeconds);
    cached = { current, next: quotaWindowAt(current.end, timeZone, daySeconds) };
    return cached;
  };
}

/**
 * The window a `system.current` answer speaks about. Its `resets_in` is rounded up to whole
 * seconds, so the server's reset lies in (now + resets_in − 1 s, now + resets_in]; the window whose
 * end is nearest the middle of that second is the one, and `distance` says how far its end is
 * from it (a wrong zone or clock shows as hours).
 */
export function windowOfAnswer(nowMs: number, resetsInSeconds: number, timeZone: string, daySeconds: number): { window: QuotaWindow; distance: number } {
  const reset = nowMs + resetsInSeconds * 1000 - 500;
  const containing = quotaWindowAt(reset, timeZone, daySeconds);
  const previous = quotaWindowAt(containing.start - 1, timeZone, daySeconds);
  const toContaining = Math.abs(containing.end - reset);
  const toPrevious = Math.abs(previous.end - reset);
  return toPrevious <= toContaining ? { window: previous, distance: toPrevious } : { window: containing, distance: toContaining };
}
