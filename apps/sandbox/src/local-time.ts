/**
 * Wall-clock time in an IANA zone, with the contract's rules (optimo-api.md 2.5):
 * - a local time in a repeated hour (autumn) means its first occurrence;
 * - a local time in a skipped hour (spring) is moved forward by the length of the gap;
 * - a local day starts at the first instant of its local date.
 * Only Intl is used: no time-zone data of our own, no Date parsing of strings.
 */

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface ResolvedLocalTime {
  /** The instant, epoch milliseconds. */
  utcMs: number;
  /** The wall-clock text it stands for, `YYYY-MM-DD HH:MM:SS` (moved forward out of a gap). */
  text: string;
  /** True when the time fell in a skipped hour and was moved forward. */
  shifted: boolean;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      era: 'short',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** True when Intl knows the IANA zone name. */
export function isValidTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of an instant in a zone (seconds precision). */
export function localPartsAt(zone: string, utcMs: number): LocalDateTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(Math.floor(utcMs / 1000) * 1000))) parts[part.type] = part.value;
  const year = Number(parts.year);
  return {
    year: parts.era === 'BC' || parts.era === 'B' ? 1 - year : year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Epoch milliseconds of the wall-clock fields read as if they were UTC. */
function wallAsUtc(local: LocalDateTime): number {
  const date = new Date(0);
  date.setUTCFullYear(local.year, local.month - 1, local.day);
  date.setUTCHours(local.hour, local.minute, local.second, 0);
  return date.getTime();
}

/** The zone's offset from UTC at an instant, in milliseconds (wall minus UTC). */
export function offsetMsAt(zone: string, utcMs: number): number {
  const whole = Math.floor(utcMs / 1000) * 1000;
  return wallAsUtc(localPartsAt(zone, whole)) - whole;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function formatLocalDateTime(local: LocalDateTime): string {
  return `${pad(local.year, 4)}-${pad(local.month, 2)}-${pad(local.day, 2)} ${pad(local.hour, 2)}:${pad(local.minute, 2)}:${pad(local.second, 2)}`;
}

/** `YYYY-MM-DD HH:MM:SS` of an instant in a zone. */
export function formatLocal(zone: string, utcMs: number): string {
  return formatLocalDateTime(localPartsAt(zone, utcMs));
}

/** `YYYY-MM-DD` of an instant in a zone. */
export function localDateOf(zone: string, utcMs: number): string {
  return formatLocal(zone, utcMs).slice(0, 10);
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Reads `YYYY-MM-DD HH:MM:SS`; undefined unless it is that shape and a real calendar time. */
export function parseLocalDateTime(text: string): LocalDateTime | undefined {
  const match = DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  return { year, month, day, hour, minute, second };
}

/** Reads `YYYY-MM-DD`; undefined unless it is that shape and a real calendar date. */
export function parseLocalDate(text: string): LocalDateTime | undefined {
  const match = DATE.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  if (!isCalendarDate(year, month, day)) return undefined;
  return { year, month, day, hour: 0, minute: 0, second: 0 };
}

/**
 * The instant a wall-clock time names in a zone. Offsets are sampled a day either side, which
 * covers every real transition (none are closer together than that).
 */
export function resolveLocal(zone: string, local: LocalDateTime): ResolvedLocalTime {
  const wall = wallAsUtc(local);
  const before = offsetMsAt(zone, wall - DAY_MS);
  const after = offsetMsAt(zone, wall + DAY_MS);
  const candidates = [...new Set([before, offsetMsAt(zone, wall), after])]
    .map((offset) => wall - offset)
    .filter((utcMs) => offsetMsAt(zone, utcMs) === wall - utcMs)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return { utcMs: first, text: formatLocalDateTime(local), shifted: false };
  // A skipped hour: read with the offset in force before the gap, which lands after the gap at
  // the same distance from its start, i.e. the wall time moved forward by the gap's length.
  const utcMs = wall - before;
  return { utcMs, text: formatLocal(zone, utcMs), shifted: true };
}

/** The first instant of the local date containing `utcMs`. */
export function startOfLocalDay(zone: string, utcMs: number): number {
  const local = localPartsAt(zone, utcMs);
  return resolveLocal(zone, { ...local, hour: 0, minute: 0, second: 0 }).utcMs;
}

/** The first instant of the local date after the one containing `utcMs`. */
export function nextLocalMidnight(zone: string, utcMs: number): number {
  const local = localPartsAt(zone, utcMs);
  const next = new Date(wallAsUtc({ ...local, hour: 12, minute: 0, second: 0 }) + DAY_MS);
  return resolveLocal(zone, {
    year: next.getUTCFullYear(),
    month: next.getUTCMonth() + 1,
    day: next.getUTCDate(),
    hour: 0,
    minute: 0,
    second: 0,
  }).utcMs;
}
