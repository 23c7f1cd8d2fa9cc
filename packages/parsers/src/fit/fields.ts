/**
 * Reading field values out of a FIT message: base types, invalid sentinels, strings, and
 * field tables (FIT field number -> our key, scale, offset) compiled once per definition.
 */

/** Base type numbers (the low 5 bits of a field definition's base type byte). */
export const BaseType = {
  enum: 0,
  sint8: 1,
  uint8: 2,
  sint16: 3,
  uint16: 4,
  sint32: 5,
  uint32: 6,
  string: 7,
  float32: 8,
  float64: 9,
  uint8z: 10,
  uint16z: 11,
  uint32z: 12,
  byte: 13,
  sint64: 14,
  uint64: 15,
  uint64z: 16,
} as const;

/** Size in bytes of one value of each base type, indexed by base type number. */
export const BASE_TYPE_SIZE: readonly number[] = [1, 1, 1, 2, 2, 4, 4, 1, 4, 8, 1, 2, 4, 1, 8, 8, 8];

/** Base type number of a definition's base type byte; unknown types read as bytes. */
export function baseTypeOf(byte: number): number {
  const t = byte & 0x1f;
  return t <= 16 ? t : BaseType.byte;
}

export interface FieldDef {
  num: number;
  /** Offset of the field inside the message content (after the record header byte). */
  offset: number;
  size: number;
  baseType: number;
}

export interface DevFieldDef {
  num: number;
  devIndex: number;
  offset: number;
  size: number;
}

export interface MessageDef {
  global: number;
  little: boolean;
  /** Content size in bytes: native plus developer fields. */
  size: number;
  fields: FieldDef[];
  devFields: DevFieldDef[];
  /** Offset of a 4-byte timestamp (field 253) in the content, or -1. */
  timestampOffset: number;
  /** Reader compiled by the consumer on first use, cached with the definition. */
  compiled?: unknown;
}

const TWO_32 = 4294967296;

/**
 * The first value of a numeric field, or NaN when it is invalid (the base type's sentinel),
 * a string, or a size that is not a whole number of values (the profile then treats it as bytes).
 * Reads through a DataView, so misaligned fields need no special care.
 */
export function readNumber(view: DataView, pos: number, size: number, baseType: number, little: boolean): number {
  const unit = BASE_TYPE_SIZE[baseType] ?? 1;
  if (size < unit || size % unit !== 0) return NaN;
  let v: number;
  switch (baseType) {
    case BaseType.enum:
    case BaseType.uint8:
    case BaseType.byte:
      v = view.getUint8(pos);
      return v === 0xff ? NaN : v;
    case BaseType.uint8z:
      v = view.getUint8(pos);
      return v === 0 ? NaN : v;
    case BaseType.sint8:
      v = view.getInt8(pos);
      return v === 0x7f ? NaN : v;
    case BaseType.uint16:
      v = view.getUint16(pos, little);
      return v === 0xffff ? NaN : v;
    case BaseType.uint16z:
      v = view.getUint16(pos, little);
      return v === 0 ? NaN : v;
    case BaseType.sint16:
      v = view.getInt16(pos, little);
      return v === 0x7fff ? NaN : v;
    case BaseType.uint32:
      v = view.getUint32(pos, little);
      return v === 0xffffffff ? NaN : v;
    case BaseType.uint32z:
      v = view.getUint32(pos, little);
      return v === 0 ? NaN : v;
    case BaseType.sint32:
      v = view.getInt32(pos, little);
      return v === 0x7fffffff ? NaN : v;
    case BaseType.float32:
      v = view.getFloat32(pos, little);
      return Number.isFinite(v) ? v : NaN;
    case BaseType.float64:
      v = view.getFloat64(pos, little);
      return Number.isFinite(v) ? v : NaN;
    case BaseType.sint64:
    case BaseType.uint64:
    case BaseType.uint64z:
      return read64(view, pos, baseType, little);
    default:
      return NaN;
  }
}

function read64(view: DataView, pos: number, baseType: number, little: boolean): number {
  const lo = view.getUint32(little ? pos : pos + 4, little);
  const hiU = view.getUint32(little ? pos + 4 : pos, little);
  if (baseType === BaseType.uint64z) return lo === 0 && hiU === 0 ? NaN : hiU * TWO_32 + lo;
  if (baseType === BaseType.uint64) return lo === 0xffffffff && hiU === 0xffffffff ? NaN : hiU * TWO_32 + lo;
  if (hiU === 0x7fffffff && lo === 0xffffffff) return NaN;
  const hi = hiU | 0;
  return hi * TWO_32 + lo;
}

const utf8 = new TextDecoder('utf-8');

/** A string field: UTF-8 up to the first NUL or the field's end (writers forget the NUL). */
export function readString(bytes: Uint8Array, pos: number, size: number): string {
  let end = pos;
  const limit = pos + size;
  while (end < limit && bytes[end] !== 0) end++;
  if (end === pos) return '';
  return utf8.decode(bytes.subarray(pos, end)).trim();
}

/** One entry of a field table: FIT field number, our key, and the profile's scale and offset. */
export type FieldSpec<K extends string> = readonly [num: number, key: K, scale?: number, offset?: number];

interface CompiledTable<K extends string> {
  /** Per present field: offset, size, base type, scale, offset, key (flattened). */
  offsets: number[];
  sizes: number[];
  types: number[];
  scales: number[];
  shifts: number[];
  keys: K[];
}

/** Index of a table by field number, built once per table. */
export type FieldTable<K extends string> = ReadonlyMap<number, FieldSpec<K>>;

export function fieldTable<K extends string>(specs: readonly FieldSpec<K>[]): FieldTable<K> {
  return new Map(specs.map((s) => [s[0], s]));
}

function compileTable<K extends string>(def: MessageDef, table: FieldTable<K>): CompiledTable<K> {
  const out: CompiledTable<K> = { offsets: [], sizes: [], types: [], scales: [], shifts: [], keys: [] };
  for (const f of def.fields) {
    const spec = table.get(f.num);
    if (!spec) continue;
    out.offsets.push(f.offset);
    out.sizes.push(f.size);
    out.types.push(f.baseType);
    out.scales.push(spec[2] ?? 1);
    out.shifts.push(spec[3] ?? 0);
    out.keys.push(spec[1]);
  }
  return out;
}

/**
 * Reads the fields of `table` that the message holds, scaled (`raw / scale - offset`).
 * Invalid values are left out. The compiled form is cached on the definition.
 */
export function readFields<K extends string>(
  view: DataView,
  def: MessageDef,
  start: number,
  table: FieldTable<K>,
): Partial<Record<K, number>> {
  let c = def.compiled as CompiledTable<K> | undefined;
  if (!c) {
    c = compileTable(def, table);
    def.compiled = c;
  }
  const out: Partial<Record<K, number>> = {};
  for (let i = 0; i < c.keys.length; i++) {
    const raw = readNumber(view, start + (c.offsets[i] as number), c.sizes[i] as number, c.types[i] as number, def.little);
    if (raw === raw) out[c.keys[i] as K] = raw / (c.scales[i] as number) - (c.shifts[i] as number);
  }
  return out;
}

/** A string field by number ('' when absent or empty). */
export function stringField(bytes: Uint8Array, def: MessageDef, start: number, num: number): string {
  for (const f of def.fields) {
    if (f.num === num) return readString(bytes, start + f.offset, f.size);
  }
  return '';
}
