/**
 * Shared by the XML track formats (TCX, GPX; later PWX and Polar XML): numbers and times read
 * from element text, the UTC offset of a workout's start, sample columns filled row by row,
 * distance from positions, and a device maker from a free-text device or app name.
 */
import { MIN_START_TIME } from '@optimo-import/workout';
import type { OffsetSource, Sport, WarningCollector } from '@optimo-import/workout';
import { localToUtc, offsetMinutesAt, parseIsoDateTime } from './time.js';

/** Sports where cadence is counted in steps per minute (files write strides per minute). */
export const ON_FOOT: ReadonlySet<Sport> = new Set<Sport>(['running', 'walking', 'hiking']);

/** 10^k exactly, for the decimal fast path. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * A number from element or attribute text; NaN when the text is empty, only whitespace, not a
 * number or not finite. A decimal comma (`12,5`) is read as a point. Plain decimals of up to 15
 * digits are read by hand (exact: both the digits and 10^k are exact doubles and one division
 * rounds correctly); anything else goes through `Number`.
 */
export function toNumber(text: string | undefined): number {
  if (text === undefined) return NaN;
  const n = text.length;
  if (n > 0 && n <= 16) {
    let i = 0;
    let negative = false;
    const first = text.charCodeAt(0);
    if (first === 45) {
      negative = true;
      i = 1;
    }
    let digits = 0;
    let value = 0;
    let scale = -1;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        value = value * 10 + (c - 48);
        digits++;
      } else if (c === 46 && scale < 0) scale = i;
      else break;
    }
    if (i === n && digits > 0 && digits <= 15) {
      const v = scale < 0 ? value : value / (POW10[n - 1 - scale] as number);
      return negative ? -v : v;
    }
  }
  return slowNumber(text);
}

function slowNumber(text: string): number {
  if (text.length === 0) return NaN;
  let v = +text;
  if (v !== v && text.indexOf(',') >= 0) v = +text.replace(',', '.');
  if (v === 0 && text.trim().length === 0) return NaN;
  return Number.isFinite(v) ? v : NaN;
}

export interface TimeReader {
  /** Epoch ms UTC of an xsd:dateTime; NaN when the text is not one, or names a time before 1989-12-31 (no workout is that old). */
  read(text: string): number;
  /** How many times read so far carried no zone (read in the time zone option, default UTC). */
  naiveCount: number;
}

/**
 * Reads xsd:dateTime text. A stated zone (`Z`, `+02:00`) is kept as written, even where a
 * writer is known to state a wrong one (Polar): the file is the only source of the instant.
 * A naive time is wall-clock time in `timeZone` (default UTC); the zone's offset is looked up
 * once per local hour, so DST changes inside a workout are followed.
 */
export function createTimeReader(timeZone: string | undefined): TimeReader {
  const zone = timeZone ?? 'UTC';
  const shiftByHour = new Map<number, number>();
  let dayKey = -1;
  let dayMs = 0;
  const reader: TimeReader = {
    naiveCount: 0,
    read(text) {
      let local: number;
      let offset: number | undefined;
      const fast = fastTime(text);
      if (fast !== undefined) {
        const key = fast.day;
        if (key !== dayKey) {
          dayKey = key;
          dayMs = Date.UTC(Math.floor(key / 10000), (Math.floor(key / 100) % 100) - 1, key % 100);
        }
        local = dayMs + fast.msOfDay;
        offset = fast.offset;
      } else {
        const p = parseIsoDateTime(text);
        if (!p) return NaN;
        local = p.localAsUtcMs;
        offset = p.offsetMinutes;
      }
      if (local < MIN_START_TIME) return NaN;
      if (offset !== undefined) return local - offset * 60000;
      reader.naiveCount++;
      if (zone === 'UTC' || zone === 'Etc/UTC') return local;
      const hour = Math.floor(local / 3600000);
      let shift = shiftByHour.get(hour);
      if (shift === undefined) {
        const hourStart = hour * 3600000;
        shift = hourStart - localToUtc(hourStart, zone);
        shiftByHour.set(hour, shift);
      }
      return local - shift;
    },
  };
  return reader;
}

/** Reused result of `fastTime` (no allocation per sample). */
const FAST = { day: 0, msOfDay: 0, offset: undefined as number | undefined };

function digit2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/**
 * The common shape `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` without regular expressions; undefined
 * for anything else (whitespace, `+HHMM`, odd values), which `parseIsoDateTime` then reads.
 */
function fastTime(s: string): typeof FAST | undefined {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const year = digit2(s, 0) * 100 + digit2(s, 2);
  const month = digit2(s, 5);
  const day = digit2(s, 8);
  const hour = digit2(s, 11);
  const minute = digit2(s, 14);
  const second = digit2(s, 17);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59) || year !== year) return undefined;
  let i = 19;
  let ms = 0;
  if (i < n && s.charCodeAt(i) === 46) {
    let scale = 100;
    for (i++; i < n; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      ms += c * scale;
      scale /= 10;
    }
    ms = Math.round(ms);
  }
  let offset: number | undefined;
  if (i === n) offset = undefined;
  else if (i === n - 1 && s.charCodeAt(i) === 90) offset = 0;
  else if (i === n - 6 && s.charCodeAt(i + 3) === 58 && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) {
    const oh = digit2(s, i + 1);
    const om = digit2(s, i + 4);
    if (!(oh <= 23 && om <= 59)) return undefined;
    offset = (s.charCodeAt(i) === 45 ? -1 : 1) * (oh * 60 + om);
  } else return undefined;
  FAST.day = year * 10000 + month * 100 + day;
  FAST.msOfDay = ((hour * 60 + minute) * 60 + second) * 1000 + ms;
  FAST.offset = offset;
  return FAST;
}

export interface StartZone {
  utcOffsetMinutes?: number;
  utcOffsetSource: OffsetSource;
}

/**
 * The local offset at a workout's start from the text of its start time: an explicit offset
 * other than `Z` is the file's (source `file`); `Z` says nothing about local time (`none`); a
 * naive time takes the time zone option's offset when one was given, else none.
 */
export function startZone(text: string | undefined, startMs: number, timeZone: string | undefined): StartZone {
  const parsed = text === undefined ? undefined : parseIsoDateTime(text);
  if (parsed?.offsetMinutes !== undefined) {
    return /z\s*$/i.test(text as string) ? { utcOffsetSource: 'none' } : { utcOffsetMinutes: parsed.offsetMinutes, utcOffsetSource: 'file' };
  }
  if (parsed && timeZone !== undefined) return { utcOffsetMinutes: offsetMinutesAt(startMs, timeZone), utcOffsetSource: 'time-zone-option' };
  return { utcOffsetSource: 'none' };
}

/** The warning for times without a zone, naming the zone they were read in. */
export function warnNaiveTimes(warnings: WarningCollector, count: number, timeZone: string | undefined): void {
  if (count <= 0) return;
  const how = timeZone === undefined ? 'read as UTC (no timeZone option was given)' : `read as local time in ${timeZone}`;
  warnings.add('naive-time', `times carry no zone; ${how}`, count);
}

/**
 * Sample columns filled one row at a time. A column is created at its first value (earlier
 * rows become gaps), so a channel the file never records costs nothing.
 */
export interface ColumnSet {
  rows: number;
  columns: ((number | undefined)[] | undefined)[];
}

export function createColumns(count: number): ColumnSet {
  return { rows: 0, columns: new Array<(number | undefined)[] | undefined>(count).fill(undefined) };
}

/** Appends one row; NaN in `values` is a gap. */
export function pushRow(set: ColumnSet, values: Float64Array): void {
  const { columns } = set;
  for (let k = 0; k < columns.length; k++) {
    const v = values[k] as number;
    let column = columns[k];
    if (v === v) {
      if (column === undefined) column = columns[k] = new Array<number | undefined>(set.rows).fill(undefined);
      column.push(v);
    } else if (column !== undefined) column.push(undefined);
  }
  set.rows++;
}

const EARTH_RADIUS_METERS = 6371008.8;
const RAD = Math.PI / 180;

/** Great-circle distance (haversine, mean Earth radius). */
export function haversineMeters(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Cumulative distance from positions. A row without a position (or at (0,0), a device's "no
 * fix") is a gap and adds nothing; at a row listed in `breaks` (the first row after a pause)
 * the jump from the previous position is not counted: the recording was stopped there.
 * Undefined when no row has a position.
 */
export function cumulativeDistance(
  lat: readonly (number | undefined)[] | undefined,
  lon: readonly (number | undefined)[] | undefined,
  breaks: readonly number[] = [],
): (number | undefined)[] | undefined {
  if (!lat || !lon) return undefined;
  const out = new Array<number | undefined>(lat.length);
  let total = 0;
  let prevLat = NaN;
  let prevLon = NaN;
  let any = false;
  let b = 0;
  for (let i = 0; i < lat.length; i++) {
    if (b < breaks.length && breaks[b] === i) {
      prevLat = prevLon = NaN;
      b++;
    }
    const la = lat[i];
    const lo = lon[i];
    if (la === undefined || lo === undefined || (la === 0 && lo === 0) || Math.abs(la) > 90 || Math.abs(lo) > 180) {
      out[i] = undefined;
      continue;
    }
    if (prevLat === prevLat) total += haversineMeters(prevLat, prevLon, la, lo);
    prevLat = la;
    prevLon = lo;
    out[i] = total;
    any = true;
  }
  return any ? out : undefined;
}

/** Makers recognised in device or app names; Garmin's own product lines name no maker. */
const MAKERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/garmin|forerunner|\bedge\s?\d|f[eē]nix|oregon|etrex|gpsmap|vivoactive|vivosmart|\bvenu\b|instinct|enduro|\bepix|approach\s?s\d|dakota|montana|colorado|quatix|tactix|descent\s?mk|swim\s?2/i, 'Garmin'],
  [/polar/i, 'Polar'],
  [/suunto|movescount|ambit|spartan/i, 'Suunto'],
  [/wahoo|elemnt/i, 'Wahoo'],
  [/coros/i, 'COROS'],
  [/huami|amazfit|zepp/i, 'Amazfit'],
  [/holux/i, 'Holux'],
  [/hammerhead|karoo/i, 'Hammerhead'],
  [/timex/i, 'Timex'],
  [/sigma/i, 'Sigma'],
  [/bryton/i, 'Bryton'],
  [/tomtom/i, 'TomTom'],
  [/apple/i, 'Apple'],
  [/samsung/i, 'Samsung'],
  [/xiaomi|mi fit/i, 'Xiaomi'],
  [/strava/i, 'Strava'],
  [/zwift/i, 'Zwift'],
  [/runtastic/i, 'Runtastic'],
  [/lezyne/i, 'Lezyne'],
  [/magellan/i, 'Magellan'],
];

/** The maker named by a device or app name (`Forerunner 945` → Garmin), or undefined. */
export function manufacturerFromName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  for (const [pattern, maker] of MAKERS) if (pattern.test(name)) return maker;
  return undefined;
}
