/**
 * Local wall-clock time in IANA zones, with Intl only (no time-zone data of our own). Shared by
 * the parsers (files that record naive local time) and the mapper (the account's local time).
 *
 * UTC → local is exact. Local → UTC follows ../shared/optimo-api.md 2.5: a time in a repeated
 * hour (autumn) means its first occurrence; a time in a skipped hour (spring) is moved forward
 * by the length of the gap, i.e. read with the offset in force just before the change.
 */
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether Intl knows the zone (`Europe/Berlin`, `UTC`, `America/Argentina/Buenos_Aires`). */
export function isTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone.trim() === '' || timeZone !== timeZone.trim()) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const EN_US = /^(\d{1,2})\/(\d{1,2})\/(\d{1,6}),? (\d{1,2}):(\d{2}):(\d{2})$/;

/** The wall clock at an instant. `format` and a regex are five times faster than `formatToParts`. */
function wallClockOf(epochMs: number, timeZone: string): WallClock {
  const formatter = formatterFor(timeZone);
  const m = EN_US.exec(formatter.format(epochMs));
  if (m) {
    return { year: Number(m[3]), month: Number(m[1]), day: Number(m[2]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]) };
  }
  const wall: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter.formatToParts(epochMs)) {
    if (part.type in wall) wall[part.type as keyof WallClock] = Number(part.value);
  }
  return wall;
}

function utcOfWall(wall: WallClock): number {
  const d = new Date(0);
  d.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  d.setUTCHours(wall.hour, wall.minute, wall.second, 0);
  return d.getTime();
}

/** Milliseconds the zone is ahead of UTC at that instant (whole seconds only). */
export function offsetAt(epochMs: number, timeZone: string): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  return utcOfWall(wallClockOf(whole, timeZone)) - whole;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad4 = (n: number): string => String(n).padStart(4, '0');

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the years `YYYY` can write. */
export const MIN_EPOCH_MS = -62_135_596_800_000;
export const MAX_EPOCH_MS = 253_402_300_799_999;

/** `YYYY-MM-DD HH:MM:SS` in the zone; the milliseconds are dropped (floored). Years 0001–9999. */
export function formatLocalDateTime(epochMs: number, timeZone: string): string {
  const w = wallClockOf(Math.floor(epochMs / 1000) * 1000, timeZone);
  return `${pad4(w.year)}-${pad2(w.month)}-${pad2(w.day)} ${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}`;
}

/** `YYYY-MM-DD`: the local date in the zone. */
export function formatLocalDate(epochMs: number, timeZone: string): string {
  return formatLocalDateTime(epochMs, timeZone).slice(0, 10);
}

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Parses `YYYY-MM-DD HH:MM:SS` (or a date alone, meaning midnight) into its fields; undefined when malformed. */
function parseWall(text: string): WallClock | undefined {
  const m = LOCAL_PATTERN.exec(text.trim());
  if (!m) return undefined;
  const wall: WallClock = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.hour > 23 || wall.minute > 59 || wall.second > 59) return undefined;
  const probe = new Date(Date.UTC(2000, wall.month - 1, wall.day));
  probe.setUTCFullYear(wall.year);
  if (probe.getUTCDate() !== wall.day) return undefined; // 2023-02-30
  return wall;
}

/** Whether the text is a valid `YYYY-MM-DD` date. */
export function isLocalDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && parseWall(text) !== undefined;
}

/** Whether the text is a valid `YYYY-MM-DD HH:MM:SS` date-time. */
export function isLocalDateTime(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text) && parseWall(text) !== undefined;
}

/**
 * The UTC instant (epoch ms) of a local wall-clock time in the zone, or undefined when the
 * text is not `YYYY-MM-DD[ HH:MM[:SS]]`. Repeated hour: the first occurrence. Skipped hour:
 * moved forward by the gap (02:30 on Berlin's spring day is 03:30 CEST).
 */
export function parseLocalDateTime(text: string, timeZone: string): number | undefined {
  const wall = parseWall(text);
  return wall ? wallToUtc(utcOfWall(wall), timeZone) : undefined;
}

/**
 * The UTC instant of a wall-clock time given as if it were UTC (epoch ms, milliseconds kept).
 * Repeated hour: the first occurrence. Skipped hour: moved forward by the gap.
 */
export function wallToUtc(wallMs: number, timeZone: string): number {
  const before = offsetAt(wallMs - DAY_MS, timeZone);
  const after = offsetAt(wallMs + DAY_MS, timeZone);
  if (before === after && offsetAt(wallMs - before, timeZone) === before) return wallMs - before;
  const candidates = [wallMs - before, wallMs - after]
    .filter((t) => offsetAt(t, timeZone) === wallMs - t)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return first;
  // In a gap: read with the offset in force before the change, which lands after it.
  return wallMs - before;
}
