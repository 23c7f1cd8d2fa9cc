/** Time helpers shared by the parsers: ISO-8601 parsing; zone arithmetic from @optimo-import/workout. */
import { isTimeZone, offsetAt, wallToUtc } from '@optimo-import/workout';

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  return isTimeZone(timeZone);
}

/** Minutes east of UTC in `timeZone` at the instant `epochMs`. */
export function offsetMinutesAt(epochMs: number, timeZone: string): number {
  return Math.round(offsetAt(epochMs, timeZone) / 60000);
}

/**
 * The UTC instant of a local wall-clock time (given as if it were UTC, epoch ms) in `timeZone`.
 * A time in a repeated hour means its first occurrence; a time in a skipped hour is moved
 * forward by the gap (the rules in ../shared/optimo-api.md 2.5).
 */
export function localToUtc(localAsUtcMs: number, timeZone: string): number {
  return wallToUtc(localAsUtcMs, timeZone);
}

const ISO = /^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i;

export interface ParsedTime {
  /** Epoch ms of the wall-clock time read as if it were UTC. */
  localAsUtcMs: number;
  /** Minutes east of UTC when the text states a zone (`Z` is 0). */
  offsetMinutes?: number;
}

/** Parses ISO-8601 date-times (`T` or space, fractions, `Z`, `+hh:mm`, `+hhmm`, `+hh`). */
export function parseIsoDateTime(text: string): ParsedTime | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s ? Number(s) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return undefined;
  const localAsUtcMs = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms);
  if (!Number.isFinite(localAsUtcMs)) return undefined;
  if (zone === undefined) return { localAsUtcMs };
  if (zone.toUpperCase() === 'Z') return { localAsUtcMs, offsetMinutes: 0 };
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  return { localAsUtcMs, offsetMinutes };
}

/** Epoch ms UTC of a parsed time: its own zone when stated, else `timeZone`. */
export function toUtc(parsed: ParsedTime, timeZone = 'UTC'): number {
  if (parsed.offsetMinutes !== undefined) return parsed.localAsUtcMs - parsed.offsetMinutes * 60000;
  return localToUtc(parsed.localAsUtcMs, timeZone);
}
