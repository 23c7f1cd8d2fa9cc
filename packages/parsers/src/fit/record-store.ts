/**
 * The record store: one growable typed column per channel (NaN = gap), the record times, and
 * the numeric developer channels, all row-aligned. Rows are appended by records.ts.
 */

/** Column indices of the record store. */
export const Col = {
  latitude: 0,
  longitude: 1,
  altitude: 2,
  heartRate: 3,
  /** Cadence + fractional cadence, as the file states it (strides/min on foot). */
  cadence: 4,
  distance: 5,
  speed: 6,
  power: 7,
  temperature: 8,
} as const;
const COLUMN_COUNT = 9;

/** A numeric developer field of records, one value per record row. */
export interface DevColumn {
  unit: number;
  devIndex: number;
  num: number;
  name: string;
  units: string;
  /** Float32 is ample for the avg/min/max summaries these feed and halves their memory. */
  values: Float32Array;
}

/** What a field_description says about a developer field. */
export interface DevDescription {
  devIndex: number;
  num: number;
  name: string;
  units: string;
  baseType: number;
  scale: number;
  offset: number;
}

export interface RecordStore {
  length: number;
  capacity: number;
  /** Most rows kept (ParseLimits.maxSamples); records past it are counted in `dropped`. */
  max: number;
  /** FIT seconds of each row. */
  time: Float64Array;
  columns: (Float64Array | undefined)[];
  /** Values set in each column (equal to `length` when the column has no gap). */
  present: Int32Array;
  dev: DevColumn[];
  /** Last value of string developer fields, by `unit:devIndex:num`. */
  devStrings: Map<string, { unit: number; id: string; name: string; value: string }>;
  dropped: number;
  withoutTime: number;
  /** First row of the current unit: records are merged only within a unit. */
  unitStart: number;
  /** Records merged into the record before them (same timestamp). */
  merged: number;
  /** Values of merged records that differed from the value already there (the first is kept). */
  conflicts: number;
  undescribedDevFields: number;
  devColumnsDropped: number;
  /** Accumulator of the 12-bit distance inside compressed_speed_distance (once a definition has it). */
  csdSeen: boolean;
  csdDistance: number;
  csdLast: number;
}

/** `sizeHint` (the file size) sets the first capacity: a 1 Hz record takes some 20-40 bytes. */
export function createRecordStore(max: number, sizeHint = 0): RecordStore {
  const capacity = Math.max(16, Math.min(Math.max(1024, Math.ceil(sizeHint / 24)), max));
  return {
    length: 0,
    capacity,
    max,
    time: new Float64Array(capacity),
    columns: new Array<Float64Array | undefined>(COLUMN_COUNT),
    present: new Int32Array(COLUMN_COUNT),
    dev: [],
    devStrings: new Map(),
    dropped: 0,
    withoutTime: 0,
    unitStart: 0,
    merged: 0,
    conflicts: 0,
    undescribedDevFields: 0,
    devColumnsDropped: 0,
    csdSeen: false,
    csdDistance: NaN,
    csdLast: 0,
  };
}

function nanArray(capacity: number, from?: Float64Array): Float64Array {
  const a = new Float64Array(capacity);
  const start = from ? from.length : 0;
  if (from) a.set(from);
  a.fill(NaN, start);
  return a;
}

/** Doubles the capacity (up to the sample limit), keeping every column row-aligned. */
export function grow(store: RecordStore): void {
  const capacity = Math.min(store.capacity * 2, Math.max(store.max, 16));
  const time = new Float64Array(capacity);
  time.set(store.time);
  store.time = time;
  for (let c = 0; c < COLUMN_COUNT; c++) {
    const col = store.columns[c];
    if (col) store.columns[c] = nanArray(capacity, col);
  }
  for (const d of store.dev) {
    const values = new Float32Array(capacity).fill(NaN);
    values.set(d.values);
    d.values = values;
  }
  store.capacity = capacity;
}

/** Column `c`, allocated (all gaps) on first use. */
export function column(store: RecordStore, c: number): Float64Array {
  let col = store.columns[c];
  if (!col) {
    col = nanArray(store.capacity);
    store.columns[c] = col;
  }
  return col;
}
