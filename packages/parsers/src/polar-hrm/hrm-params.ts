/**
 * `[Params]` of a Polar HRM file: version, recording mode (which `[HRData]` columns, which
 * units), date, start, length, interval and the athlete's settings.
 *
 * Recording mode, by version:
 *
 * | version      | key     | digits | meaning (left to right)                                                      |
 * | ------------ | ------- | ------ | ---------------------------------------------------------------------------- |
 * | 1.02, 1.05   | `Mode`  | 3      | a: 0 cadence / 1 altitude / other neither; b: 1 HR + cycling data; c: 1 US    |
 * | 1.06, 1.07   | `SMode` | 8 or 9 | see SMODE_DIGITS (the 9th, air pressure, also appears in 1.06 files)          |
 *
 * A 3-digit `SMode` is read like `Mode`; `Mode` and `SMode` both present: `SMode` wins.
 */
import type { SampleColumn } from './hrm-samples.js';
import type { PolarSection } from './polar-text.js';

export type HrmVersion = 102 | 105 | 106 | 107;

export interface RecordingMode {
  /** `[HRData]` columns after heart rate, in file order. */
  columns: SampleColumn[];
  /** US units: 0.1 mph, ft, °F, lbs. */
  us: boolean;
  /** SMode g / Mode b: "HR + cycling data". */
  cycling: boolean;
  /** The key and digits as written, e.g. `SMode=111000110`. */
  text: string;
}

/** SMode digits (HRM 1.06 / 1.07), left to right; `column` is the `[HRData]` column the digit adds. */
const SMODE_DIGITS: readonly { flag: string; column?: SampleColumn; cycling?: true; us?: true }[] = [
  { flag: 'a speed', column: 'speed' }, // 0.1 km/h or 0.1 mph
  { flag: 'b cadence', column: 'cadence' }, // rpm
  { flag: 'c altitude', column: 'altitude' }, // m or ft
  { flag: 'd power', column: 'power' }, // W
  { flag: 'e power L/R balance', column: 'balance' }, // one column: PI * 256 + LRB
  { flag: 'f power pedalling index', column: 'balance' }, // (the same column)
  { flag: 'g HR + cycling data', cycling: true },
  { flag: 'h US units', us: true },
  { flag: 'i air pressure', column: 'airPressure' },
];

/** The order of `[HRData]` columns after heart rate. */
const COLUMN_ORDER: readonly SampleColumn[] = ['speed', 'cadence', 'altitude', 'power', 'balance', 'airPressure'];

/** Mode (HRM 1.02 / 1.05) digit a → the one extra column besides speed. */
const MODE_A: ReadonlyMap<string, SampleColumn> = new Map<string, SampleColumn>([
  ['0', 'cadence'],
  ['1', 'altitude'],
]);

export type ModeResult = { mode: RecordingMode } | { problem: string };

/** The recording mode from `SMode` (or `Mode`), or what is wrong with it. */
export function readMode(smode: string | undefined, mode: string | undefined): ModeResult {
  if (smode !== undefined && smode.length !== 3) {
    if (!/^\d{4,16}$/.test(smode)) return { problem: `SMode=${smode} is not a string of 0/1 digits` };
    const on = new Set<SampleColumn>();
    let us = false;
    let cycling = false;
    SMODE_DIGITS.forEach((d, i) => {
      if (smode[i] !== '1') return;
      if (d.column) on.add(d.column);
      if (d.us) us = true;
      if (d.cycling) cycling = true;
    });
    return { mode: { columns: COLUMN_ORDER.filter((c) => on.has(c)), us, cycling, text: `SMode=${smode}` } };
  }
  const old = smode ?? mode;
  if (old === undefined) return { problem: 'it has no SMode= (or Mode=): the columns of [HRData] are unknown' };
  if (!/^\d{3}$/.test(old)) return { problem: `${smode !== undefined ? 'SMode' : 'Mode'}=${old} is not three digits` };
  const cycling = old[1] === '1';
  const extra = MODE_A.get(old[0] as string);
  const columns: SampleColumn[] = cycling ? (extra ? ['speed', extra] : ['speed']) : [];
  return { mode: { columns, us: old[2] === '1', cycling, text: `${smode !== undefined ? 'SMode' : 'Mode'}=${old}` } };
}

/** `[Params]` as key → value and line; keys compared case-insensitively. */
export interface Params {
  get(key: string): string | undefined;
  lineOf(key: string): number | undefined;
}

export function readParams(section: PolarSection): Params {
  const values = new Map<string, { value: string; line: number }>();
  section.lines.forEach((text, i) => {
    const eq = text.indexOf('=');
    if (eq <= 0) return;
    const key = text.slice(0, eq).trim().toLowerCase();
    if (!values.has(key)) values.set(key, { value: text.slice(eq + 1).trim(), line: section.line + 1 + i });
  });
  return {
    get: (key) => values.get(key.toLowerCase())?.value,
    lineOf: (key) => values.get(key.toLowerCase())?.line,
  };
}

/** `h:mm:ss.t`, `hh:mm:ss.t`, `9:5:45.0` (Polar Personal Trainer) → seconds; undefined when unreadable. */
export function readDuration(text: string | undefined, maxHours = 9999): number | undefined {
  const m = text === undefined ? null : /^(\d{1,4}):(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$/.exec(text);
  if (!m) return undefined;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > maxHours || mi > 59 || s > 59) return undefined;
  const fraction = m[4] === undefined ? 0 : Number(`0.${m[4]}`);
  return h * 3600 + mi * 60 + s + fraction;
}

/** `YYYYMMDD` → [year, month, day] when it is a real date. */
export function readDate(text: string | undefined): [number, number, number] | undefined {
  const m = text === undefined ? null : /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return undefined;
  return [y, mo, d];
}

/**
 * `Interval=` values: seconds between samples, or a special value.
 *
 * | value                     | meaning                                                  |
 * | ------------------------- | -------------------------------------------------------- |
 * | 1, 2, 5, 15, 30, 60       | seconds between samples                                  |
 * | 120, 240, 300, 480        | seconds (dynamic and 5-minute recording)                 |
 * | 238                       | R-R recording: each `[HRData]` line is one beat, in ms   |
 * | 204                       | intermediate (lap) times only, no samples                |
 */
export type IntervalKind = { kind: 'seconds'; seconds: number } | { kind: 'rr' } | { kind: 'laps-only' };

const INTERVAL_SECONDS = new Set([1, 2, 5, 15, 30, 60, 120, 240, 300, 480]);

export function readInterval(text: string | undefined): IntervalKind | undefined {
  if (text === undefined || !/^\d{1,4}$/.test(text)) return undefined;
  const n = Number(text);
  if (n === 238) return { kind: 'rr' };
  if (n === 204) return { kind: 'laps-only' };
  // Other values between 1 and 60 s are read as seconds too: some converters write 3 or 10.
  if (INTERVAL_SECONDS.has(n) || (n >= 1 && n <= 60)) return { kind: 'seconds', seconds: n };
  return undefined;
}

/** Polar's `Monitor=` codes (the HRM format description; GoldenCheetah and MyTourbook list the same). */
export const MONITORS: ReadonlyMap<number, string> = new Map([
  [1, 'Sport Tester / Vantage XL'],
  [2, 'Vantage NV'],
  [3, 'Accurex Plus'],
  [4, 'XTrainer Plus'],
  [6, 'S520'],
  [7, 'Coach'],
  [8, 'S210'],
  [9, 'S410'],
  [10, 'S510'],
  [11, 'S610 / S610i'],
  [12, 'S710 / S710i / S720i'],
  [13, 'S810 / S810i'],
  [15, 'E600'],
  [20, 'AXN500'],
  [21, 'AXN700'],
  [22, 'S625X / S725X'],
  [23, 'S725'],
  [33, 'CS400'],
  [34, 'CS600X'],
  [35, 'CS600'],
  [36, 'RS400'],
  [37, 'RS800'],
  [38, 'RS800X'],
]);

/** The `Version=` number (102 for 1.02 …), when it is one this parser knows. */
export function readVersion(text: string | undefined): HrmVersion | undefined {
  return text === '102' || text === '105' || text === '106' || text === '107' ? (Number(text) as HrmVersion) : undefined;
}
