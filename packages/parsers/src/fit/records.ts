/**
 * `record` messages straight into growable typed columns (NaN = gap): no object per record.
 * Each record definition is compiled once into a flat plan of (offset, size, base type) slots.
 */
import { BASE_TYPE_SIZE, BaseType, readNumber as readNumberImport, readString } from './fields.js';
import type { MessageDef } from './fields.js';
import { RecordField } from './profile.js';
import { Col, column, grow } from './record-store.js';
import type { DevDescription, RecordStore } from './record-store.js';

/**
 * Hot-path functions are held in module constants: some loaders (tsx, vite's SSR transform)
 * turn every access to an imported binding into a getter call, which would cost more than the
 * read itself.
 */
const readNumber = readNumberImport;
const { latitude: C_LAT, longitude: C_LON, altitude: C_ALT, heartRate: C_HR, cadence: C_CAD, distance: C_DIST, speed: C_SPEED, power: C_POWER, temperature: C_TEMP } = Col;

/** At most this many numeric developer channels are kept per file. */
const MAX_DEV_COLUMNS = 32;

/** Writes a value into a column the record's plan allocated (merged rows go through `put`). */
function set(store: RecordStore, c: number, row: number, v: number, merging: boolean): void {
  if (merging) {
    put(store, c, row, v);
    return;
  }
  (store.columns[c] as Float64Array)[row] = v;
  store.present[c] = (store.present[c] as number) + 1;
}

/** Sets a value; in a merged row the first value stays and a different second one is counted. */
function put(store: RecordStore, c: number, row: number, v: number): void {
  const col = column(store, c);
  const old = col[row] as number;
  if (old !== old) {
    col[row] = v;
    store.present[c] = (store.present[c] as number) + 1;
  } else if (old !== v) store.conflicts++;
}

// Slots of the compiled plan, four numbers each: offset (-1 = absent), size, base type and a
// reader kind (little-endian integers are read straight from the bytes).
const SLOT = 4;
const I_LAT = 0;
const I_LON = 1;
const I_ALT = 2;
const I_EALT = 3;
const I_HR = 4;
const I_CAD = 5;
const I_FCAD = 6;
const I_DIST = 7;
const I_SPEED = 8;
const I_ESPEED = 9;
const I_POWER = 10;
const I_TEMP = 11;
const I_CSD = 12;
const S_LAT = I_LAT * SLOT;
const S_LON = I_LON * SLOT;
const S_ALT = I_ALT * SLOT;
const S_EALT = I_EALT * SLOT;
const S_HR = I_HR * SLOT;
const S_CAD = I_CAD * SLOT;
const S_DIST = I_DIST * SLOT;
const S_SPEED = I_SPEED * SLOT;
const S_ESPEED = I_ESPEED * SLOT;
const S_POWER = I_POWER * SLOT;
const S_TEMP = I_TEMP * SLOT;
const S_CSD = I_CSD * SLOT;

/** Values of the current record's slots (NaN = absent or invalid); reused for every record. */
const values = new Float64Array(13);

const K_GENERIC = 0;
const K_U8 = 1;
const K_S8 = 2;
const K_U16 = 3;
const K_U32 = 4;
const K_S32 = 5;

/** The fast reader kind of a field, or K_GENERIC (DataView, any endianness or type). */
function kindOf(size: number, baseType: number, little: boolean): number {
  const unit = BASE_TYPE_SIZE[baseType] ?? 1;
  if (size < unit || size % unit !== 0) return K_GENERIC;
  switch (baseType) {
    case BaseType.enum:
    case BaseType.uint8:
    case BaseType.byte:
      return K_U8;
    case BaseType.sint8:
      return K_S8;
    case BaseType.uint16:
      return little ? K_U16 : K_GENERIC;
    case BaseType.uint32:
      return little ? K_U32 : K_GENERIC;
    case BaseType.sint32:
      return little ? K_S32 : K_GENERIC;
    default:
      return K_GENERIC;
  }
}

const SLOT_FIELDS: readonly number[] = [
  RecordField.positionLat,
  RecordField.positionLong,
  RecordField.altitude,
  RecordField.enhancedAltitude,
  RecordField.heartRate,
  RecordField.cadence,
  RecordField.fractionalCadence,
  RecordField.distance,
  RecordField.speed,
  RecordField.enhancedSpeed,
  RecordField.power,
  RecordField.temperature,
  RecordField.compressedSpeedDistance,
];

interface DevSlot {
  offset: number;
  size: number;
  baseType: number;
  scale: number;
  shift: number;
  /** Index into store.dev, or -1 for a string field. */
  column: number;
  /** `unit:devIndex:num`, and `devIndex.num` as shown to users. */
  key: string;
  id: string;
  name: string;
}

interface RecordPlan {
  slots: Int32Array;
  /** Indices of the slots this definition has (the compressed speed/distance bytes excepted). */
  active: Int32Array;
  dev: DevSlot[];
}

/** Finds a developer field's description in the current unit. */
export type DevLookup = (devIndex: number, num: number) => DevDescription | undefined;

function compile(store: RecordStore, def: MessageDef, unit: number, lookup: DevLookup): RecordPlan {
  const slots = new Int32Array(SLOT_FIELDS.length * SLOT).fill(-1);
  for (const f of def.fields) {
    const i = SLOT_FIELDS.indexOf(f.num);
    if (i >= 0) {
      slots[i * SLOT] = f.offset;
      slots[i * SLOT + 1] = f.size;
      slots[i * SLOT + 2] = f.baseType;
      slots[i * SLOT + 3] = kindOf(f.size, f.baseType, def.little);
    }
  }
  if ((slots[S_CSD] as number) >= 0) store.csdSeen = true;
  // Columns this definition can fill exist from now on, so the fast path writes without checks.
  const fills: [number, number[]][] = [
    [C_LAT, [S_LAT]],
    [C_LON, [S_LON]],
    [C_ALT, [S_ALT, S_EALT]],
    [C_HR, [S_HR]],
    [C_CAD, [S_CAD]],
    [C_DIST, [S_DIST, S_CSD]],
    [C_SPEED, [S_SPEED, S_ESPEED, S_CSD]],
    [C_POWER, [S_POWER]],
    [C_TEMP, [S_TEMP]],
  ];
  for (const [c, from] of fills) if (from.some((i) => (slots[i] as number) >= 0)) column(store, c);
  const dev: DevSlot[] = [];
  for (const d of def.devFields) {
    const desc = lookup(d.devIndex, d.num);
    if (!desc) {
      store.undescribedDevFields++;
      continue;
    }
    const key = `${unit}:${d.devIndex}:${d.num}`;
    let columnIndex = -1;
    if (desc.baseType !== BaseType.string) {
      columnIndex = store.dev.findIndex((c) => c.unit === unit && c.devIndex === d.devIndex && c.num === d.num);
      if (columnIndex < 0) {
        if (store.dev.length >= MAX_DEV_COLUMNS) {
          store.devColumnsDropped++;
          continue;
        }
        store.dev.push({ unit, devIndex: d.devIndex, num: d.num, name: desc.name, units: desc.units, values: new Float32Array(store.capacity).fill(NaN) });
        columnIndex = store.dev.length - 1;
      }
    }
    dev.push({ offset: d.offset, size: d.size, baseType: desc.baseType, scale: desc.scale, shift: desc.offset, column: columnIndex, key, id: `${d.devIndex}.${d.num}`, name: desc.name });
  }
  const active: number[] = [];
  for (let i = 0; i < I_CSD; i++) if ((slots[i * SLOT] as number) >= 0) active.push(i);
  return { slots, active: Int32Array.from(active), dev };
}

const SEMICIRCLE_DEGREES = 180 / 2147483648;

function slot(view: DataView, b: Uint8Array, start: number, s: Int32Array, i: number, little: boolean): number {
  const offset = s[i] as number;
  if (offset < 0) return NaN;
  const p = start + offset;
  let v: number;
  switch (s[i + 3]) {
    case K_U8:
      v = b[p] as number;
      return v === 0xff ? NaN : v;
    case K_S8:
      v = ((b[p] as number) << 24) >> 24;
      return v === 0x7f ? NaN : v;
    case K_U16:
      v = (b[p] as number) | ((b[p + 1] as number) << 8);
      return v === 0xffff ? NaN : v;
    case K_U32:
      v = ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24)) >>> 0;
      return v === 0xffffffff ? NaN : v;
    case K_S32:
      v = (b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24);
      return v === 0x7fffffff ? NaN : v;
    default:
      return readNumber(view, p, s[i + 1] as number, s[i + 2] as number, little);
  }
}

/** Appends one record message as a row of the store. */
export function appendRecord(
  store: RecordStore,
  view: DataView,
  bytes: Uint8Array,
  def: MessageDef,
  start: number,
  timestamp: number,
  unit: number,
  lookup: DevLookup,
): void {
  if (timestamp !== timestamp) {
    store.withoutTime++;
    return;
  }
  if (store.length >= store.max) {
    store.dropped++;
    return;
  }
  let plan = def.compiled as RecordPlan | undefined;
  if (!plan) {
    plan = compile(store, def, unit, lookup);
    def.compiled = plan;
  }
  let row: number;
  const merging = store.length > store.unitStart && store.time[store.length - 1] === timestamp;
  if (merging) {
    // Same second as the record before (writers that split one sample over two records).
    row = store.length - 1;
    store.merged++;
  } else {
    if (store.length === store.capacity) grow(store);
    row = store.length++;
    store.time[row] = timestamp;
  }
  // One read loop (one call site, so the reader is inlined), then the channel logic.
  const le = def.little;
  const s = plan.slots;
  const v = values;
  for (let i = 0; i < I_CSD; i++) v[i] = NaN;
  const active = plan.active;
  for (let k = 0; k < active.length; k++) {
    const i = active[k] as number;
    v[i] = slot(view, bytes, start, s, i * SLOT, le);
  }

  const lat = v[I_LAT] as number;
  if (lat === lat) set(store, C_LAT, row, lat * SEMICIRCLE_DEGREES, merging);
  const lon = v[I_LON] as number;
  if (lon === lon) set(store, C_LON, row, lon * SEMICIRCLE_DEGREES, merging);
  let alt = v[I_EALT] as number;
  if (alt !== alt) alt = v[I_ALT] as number;
  if (alt === alt) set(store, C_ALT, row, alt / 5 - 500, merging);
  const hr = v[I_HR] as number;
  if (hr === hr) set(store, C_HR, row, hr, merging);
  const cad = v[I_CAD] as number;
  if (cad === cad) {
    const frac = v[I_FCAD] as number;
    set(store, C_CAD, row, frac === frac ? cad + frac / 128 : cad, merging);
  }
  let dist = v[I_DIST] as number;
  let speed = v[I_ESPEED] as number;
  if (speed !== speed) speed = v[I_SPEED] as number;
  if ((s[S_CSD] as number) >= 0 && (s[S_CSD + 1] as number) >= 3) {
    const csd = compressedSpeedDistance(store, bytes, start + (s[S_CSD] as number), dist);
    if (speed !== speed && csd.speed === csd.speed) speed = csd.speed * 1000;
    if (dist !== dist && csd.distance === csd.distance) dist = csd.distance * 100;
  } else if (dist === dist && store.csdSeen) {
    store.csdDistance = Math.round((dist / 100) * 16);
    store.csdLast = store.csdDistance & 0xfff;
  }
  if (dist === dist) set(store, C_DIST, row, dist / 100, merging);
  if (speed === speed) set(store, C_SPEED, row, speed / 1000, merging);
  const power = v[I_POWER] as number;
  if (power === power) set(store, C_POWER, row, power, merging);
  const temp = v[I_TEMP] as number;
  if (temp === temp) set(store, C_TEMP, row, temp, merging);

  for (const d of plan.dev) readDevSlot(store, view, bytes, start, d, row, unit, le);
}

const csdOut = { speed: NaN, distance: NaN };

/** compressed_speed_distance: 12 bits of speed (1/100 m/s) and 12 accumulating bits of distance (1/16 m). */
function compressedSpeedDistance(store: RecordStore, bytes: Uint8Array, p: number, directDistance: number): typeof csdOut {
  const b0 = bytes[p] as number;
  const b1 = bytes[p + 1] as number;
  const b2 = bytes[p + 2] as number;
  csdOut.speed = NaN;
  csdOut.distance = NaN;
  if (b0 === 0xff && b1 === 0xff && b2 === 0xff) return csdOut;
  csdOut.speed = (b0 | ((b1 & 0x0f) << 8)) / 100;
  const d12 = (b1 >> 4) | (b2 << 4);
  if (directDistance === directDistance) {
    store.csdDistance = Math.round((directDistance / 100) * 16);
    store.csdLast = store.csdDistance & 0xfff;
  } else if (store.csdDistance !== store.csdDistance) {
    store.csdDistance = d12;
    store.csdLast = d12;
  } else {
    store.csdDistance += (d12 - store.csdLast) & 0xfff;
    store.csdLast = d12;
  }
  csdOut.distance = store.csdDistance / 16;
  return csdOut;
}

function readDevSlot(store: RecordStore, view: DataView, bytes: Uint8Array, start: number, d: DevSlot, row: number, unit: number, le: boolean): void {
  if (d.column < 0) {
    const text = readString(bytes, start + d.offset, d.size);
    if (text) store.devStrings.set(d.key, { unit, id: d.id, name: d.name, value: text.slice(0, 200) });
    return;
  }
  const raw = readNumber(view, start + d.offset, d.size, d.baseType, le);
  const col = store.dev[d.column];
  if (raw === raw && col && col.values[row] !== col.values[row]) col.values[row] = raw / d.scale - d.shift;
}
