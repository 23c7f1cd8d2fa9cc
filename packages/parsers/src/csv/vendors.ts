/**
 * Vendor CSVs we know by their first rows: what the file is (for messages: "a Wattbike Expert
 * session export: …"), a built-in column mapping in the same form as a user's mapping file, the
 * sport and device, and the few quirks a mapping cannot say (iBike's start in row 2, Strava's
 * UTC dates). A user's mapping overrides a profile key by key. Evidence for each profile: the
 * corpus files in ../shared/corpus/csv (see SOURCES.md) and formats.md §11.
 */
import type { Device } from '@optimo-import/workout';
import type { WallTime } from './datetime.js';
import type { CsvMapping } from './mapping.js';
import type { CsvRow } from './tokenizer.js';
import { UNITS } from './units.js';

export interface VendorProfile {
  id: string;
  /** What the file is, as messages name it. */
  what: string;
  matches(head: readonly CsvRow[]): boolean;
  /** Set when we do not import this kind of file: the reason it fails with. */
  refuse?: string;
  sport?: string;
  device?: Device;
  /** A built-in column mapping from the head rows. */
  mapping?(head: readonly CsvRow[]): CsvMapping;
  /** A start written in the vendor's own place. */
  start?(head: readonly CsvRow[]): WallTime | undefined;
  /** The vendor writes UTC dates without saying so. */
  utcDates?: boolean;
}

const cell = (row: CsvRow | undefined, i: number): string => row?.cells[i]?.trim() ?? '';
const lower = (row: CsvRow | undefined): string[] => row?.cells.map((c) => c.trim().toLowerCase()) ?? [];
const startsWith = (row: CsvRow | undefined, ...names: string[]): boolean => names.every((n, i) => lower(row)[i] === n.toLowerCase());
const has = (row: CsvRow | undefined, ...names: string[]): boolean => names.every((n) => lower(row).includes(n.toLowerCase()));
const rowIndex = (head: readonly CsvRow[], test: (row: CsvRow) => boolean, limit = 64): number => head.slice(0, limit).findIndex(test);

/** In detection order. */
export const VENDORS: readonly VendorProfile[] = [
  {
    id: 'fit-csv-tool',
    what: 'a FIT SDK FitCSVTool dump',
    matches: (head) => startsWith(head[0], 'Type', 'Local Number', 'Message'),
    refuse: 'it lists FIT messages (Type, Local Number, Message, Field n, Value n, Units n), not a table of samples; import the original .fit file instead',
  },
  {
    id: 'ibike',
    what: 'a Velocomp iBike export',
    matches: (head) => cell(head[0], 0).toLowerCase() === 'ibike',
    sport: 'cycling',
    device: { manufacturer: 'Velocomp', product: 'iBike' },
    mapping: (head) => {
      const header = rowIndex(head, (r) => r.cells.some((c) => /^speed \((mph|km\/h)\)$/i.test(c.trim())));
      const mapping: CsvMapping = { columns: { Timestamp: { field: 'ignore' }, Annotation: { field: 'ignore' } } };
      if (header >= 0) mapping.headerRow = header + 1;
      // The row above the header holds the settings; its fifth value is the recording interval in seconds.
      const interval = Number(cell(head[header - 1], 4));
      mapping.sampleRateSeconds = interval >= 1 && interval <= 60 ? Math.round(interval) : 1;
      return mapping;
    },
    start: (head) => {
      const parts = head[1]?.cells.map((c) => Number(c.trim())) ?? [];
      if (parts.length < 6 || parts.some((p) => !Number.isInteger(p))) return undefined;
      const [y, mo, d, h, mi, s] = parts as [number, number, number, number, number, number];
      const ms = Date.UTC(y, mo - 1, d, h, mi, s);
      return Number.isFinite(ms) && new Date(ms).getUTCDate() === d ? { wallMs: ms, hasTime: true } : undefined;
    },
  },
  {
    id: 'ergomo',
    what: 'an ergomo ergoracer export',
    matches: (head) => startsWith(head[0], 'ZEIT', 'STRECKE'),
    sport: 'cycling',
    device: { manufacturer: 'ergomo', product: 'ergoracer' },
    mapping: () => ({ unitsRow: true, columns: { ZEIT: { field: 'elapsed', unit: UNITS.SECOND }, PAUSE: { field: 'ignore' } } }),
  },
  {
    id: 'joule',
    what: 'a CycleOps Joule export',
    matches: (head) => startsWith(head[0], 'Version', 'Date/Time') && has(head[0], 'Device Type'),
    sport: 'cycling',
    device: { manufacturer: 'CycleOps', product: 'Joule' },
    mapping: (head) => {
      const header = rowIndex(head, (r) => startsWith(r, 'Minutes'));
      return header >= 0 ? { headerRow: header + 1, columns: { ID: { field: 'ignore' } } } : {};
    },
  },
  {
    id: 'motoactv',
    what: 'a Motorola MOTOACTV export',
    matches: (head) => has(head[0], 'timestamp_epoch', 'activity_id'),
    device: { manufacturer: 'Motorola', product: 'MOTOACTV' },
    mapping: () => ({
      columns: {
        timestamp_epoch: { field: 'time', unit: UNITS.EPOCH_MS },
        SPEED: { field: 'speed', unit: UNITS.MPS },
        DISTANCE: { field: 'distance', unit: UNITS.M },
        ELEVATION: { field: 'altitude', unit: UNITS.M },
        temperature: { field: 'temperature', unit: UNITS.CELSIUS },
        // Bike cadence; the step columns are the same channel on foot and zero on a bike.
        STEPS_PER_MINUTE: { field: 'ignore' },
        STEP_RATE: { field: 'ignore' },
      },
    }),
  },
  {
    id: 'rp3',
    what: 'an RP3 rowing machine stroke export',
    matches: (head) => has(head[0], 'stroke_number', 'workout_interval_id'),
    sport: 'rowing',
    device: { manufacturer: 'RP3 Rowing', product: 'RP3' },
    mapping: () => ({
      columns: {
        time: { field: 'elapsed', unit: UNITS.SECOND },
        distance: { field: 'distance', unit: UNITS.M },
        stroke_rate: { field: 'cadence' },
        pulse: { field: 'heartRate' },
        power: { field: 'power', unit: UNITS.WATT },
      },
    }),
  },
  {
    id: 'wattbike',
    what: 'a Wattbike Expert session export',
    matches: (head) => has(head[0], 'Elapsed time total [s]') || has(head[0], 'Power per revolution [W]'),
    sport: 'cycling',
    device: { manufacturer: 'Wattbike', product: 'Wattbike' },
  },
  {
    id: 'smartsync',
    what: 'an Oregon Scientific SmartSync heart-rate log',
    matches: (head) => startsWith(head[0], 'Name') && rowIndex(head, (r) => startsWith(r, 'SamplingRate'), 16) >= 0,
    device: { manufacturer: 'Oregon Scientific', product: 'SmartSync' },
    mapping: (head) => {
      const header = rowIndex(head, (r) => startsWith(r, 'HeartRate'), 32);
      // The values sit one column right of their header (`HeartRate,` then `,71`).
      return { dateOrder: 'MDY', ...(header >= 0 ? { headerRow: header + 1 } : {}), columns: { '#1': { field: 'ignore' }, '#2': { field: 'heartRate' } } };
    },
  },
  {
    id: 'strava-activities',
    what: 'a Strava activities.csv (account export)',
    matches: (head) => startsWith(head[0], 'Activity ID', 'Activity Date', 'Activity Name', 'Activity Type'),
    device: { manufacturer: 'Strava' },
    utcDates: true,
    mapping: () => ({
      shape: 'summary',
      columns: {
        // The first Distance is in the athlete's display unit, rounded; the second is metres.
        'Distance#2': { field: 'distance', unit: UNITS.M },
        'Elapsed Time': { field: 'duration', unit: UNITS.SECOND },
        'Moving Time': { field: 'movingTime', unit: UNITS.SECOND },
        'Max Speed': { field: 'speedMax', unit: UNITS.MPS },
        'Average Speed': { field: 'speedAvg', unit: UNITS.MPS },
        'Elevation Gain': { field: 'ascent', unit: UNITS.M },
        'Elevation Loss': { field: 'descent', unit: UNITS.M },
        'Activity Private Note': { field: 'ignore' },
        Type: { field: 'ignore' },
        'Start Time': { field: 'ignore' },
      },
    }),
  },
  {
    id: 'garmin-connect-list',
    what: 'a Garmin Connect activity list',
    matches: (head) => (has(head[0], 'Activity Type') && has(head[0], 'Favorite')) || (has(head[0], 'Aktivitätstyp') && has(head[0], 'Favorit')),
    device: { manufacturer: 'Garmin' },
    mapping: () => ({ shape: 'summary' }),
  },
];

export const GENERIC_TABLE: VendorProfile = { id: 'csv', what: 'a CSV table', matches: () => true };

export function findVendor(head: readonly CsvRow[]): VendorProfile | undefined {
  return VENDORS.find((v) => v.matches(head));
}

/** A user's mapping over a profile's: top-level keys of the user win, columns merge. */
export function mergeMappings(base: CsvMapping | undefined, user: CsvMapping | undefined): CsvMapping | undefined {
  if (!base) return user;
  if (!user) return base;
  const columns = base.columns || user.columns ? { ...base.columns, ...user.columns } : undefined;
  return { ...base, ...user, ...(columns ? { columns } : {}) };
}
