/**
 * Dates, times and durations as spreadsheets and vendor exports write them: ISO 8601, numeric
 * dates in day-month-year, month-day-year or year-month-day order (`03-07-2015`, `06.09.2015`,
 * `04/19/2008`), month names in English, German, French, Spanish, Italian, Dutch and Portuguese
 * (`Jan 2, 2020, 8:15:02 AM`, `Fr, 25 Mai 2012 20:31`), 12- and 24-hour times, and durations
 * (`1:05:11`, `65:11`, `3671`, `1h 05m 11s`). Wall-clock values are returned as epoch ms read as
 * if they were UTC ("wall ms"); the caller resolves them in a zone.
 */
import { parseIsoDateTime } from '../time.js';

/** The order of the parts of a numeric date. */
export type DateOrder = 'DMY' | 'MDY' | 'YMD';

export interface WallTime {
  /** The wall-clock time as if it were UTC, epoch ms. */
  wallMs: number;
  /** Minutes east of UTC when the text states a zone (`Z`, `UTC`, `+02:00`). */
  offsetMinutes?: number;
  /** Whether the text held a time of day (a bare date is midnight). */
  hasTime: boolean;
}

/** Month names of the seven languages, full; every unambiguous prefix of 3+ letters is accepted. */
const MONTH_NAMES: readonly (readonly string[])[] = [
  ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'],
  ['januar', 'februar', 'marz', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'dezember'],
  ['janvier', 'fevrier', 'mars', 'avril', 'mai', 'juin', 'juillet', 'aout', 'septembre', 'octobre', 'novembre', 'decembre'],
  ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
  ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre'],
  ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'],
  ['janeiro', 'fevereiro', 'marco', 'abril', 'maio', 'junho', 'julho', 'agosto', 'setembro', 'outubro', 'novembro', 'dezembro'],
];

/** Short forms that are not prefixes of a full name. */
const MONTH_EXTRAS: Readonly<Record<string, number>> = { mrz: 3, mrt: 3, janner: 1, jan: 1, sept: 9, set: 9, dic: 12, ene: 1 };

const MONTHS: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  for (const names of MONTH_NAMES) {
    names.forEach((name, i) => {
      for (let len = 3; len <= name.length; len++) {
        const key = name.slice(0, len);
        const seen = map.get(key);
        map.set(key, seen === undefined || seen === i + 1 ? i + 1 : -1);
      }
    });
  }
  for (const [k, v] of Object.entries(MONTH_EXTRAS)) map.set(k, v);
  return map;
})();

/** Lower case without diacritics (`März` → `marz`, `août` → `aout`). */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ß/g, 'ss').toLowerCase();
}

export function monthOfName(word: string): number | undefined {
  const m = MONTHS.get(foldText(word).replace(/\.$/, ''));
  return m !== undefined && m > 0 ? m : undefined;
}

const TIME_OF_DAY = /(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?(?:\s*([ap])\.?\s?m\.?(?![a-z]))?/i;
const ZONE = /(?:\s|\d)(Z|UTC|GMT|[+-]\d{2}:?\d{2})\s*$/i;

/** Milliseconds since midnight of `hh:mm[:ss[.fff]] [AM|PM]`; NaN when not a time of day. */
export function parseTimeOfDay(text: string): number {
  const m = TIME_OF_DAY.exec(text.trim());
  if (!m || m.index !== 0 || m[0].length !== text.trim().length) return NaN;
  return timeMs(m);
}

function timeMs(m: RegExpExecArray): number {
  let hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = m[3] === undefined ? 0 : Number(m[3]);
  const fraction = m[4] === undefined ? 0 : Math.round(Number(`0.${m[4]}`) * 1000);
  const half = m[5]?.toLowerCase();
  if (half) {
    if (hour < 1 || hour > 12) return NaN;
    hour = (hour % 12) + (half === 'p' ? 12 : 0);
  }
  if (hour > 24 || minute > 59 || second > 60) return NaN;
  return ((hour * 60 + minute) * 60 + second) * 1000 + fraction;
}

function fullYear(y: number, digits: number): number {
  if (digits === 4) return y;
  return y < 70 ? 2000 + y : 1900 + y;
}

function dayMs(year: number, month: number, day: number): number {
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && year >= 1900 && year <= 2200)) return NaN;
  const ms = Date.UTC(year, month - 1, day);
  return new Date(ms).getUTCDate() === day ? ms : NaN; // no 31 February
}

const NUMERIC_DATE = /^(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})$/;

/** Which orders a numeric date allows: `13.02.2020` only DMY, `02/13/2020` only MDY. */
export function possibleOrders(text: string): { orders: DateOrder[]; separator: string } | undefined {
  const date = text.trim().split(/[\sT,]+/)[0] ?? '';
  const m = NUMERIC_DATE.exec(date);
  if (!m) return undefined;
  const [, a, sep, b, c] = m as unknown as [string, string, string, string, string];
  if (a.length === 4) return { orders: ['YMD'], separator: sep };
  if (c.length !== 4 && c.length !== 2) return undefined;
  const orders: DateOrder[] = [];
  if (Number(a) <= 31 && Number(b) <= 12) orders.push('DMY');
  if (Number(a) <= 12 && Number(b) <= 31) orders.push('MDY');
  return { orders, separator: sep };
}

/**
 * A date-time in one of the shapes above; undefined when the text is none. `order` decides
 * numeric dates that could be read two ways.
 */
export function parseDateTime(text: string, order: DateOrder = 'DMY'): WallTime | undefined {
  const fast = fastIso(text);
  if (fast) return fast;
  const t = text.trim();
  if (t.length < 6 || t.length > 64) return undefined;
  const iso = parseIsoDateTime(t);
  if (iso) return iso.offsetMinutes === undefined ? { wallMs: iso.localAsUtcMs, hasTime: true } : { wallMs: iso.localAsUtcMs, offsetMinutes: iso.offsetMinutes, hasTime: true };
  let rest = t;
  let offsetMinutes: number | undefined;
  const zone = ZONE.exec(rest);
  if (zone && /:\d{2}/.test(rest)) {
    offsetMinutes = zoneMinutes(zone[1] as string);
    rest = rest.slice(0, zone.index + 1);
  }
  let ms = 0;
  let hasTime = false;
  const time = TIME_OF_DAY.exec(rest);
  if (time) {
    ms = timeMs(time);
    if (ms !== ms) return undefined;
    hasTime = true;
    rest = `${rest.slice(0, time.index)} ${rest.slice(time.index + time[0].length)}`;
  }
  const day = parseDate(rest, order);
  if (day !== day) return undefined;
  const wall: WallTime = { wallMs: day + ms, hasTime };
  if (offsetMinutes !== undefined) wall.offsetMinutes = offsetMinutes;
  return wall;
}

function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/** `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|±HH:MM]` read without regular expressions (one per sample row). */
function fastIso(s: string): WallTime | undefined {
  const n = s.length;
  if (n < 19 || n > 29 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 32) return undefined;
  const year = digits2(s, 0) * 100 + digits2(s, 2);
  const month = digits2(s, 5);
  const day = digits2(s, 8);
  const hour = digits2(s, 11);
  const minute = digits2(s, 14);
  const second = digits2(s, 17);
  if (!(year >= 1900 && year <= 2200 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59)) return undefined;
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
  let offsetMinutes: number | undefined;
  if (i === n - 1 && s.charCodeAt(i) === 90) offsetMinutes = 0;
  else if (i === n - 6 && s.charCodeAt(i + 3) === 58 && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) {
    const oh = digits2(s, i + 1);
    const om = digits2(s, i + 4);
    if (!(oh <= 23 && om <= 59)) return undefined;
    offsetMinutes = (s.charCodeAt(i) === 45 ? -1 : 1) * (oh * 60 + om);
  } else if (i !== n) return undefined;
  const date = Date.UTC(year, month - 1, day);
  if (new Date(date).getUTCDate() !== day) return undefined;
  const wallMs = date + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
  return offsetMinutes === undefined ? { wallMs, hasTime: true } : { wallMs, offsetMinutes, hasTime: true };
}

function zoneMinutes(zone: string): number {
  if (/^(Z|UTC|GMT)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

/** Epoch ms (wall, at midnight) of the date in `text`; NaN when there is none or more than one reading. */
function parseDate(text: string, order: DateOrder): number {
  const words = text.replace(/[,]/g, ' ').trim().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return NaN;
  const numeric = words.length === 1 ? NUMERIC_DATE.exec(words[0] as string) : null;
  if (numeric) {
    const [, a, , b, c] = numeric as unknown as [string, string, string, string, string];
    if (a.length === 4) return dayMs(Number(a), Number(b), Number(c));
    if (c.length !== 4 && c.length !== 2) return NaN;
    const year = fullYear(Number(c), c.length);
    return order === 'MDY' ? dayMs(year, Number(a), Number(b)) : dayMs(year, Number(b), Number(a));
  }
  // Month names: the last month word counts (a weekday like Spanish `mar` may come first).
  let month: number | undefined;
  const numbers: string[] = [];
  for (const w of words) {
    const clean = w.replace(/\.$/, '');
    if (/^\d+$/.test(clean)) numbers.push(clean);
    else if (/^\d+(?:st|nd|rd|th|er|e|º|°)?$/i.test(clean)) numbers.push(clean.replace(/\D+$/, ''));
    else {
      const m = monthOfName(clean);
      if (m !== undefined) month = m;
      else if (!/^[\p{L}]{1,12}\.?$/u.test(w) && w !== 'de' && w !== '-') return NaN;
    }
  }
  if (month === undefined || numbers.length !== 2) return NaN;
  const yearText = numbers.find((n) => n.length === 4);
  const dayText = numbers.find((n) => n.length <= 2);
  if (!yearText || !dayText) return NaN;
  return dayMs(Number(yearText), month, Number(dayText));
}

export type DurationUnit = 's' | 'ms' | 'min' | 'h';

const DURATION_SCALE: Readonly<Record<DurationUnit, number>> = { s: 1, ms: 0.001, min: 60, h: 3600 };

/**
 * Seconds of a duration: `h:mm:ss(.f)`, `mm:ss(.f)` (two parts are minutes and seconds, as
 * every export writes durations), `d.hh:mm:ss`, `1h 05m 11s`, or a plain number in `unit`
 * (default seconds; `1,5` with a decimal comma is read). NaN when the text is none.
 */
export function parseDuration(text: string, unit: DurationUnit = 's', decimal: '.' | ',' = '.'): number {
  const fast = plainSeconds(text);
  if (fast === fast) return fast * DURATION_SCALE[unit];
  const t = text.trim();
  if (t.length === 0 || t.length > 32) return NaN;
  if (t.includes(':')) {
    const m = /^(?:(\d+)[.d ]\s*)?(\d+):(\d{1,2})(?::(\d{1,2}))?(?:[.,](\d+))?$/.exec(t);
    if (!m) return NaN;
    const [, days, a, b, c, frac] = m;
    const fraction = frac ? Number(`0.${frac}`) : 0;
    if (c === undefined) {
      if (days !== undefined || Number(b) > 59) return NaN;
      return Number(a) * 60 + Number(b) + fraction;
    }
    if (Number(b) > 59 || Number(c) > 59) return NaN;
    return (Number(days ?? 0) * 24 + Number(a)) * 3600 + Number(b) * 60 + Number(c) + fraction;
  }
  const words = /^(?:(\d+)\s*h\w*)?\s*(?:(\d+)\s*m(?:in)?\w*)?\s*(?:(\d+(?:[.,]\d+)?)\s*s\w*)?$/i.exec(t);
  if (words && (words[1] ?? words[2] ?? words[3]) !== undefined && /[a-z]/i.test(t)) {
    return Number(words[1] ?? 0) * 3600 + Number(words[2] ?? 0) * 60 + Number((words[3] ?? '0').replace(',', '.'));
  }
  const plain = decimal === ',' ? t.replace(',', '.') : t;
  if (!/^\d+(?:\.\d+)?$|^\.\d+$/.test(plain)) return NaN;
  return Number(plain) * DURATION_SCALE[unit];
}

/** `digits[.digits]` read without regular expressions; NaN for anything else. */
function plainSeconds(t: string): number {
  const n = t.length;
  if (n === 0 || n > 20) return NaN;
  let dot = false;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && !dot) dot = true;
    else return NaN;
  }
  return digits > 0 ? Number(t) : NaN;
}

/** Wall ms of a date-time written in the parts of a file name (`2009_08_04_06_22_50`, `2015-07-03_20-28-42`, `20110430`). */
export function dateTimeFromFileName(fileName: string | undefined): { wallMs: number; hasTime: boolean; text: string } | undefined {
  if (!fileName) return undefined;
  const base = fileName.slice(fileName.lastIndexOf('!') + 1).split(/[/\\]/).pop() ?? '';
  const full = /(?:^|\D)((?:19|20)\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?:[-_T ]+(\d{2})[-_.:h]?(\d{2})[-_.:m]?(\d{2}))?(?!\d)/.exec(base);
  if (!full) return undefined;
  const [, y, mo, d, h, mi, s] = full;
  const day = dayMs(Number(y), Number(mo), Number(d));
  if (day !== day) return undefined;
  if (h === undefined) return { wallMs: day, hasTime: false, text: `${y}-${mo}-${d}` };
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  return { wallMs: day + ((Number(h) * 60 + Number(mi)) * 60 + Number(s)) * 1000, hasTime: true, text: `${y}-${mo}-${d} ${h}:${mi}:${s}` };
}
