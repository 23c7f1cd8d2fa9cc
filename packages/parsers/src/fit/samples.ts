/**
 * From the record store's typed columns to one workout's `Samples` (columns of numbers with
 * `undefined` gaps) and its developer-field summaries.
 */
import type { Channel, Samples } from '@optimo-import/workout';
import { Col } from './record-store.js';
import type { RecordStore } from './record-store.js';

const COLUMN_CHANNELS: readonly (readonly [number, Channel])[] = [
  [Col.heartRate, 'heartRateBpm'],
  [Col.speed, 'speedMetersPerSecond'],
  [Col.cadence, 'cadencePerMinute'],
  [Col.power, 'powerWatts'],
  [Col.altitude, 'altitudeMeters'],
  [Col.latitude, 'latitudeDegrees'],
  [Col.longitude, 'longitudeDegrees'],
  [Col.distance, 'distanceMeters'],
  [Col.temperature, 'temperatureCelsius'],
];

export interface SampleOptions {
  /** FIT seconds of the workout start; offsets are measured from it. */
  start: number;
  /** Cadence in the file is strides per minute: double it into steps per minute. */
  stepsFromStrides: boolean;
  /** Subtracted from the cumulative distance (a later session of a multisport file). */
  distanceBase: number;
}

/** The samples of record rows `rows` (indices into the store, in file order). */
export function samplesOf(store: RecordStore, rows: Int32Array, options: SampleOptions): Samples {
  const n = rows.length;
  // Rows of one session are usually one contiguous run of the store: read it directly.
  const from = n > 0 && (rows[n - 1] as number) - (rows[0] as number) === n - 1 ? (rows[0] as number) : -1;
  const offsets = new Array<number>(n);
  const time = store.time;
  for (let i = 0; i < n; i++) offsets[i] = (time[from >= 0 ? from + i : (rows[i] as number)] as number) - options.start;
  const samples: Samples = { offsetSeconds: offsets };
  for (const [col, channel] of COLUMN_CHANNELS) {
    const values = store.columns[col];
    if (!values) continue;
    const factor = col === Col.cadence && options.stepsFromStrides ? 2 : 1;
    const shift = col === Col.distance ? options.distanceBase : 0;
    let present = n;
    if (store.present[col] !== store.length) {
      present = 0;
      for (let i = 0; i < n; i++) {
        const v = values[from >= 0 ? from + i : (rows[i] as number)] as number;
        if (v === v) present++;
      }
    }
    if (present === 0) continue;
    samples[channel] = present === n ? denseColumn(values, rows, from, factor, shift) : sparseColumn(values, rows, from, factor, shift);
  }
  return samples;
}

/** A column without gaps holds only numbers, so the engine keeps it as unboxed doubles. */
function denseColumn(values: Float64Array, rows: Int32Array, from: number, factor: number, shift: number): number[] {
  const n = rows.length;
  const out = new Array<number>(n);
  if (from >= 0 && factor === 1 && shift === 0) {
    for (let i = 0; i < n; i++) out[i] = values[from + i] as number;
  } else {
    for (let i = 0; i < n; i++) out[i] = ((values[from >= 0 ? from + i : (rows[i] as number)] as number) - shift) * factor;
  }
  return out;
}

function sparseColumn(values: Float64Array, rows: Int32Array, from: number, factor: number, shift: number): (number | undefined)[] {
  const n = rows.length;
  const out = new Array<number | undefined>(n);
  for (let i = 0; i < n; i++) {
    const v = values[from >= 0 ? from + i : (rows[i] as number)] as number;
    out[i] = v === v ? (v - shift) * factor : undefined;
  }
  return out;
}

/** The last distance before row position `before` among `rows` of the same unit, or NaN. */
export function lastDistanceBefore(store: RecordStore, unitFrom: number, firstRow: number): number {
  const distance = store.columns[Col.distance];
  if (!distance) return NaN;
  for (let r = firstRow - 1; r >= unitFrom; r--) {
    const v = distance[r] as number;
    if (v === v) return v;
  }
  return NaN;
}

/** The first distance among `rows`, or NaN. */
export function firstDistance(store: RecordStore, rows: Int32Array): number {
  const distance = store.columns[Col.distance];
  if (!distance) return NaN;
  for (let i = 0; i < rows.length; i++) {
    const v = distance[rows[i] as number] as number;
    if (v === v) return v;
  }
  return NaN;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** Readable summaries of the numeric developer fields of `unit` over `rows`, keyed by field name. */
export function devSummaries(store: RecordStore, unit: number, rows: Int32Array): [name: string, id: string, summary: string][] {
  const out: [string, string, string][] = [];
  for (const column of store.dev) {
    if (column.unit !== unit) continue;
    let count = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < rows.length; i++) {
      const v = column.values[rows[i] as number] as number;
      if (v !== v) continue;
      count++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (count === 0) continue;
    const units = column.units ? ` ${column.units}` : '';
    const summary = `avg ${round(sum / count)}${units}, min ${round(min)}, max ${round(max)} (${count} samples)`;
    out.push([column.name, `${column.devIndex}.${column.num}`, summary]);
  }
  return out;
}
