/**
 * The FIT record walk: file headers, chained units, CRCs, definition messages and record
 * headers (normal and compressed timestamp). It knows no message meanings; it hands every
 * data message to a sink as (definition, content offset, timestamp). Every length comes from
 * the file, so every read is bounded by the buffer and by the unit's data_size.
 */
import type { WarningCollector } from '@optimo-import/workout';
import { fitCrc } from './crc.js';
import { baseTypeOf } from './fields.js';
import type { DevFieldDef, FieldDef, MessageDef } from './fields.js';

/**
 * Where messages go. The sink's functions are module-level and get their per-file state as an
 * argument: a closure made per parse would be a new call target each time, and V8 throws away
 * the walk's optimized code (deopt "weak objects") when the previous file's closure is collected.
 */
export interface FitSink<S> {
  /** A unit (header + data + CRC) begins: local definitions and developer fields restart. */
  beginUnit(state: S, index: number): void;
  /**
   * A data message. `start` is the offset of its content in the file; `timestamp` is its
   * field 253 or the compressed header's time (FIT seconds), NaN when it has neither.
   */
  message(state: S, def: MessageDef, start: number, timestamp: number): void;
}

export interface WalkResult {
  /** Units whose data was at least partly read. */
  units: number;
  /** Data messages handed to the sink. */
  messages: number;
  /** The file ends before a unit's data does. */
  truncated: boolean;
  /** Why the first unit could not be read at all (then nothing was decoded). */
  fatal?: { code: 'corrupt' | 'truncated' | 'no-data'; message: string; offset: number };
}

const TIMESTAMP_FIELD = 253;

function u32le(b: Uint8Array, p: number): number {
  return ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24)) >>> 0;
}

function u16le(b: Uint8Array, p: number): number {
  return (b[p] as number) | ((b[p + 1] as number) << 8);
}

/** Whether a FIT header starts at `p`: size 12 or 14 and ".FIT" at bytes 8..11. */
export function isFitHeader(b: Uint8Array, p: number): boolean {
  if (p + 12 > b.length) return false;
  const size = b[p];
  return (size === 12 || size === 14) && b[p + 8] === 0x2e && b[p + 9] === 0x46 && b[p + 10] === 0x49 && b[p + 11] === 0x54;
}

/** Walks every unit of a (possibly chained) FIT file. */
export function walkFit<S>(bytes: Uint8Array, sink: FitSink<S>, state: S, warnings: WarningCollector): WalkResult {
  const result: WalkResult = { units: 0, messages: 0, truncated: false };
  const len = bytes.length;
  let p = 0;
  for (let unit = 0; p < len; unit++) {
    if (!isFitHeader(bytes, p)) {
      if (unit === 0) {
        result.fatal =
          len < 12
            ? { code: len === 0 ? 'no-data' : 'truncated', message: `the file is ${len} bytes, shorter than a FIT header`, offset: 0 }
            : { code: 'corrupt', message: 'no FIT file header (size 12 or 14 and ".FIT")', offset: 0 };
      } else if (!allZero(bytes, p, len)) {
        warnings.add('chained-unit-corrupt', `bytes after FIT unit ${unit} are not a FIT header; ${len - p} trailing bytes were ignored`);
      }
      return result;
    }
    const headerSize = bytes[p] as number;
    if (p + headerSize > len) {
      if (unit === 0) result.fatal = { code: 'truncated', message: 'the file ends inside its header', offset: p };
      else warnings.add('chained-unit-corrupt', `FIT unit ${unit + 1} ends inside its header; it was ignored`);
      return result;
    }
    if (headerSize === 14) {
      const stored = u16le(bytes, p + 12);
      if (stored !== 0 && stored !== fitCrc(bytes, p, p + 12)) {
        warnings.add('crc-mismatch', 'a FIT header CRC does not match its content; the data was read anyway');
      }
    }
    const dataStart = p + headerSize;
    let dataSize = u32le(bytes, p + 4);
    if (dataSize === 0) {
      // Either an empty unit (perhaps with its CRC) or a header whose size was never filled in.
      const rest = len - dataStart;
      const next = rest <= 2 ? len : isFitHeader(bytes, dataStart + 2) ? dataStart + 2 : isFitHeader(bytes, dataStart) ? dataStart : -1;
      if (next >= 0) {
        warnings.add('chained-unit-empty', `FIT unit ${unit + 1} holds no data`);
        p = next;
        continue;
      }
      warnings.add('data-size-missing', `FIT unit ${unit + 1} states no data size; read to the end of the file`);
      dataSize = rest - 2;
    }
    const dataEnd = dataStart + dataSize;
    let end = dataEnd;
    if (dataEnd + 2 > len) {
      result.truncated = true;
      end = Math.min(dataEnd, len);
      warnings.add('truncated', `the file ends ${dataEnd + 2 - len} bytes before its data does (data_size ${dataSize}); kept what was read`);
    } else {
      const stored = u16le(bytes, dataEnd);
      if (stored !== fitCrc(bytes, p, dataEnd)) {
        warnings.add('crc-mismatch', 'the FIT file CRC does not match its content; the data was read anyway');
      }
    }
    result.units++;
    sink.beginUnit(state, unit);
    walkUnit(bytes, dataStart, end, unit, sink, state, warnings, result);
    if (result.truncated) return result;
    p = dataEnd + 2;
  }
  return result;
}

function allZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

function walkUnit<S>(
  bytes: Uint8Array,
  from: number,
  end: number,
  unit: number,
  sink: FitSink<S>,
  state: S,
  warnings: WarningCollector,
  result: WalkResult,
): void {
  const defs: (MessageDef | undefined)[] = new Array<MessageDef | undefined>(16);
  let lastTimestamp = NaN;
  let pos = from;
  let cut = false;
  while (pos < end) {
    const header = bytes[pos] as number;
    if (header & 0x80) {
      const def = defs[(header >> 5) & 0x03];
      if (!def) {
        undefinedLocal(warnings, unit, pos);
        return;
      }
      if (pos + 1 + def.size > end) {
        cut = true;
        break;
      }
      let ts = NaN;
      if (lastTimestamp === lastTimestamp) {
        ts = lastTimestamp + (((header & 0x1f) - (lastTimestamp & 0x1f)) & 0x1f);
        lastTimestamp = ts;
      } else {
        warnings.add('compressed-timestamp-without-base', 'messages with a compressed timestamp before any full timestamp have no time');
      }
      result.messages++;
      sink.message(state, def, pos + 1, ts);
      pos += 1 + def.size;
    } else if (header & 0x40) {
      const next = readDefinition(bytes, pos, end, header);
      if (!next) {
        cut = true;
        break;
      }
      defs[header & 0x0f] = next.def;
      pos = next.pos;
    } else {
      const def = defs[header & 0x0f];
      if (!def) {
        undefinedLocal(warnings, unit, pos);
        return;
      }
      if (pos + 1 + def.size > end) {
        cut = true;
        break;
      }
      let ts = NaN;
      if (def.timestampOffset >= 0) {
        const v = u32le(bytes, pos + 1 + def.timestampOffset);
        const t = def.little ? v : swap32(v);
        if (t !== 0xffffffff) {
          ts = t;
          lastTimestamp = t;
        }
      }
      result.messages++;
      sink.message(state, def, pos + 1, ts);
      pos += 1 + def.size;
    }
  }
  if (cut && !result.truncated) {
    warnings.add('message-cut', `a message in FIT unit ${unit + 1} runs past the unit's data; the rest of that unit was skipped`);
  }
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

function undefinedLocal(warnings: WarningCollector, unit: number, pos: number): void {
  warnings.add(
    'undefined-local-message',
    `byte ${pos}: a message uses a local type that FIT unit ${unit + 1} never defined; the rest of that unit cannot be read`,
  );
}

function readDefinition(bytes: Uint8Array, pos: number, end: number, header: number): { def: MessageDef; pos: number } | undefined {
  if (pos + 6 > end) return undefined;
  const little = bytes[pos + 2] !== 1;
  const global = little ? u16le(bytes, pos + 3) : ((bytes[pos + 3] as number) << 8) | (bytes[pos + 4] as number);
  const count = bytes[pos + 5] as number;
  let q = pos + 6;
  if (q + count * 3 > end) return undefined;
  const fields: FieldDef[] = new Array<FieldDef>(count);
  let offset = 0;
  let timestampOffset = -1;
  for (let i = 0; i < count; i++, q += 3) {
    const num = bytes[q] as number;
    const size = bytes[q + 1] as number;
    fields[i] = { num, offset, size, baseType: baseTypeOf(bytes[q + 2] as number) };
    if (num === TIMESTAMP_FIELD && size === 4) timestampOffset = offset;
    offset += size;
  }
  const devFields: DevFieldDef[] = [];
  if (header & 0x20) {
    if (q + 1 > end) return undefined;
    const devCount = bytes[q] as number;
    q++;
    if (q + devCount * 3 > end) return undefined;
    for (let i = 0; i < devCount; i++, q += 3) {
      const size = bytes[q + 1] as number;
      devFields.push({ num: bytes[q] as number, size, devIndex: bytes[q + 2] as number, offset });
      offset += size;
    }
  }
  return { def: { global, little, size: offset, fields, devFields, timestampOffset, compiled: undefined }, pos: q };
}
