/** The container mutator of the fuzz campaign (fuzz-campaign-mutators.ts): zip and gzip, with a zip writer that can lie. */
import { crc32, deflateRawSync, gzipSync, inflateRawSync } from 'node:zlib';
import { capped, concat, int, mutateBytes, pick, MAX_INPUT_BYTES } from './fuzz-campaign-bytes.js';
import type { Rand } from './fuzz-campaign-bytes.js';
import { decoder, encoder } from './fuzz-campaign-mutate-text.js';

// ---------------------------------------------------------------------------------------------
// Containers

interface ZipMember {
  name: string;
  bytes: Uint8Array;
}

/** The members of a zip, read leniently (stored and deflate; anything odd is left out). */
export function zipMembers(bytes: Uint8Array): ZipMember[] | undefined {
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) return undefined;
  const out: ZipMember[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  while (p + 30 <= bytes.length && view.getUint32(p, true) === 0x04034b50 && out.length < 200) {
    const method = view.getUint16(p + 8, true);
    const compressed = view.getUint32(p + 18, true);
    const nameLength = view.getUint16(p + 26, true);
    const extra = view.getUint16(p + 28, true);
    const name = decoder.decode(bytes.subarray(p + 30, p + 30 + nameLength));
    const start = p + 30 + nameLength + extra;
    const data = bytes.subarray(start, start + compressed);
    try {
      const inflated = method === 8 ? inflateRaw(data) : data.slice();
      out.push({ name, bytes: inflated });
    } catch {
      // a damaged member is left out
    }
    p = start + compressed;
  }
  return out;
}

function inflateRaw(data: Uint8Array): Uint8Array {
  return new Uint8Array(inflateRawSync(data, { maxOutputLength: MAX_INPUT_BYTES }));
}

interface ZipWriteEntry {
  name: string;
  bytes: Uint8Array;
  method?: number;
  flags?: number;
  declaredSize?: number;
  crc?: number;
  /** Point the central entry at the local header of this earlier entry (an overlapping entry). */
  sameDataAs?: number;
}

/** A zip writer that can lie: names, sizes, methods, flags, CRCs and overlapping entries as asked. */
export function writeZip(entries: readonly ZipWriteEntry[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const method = entry.method ?? 8;
    const data = method === 8 ? new Uint8Array(deflateRawSync(entry.bytes)) : entry.bytes;
    const crc = entry.crc ?? crc32(entry.bytes) >>> 0;
    const size = entry.declaredSize ?? entry.bytes.length;
    const flags = entry.flags ?? 0x800;
    const at = entry.sameDataAs !== undefined ? (offsets[entry.sameDataAs] ?? 0) : offset;
    offsets.push(at);
    if (entry.sameDataAs === undefined) {
      const local = new DataView(new ArrayBuffer(30));
      local.setUint32(0, 0x04034b50, true);
      local.setUint16(4, 20, true);
      local.setUint16(6, flags, true);
      local.setUint16(8, method, true);
      local.setUint32(14, crc, true);
      local.setUint32(18, data.length, true);
      local.setUint32(22, size, true);
      local.setUint16(26, name.length, true);
      locals.push(new Uint8Array(local.buffer), name, data);
      offset += 30 + name.length + data.length;
    }
    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, 0x02014b50, true);
    central.setUint16(4, 20, true);
    central.setUint16(6, 20, true);
    central.setUint16(8, flags, true);
    central.setUint16(10, method, true);
    central.setUint32(16, crc, true);
    central.setUint32(20, data.length, true);
    central.setUint32(24, size, true);
    central.setUint16(28, name.length, true);
    central.setUint32(42, at, true);
    centrals.push(new Uint8Array(central.buffer), name);
  }
  const cd = concat(...centrals);
  const eocd = new DataView(new ArrayBuffer(22));
  eocd.setUint32(0, 0x06054b50, true);
  eocd.setUint16(8, entries.length, true);
  eocd.setUint16(10, entries.length, true);
  eocd.setUint32(12, cd.length, true);
  eocd.setUint32(16, offset, true);
  return concat(...locals, cd, new Uint8Array(eocd.buffer));
}

const HOSTILE_NAMES = ['../x.fit', '../../etc/x.gpx', '/abs.fit', '\\abs.tcx', 'C:\\x.fit', 'c:x.gpx', 'a/../../b.fit', 'ctl\u0001.fit', 'nl\n.gpx', '', 'dir/', '__MACOSX/._a.fit', '._a.fit', '.DS_Store', 'x.pdd', 'a'.repeat(300)];
const INNER_NAMES = ['a.fit', 'b.tcx', 'c.gpx', 'd.hrm', 'e.xml', 'f.json', 'g.pwx', 'h.csv', 'i.fit.gz', 'j.zip', 'k.txt', 'folder/l.gpx'];

export function mutateContainer(input: Uint8Array, other: Uint8Array, rand: Rand): Uint8Array {
  if (input[0] === 0x1f && input[1] === 0x8b) return mutateGzip(input, other, rand);
  const members = zipMembers(input);
  if (members === undefined || members.length === 0) return mutateBytes(input, other, rand);
  const entries: ZipWriteEntry[] = members.map((m) => ({ name: m.name, bytes: m.bytes }));
  for (let k = 0, ops = 1 + int(rand, 3); k < ops && entries.length > 0; k++) {
    const at = int(rand, entries.length);
    const entry = entries[at] as ZipWriteEntry;
    switch (int(rand, 9)) {
      case 0:
        entry.name = pick(rand, HOSTILE_NAMES);
        break;
      case 1:
        entry.declaredSize = pick(rand, [0, 1, entry.bytes.length - 1, entry.bytes.length + 1, 0xffffffff, 0x7fffffff]) >>> 0;
        break;
      case 2:
        entry.method = pick(rand, [0, 1, 12, 14, 93, 99]);
        break;
      case 3:
        entry.flags = pick(rand, [0x1, 0x8, 0x41, 0x0]);
        break;
      case 4:
        entry.crc = int(rand, 0xffffffff) >>> 0;
        break;
      case 5:
        entries.push({ ...entry, name: `copy-${entries.length}-${entry.name}`, sameDataAs: at });
        break;
      case 6:
        // the bytes of an entry mutated, or replaced by the other input (a container inside a container)
        entry.bytes = int(rand, 2) === 0 ? mutateBytes(entry.bytes, other, rand) : other;
        entry.name = int(rand, 2) === 0 ? entry.name : pick(rand, INNER_NAMES);
        break;
      case 7:
        entries.push({ name: pick(rand, INNER_NAMES), bytes: int(rand, 2) === 0 ? new Uint8Array(gzipSync(entry.bytes)) : writeZip([{ name: pick(rand, INNER_NAMES), bytes: entry.bytes }]) });
        break;
      default:
        entries.splice(at, 1);
    }
  }
  const zip = writeZip(entries.length === 0 ? [{ name: 'empty.txt', bytes: new Uint8Array(0) }] : entries);
  return capped(int(rand, 4) === 0 ? mutateBytes(zip, other, rand) : zip);
}

function mutateGzip(input: Uint8Array, other: Uint8Array, rand: Rand): Uint8Array {
  const out = input.slice();
  switch (int(rand, 5)) {
    case 0: {
      // header flags: FTEXT, FHCRC, FEXTRA, FNAME, FCOMMENT set without (or with) their fields
      out[3] = pick(rand, [0x01, 0x02, 0x04, 0x08, 0x10, 0x1e, 0xe0, 0xff]);
      return out;
    }
    case 1: // a multi-member gzip
      return capped(concat(input, int(rand, 2) === 0 ? input : new Uint8Array(gzipSync(other))));
    case 2: {
      // the trailer's CRC or size
      const view = new DataView(out.buffer);
      if (out.length >= 8) view.setUint32(out.length - 4 * (1 + int(rand, 2)), int(rand, 0xffffffff) >>> 0, true);
      return out;
    }
    case 3: // a gzip of a gzip or a zip
      return capped(new Uint8Array(gzipSync(int(rand, 2) === 0 ? input : writeZip([{ name: pick(rand, INNER_NAMES), bytes: other }]))));
    default:
      return mutateBytes(out, other, rand);
  }
}
