/** The FIT mutator of the fuzz campaign (fuzz-campaign-mutators.ts): record-aware changes of a FIT file. */
import { capped, concat, int, mutateBytes, pick } from './fuzz-campaign-bytes.js';
import type { Rand } from './fuzz-campaign-bytes.js';

// ---------------------------------------------------------------------------------------------
// FIT

interface FitRecord {
  at: number;
  size: number;
  kind: 'definition' | 'data' | 'compressed';
  local: number;
}

/** The records of a FIT file's first unit, as far as they can be walked (a damaged file gives fewer). */
export function fitRecords(bytes: Uint8Array): { headerSize: number; records: FitRecord[] } | undefined {
  const headerSize = bytes[0] ?? 0;
  if ((headerSize !== 12 && headerSize !== 14) || bytes.length < headerSize) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = Math.min(bytes.length, headerSize + view.getUint32(4, true));
  const sizes = new Map<number, number>();
  const records: FitRecord[] = [];
  let p = headerSize;
  while (p < end && records.length < 100_000) {
    const header = bytes[p] as number;
    if (header & 0x80) {
      const local = (header >> 5) & 0x03;
      const size = 1 + (sizes.get(local) ?? 0);
      records.push({ at: p, size, kind: 'compressed', local });
      p += size;
    } else if (header & 0x40) {
      if (p + 6 > end) break;
      const fields = bytes[p + 5] as number;
      let size = 6 + fields * 3;
      let dataSize = 0;
      for (let f = 0; f < fields; f++) dataSize += bytes[p + 6 + f * 3 + 1] ?? 0;
      if (header & 0x20) {
        const devFields = bytes[p + size] ?? 0;
        for (let f = 0; f < devFields; f++) dataSize += bytes[p + size + 1 + f * 3 + 1] ?? 0;
        size += 1 + devFields * 3;
      }
      sizes.set(header & 0x0f, dataSize);
      records.push({ at: p, size, kind: 'definition', local: header & 0x0f });
      p += size;
    } else {
      const size = 1 + (sizes.get(header & 0x0f) ?? 0);
      records.push({ at: p, size, kind: 'data', local: header & 0x0f });
      p += size;
    }
  }
  return { headerSize, records };
}

const FIT_MESSAGES = [0, 18, 19, 20, 21, 23, 34, 49, 101, 206, 207, 0xfffe, 0xffff];
const FIT_BASE_TYPES = [0x00, 0x01, 0x02, 0x83, 0x84, 0x85, 0x86, 0x07, 0x88, 0x89, 0x0a, 0x8b, 0x8c, 0x0d, 0x8e, 0x8f, 0x90, 0x1f, 0xff];

function fitCrc(bytes: Uint8Array, from: number, to: number): number {
  const table = [0x0000, 0xcc01, 0xd801, 0x1400, 0xf001, 0x3c00, 0x2800, 0xe401, 0xa001, 0x6c00, 0x7800, 0xb401, 0x5000, 0x9c01, 0x8801, 0x4400];
  let crc = 0;
  for (let i = from; i < to; i++) {
    const byte = bytes[i] as number;
    let tmp = table[crc & 0xf] as number;
    crc = (crc >> 4) & 0x0fff;
    crc = crc ^ tmp ^ (table[byte & 0xf] as number);
    tmp = table[crc & 0xf] as number;
    crc = (crc >> 4) & 0x0fff;
    crc = crc ^ tmp ^ (table[(byte >> 4) & 0xf] as number);
  }
  return crc;
}

/** Sets the header's data size to what the file holds and recomputes both CRCs. */
function refitFit(bytes: Uint8Array): Uint8Array {
  const headerSize = bytes[0] as number;
  if (bytes.length < headerSize + 2) return bytes;
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  view.setUint32(4, out.length - headerSize - 2, true);
  if (headerSize === 14) view.setUint16(12, fitCrc(out, 0, 12), true);
  view.setUint16(out.length - 2, fitCrc(out, 0, out.length - 2), true);
  return out;
}

export function mutateFit(input: Uint8Array, other: Uint8Array, rand: Rand): Uint8Array {
  const walked = fitRecords(input);
  if (walked === undefined || walked.records.length === 0) return mutateBytes(input, other, rand);
  let out: Uint8Array = input.slice();
  const { records } = walked;
  const definitions = records.filter((r) => r.kind === 'definition');
  const data = records.filter((r) => r.kind === 'data');
  for (let k = 0, ops = 1 + int(rand, 3); k < ops; k++) {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    switch (int(rand, 8)) {
      case 0: // the header: data size, header size, protocol, signature
        if (out.length < 12) break;
        switch (int(rand, 4)) {
          case 0:
            view.setUint32(4, pick(rand, [0, 1, 0xffffffff, 0x7fffffff, out.length, out.length * 2, int(rand, out.length)]) >>> 0, true);
            break;
          case 1:
            out[0] = pick(rand, [0, 1, 11, 12, 13, 14, 15, 255]);
            break;
          case 2:
            out[1] = pick(rand, [0x10, 0x20, 0xff, 0x00]);
            break;
          default:
            out[8 + int(rand, 4)] = int(rand, 256);
        }
        break;
      case 1: {
        // a definition's field count, a field's size or base type, its message number or architecture
        const def = definitions.length === 0 ? undefined : pick(rand, definitions);
        if (def === undefined || def.at + 6 > out.length) break;
        const fields = out[def.at + 5] as number;
        const field = def.at + 6 + int(rand, Math.max(1, fields)) * 3;
        switch (int(rand, 6)) {
          case 0:
            out[def.at + 5] = pick(rand, [0, 1, fields + 1, Math.max(0, fields - 1), 255]);
            break;
          case 1:
            if (field + 1 < out.length) out[field + 1] = pick(rand, [0, 1, 2, 3, 4, 5, 7, 8, 16, 255]);
            break;
          case 2:
            if (field + 2 < out.length) out[field + 2] = pick(rand, FIT_BASE_TYPES);
            break;
          case 3:
            view.setUint16(def.at + 3, pick(rand, FIT_MESSAGES), out[def.at + 2] === 0);
            break;
          case 4:
            out[def.at + 2] = pick(rand, [0, 1, 2, 255]);
            break;
          default:
            if (field < out.length) out[field] = int(rand, 256);
        }
        break;
      }
      case 2: {
        // a data record's bytes set to an invalid sentinel, zero or noise
        const rec = data.length === 0 ? undefined : pick(rand, data);
        if (rec === undefined || rec.size < 2) break;
        const from = rec.at + 1 + int(rand, rec.size - 1);
        const to = Math.min(out.length, from + 1 + int(rand, 8));
        const fill = pick(rand, [0xff, 0x00, 0x7f, 0x80, -1]);
        for (let i = from; i < to; i++) out[i] = fill < 0 ? int(rand, 256) : fill;
        break;
      }
      case 3: {
        // delete, duplicate or move a whole record
        const rec = pick(rand, records);
        const body = out.slice(rec.at, rec.at + rec.size);
        const op = int(rand, 3);
        if (op === 0) out = concat(out.subarray(0, rec.at), out.subarray(rec.at + rec.size));
        else if (op === 1) out = concat(out.subarray(0, rec.at + rec.size), body, out.subarray(rec.at + rec.size));
        else {
          const to = pick(rand, records);
          const without = concat(out.subarray(0, rec.at), out.subarray(rec.at + rec.size));
          const at = Math.min(to.at, without.length);
          out = concat(without.subarray(0, at), body, without.subarray(at));
        }
        break;
      }
      case 4: {
        // a record header: another local type, the developer flag, or a compressed timestamp
        const rec = pick(rand, records);
        if (rec.at >= out.length) break;
        const header = out[rec.at] as number;
        out[rec.at] = pick(rand, [(header & 0xf0) | int(rand, 16), header ^ 0x20, 0x80 | (int(rand, 4) << 5) | int(rand, 32), header ^ 0x40]);
        break;
      }
      case 5: {
        // a definition from another file spliced in (other field layouts for the same local type)
        const theirs = fitRecords(other);
        const def = theirs?.records.find((r, i) => r.kind === 'definition' && i >= int(rand, theirs.records.length));
        const at = pick(rand, records).at;
        if (def !== undefined) out = concat(out.subarray(0, at), other.subarray(def.at, def.at + def.size), out.subarray(at));
        break;
      }
      case 6: // a second unit: the file chained to itself or to the other input
        out = concat(out, pick(rand, [input, other]).subarray(0, int(rand, 2) === 0 ? undefined : int(rand, other.length)));
        break;
      default:
        out = mutateBytes(out, other, rand);
    }
  }
  return capped(int(rand, 2) === 0 ? refitFit(out) : out);
}
