/**
 * The hostile files of hostile.test.ts, written to disk the way an attacker (or an unlucky export)
 * would leave them: decompression bombs built by streaming (never 256 MiB in memory), zips that
 * lie about names, sizes and offsets, XML with a DOCTYPE, a sparse 2 GiB file, a FIT header that
 * claims 4 GiB, a CSV of 10 million rows written in chunks, and the like. Each case says what the
 * pipeline must answer: the outcome, the error code and a pattern of the reason (which must name
 * the file).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { crc32, createDeflateRaw, createGzip } from 'node:zlib';
import { buildCsv, buildCsvSummary, buildFitActivity, buildGpx, buildTcx, buildZip } from '@optimo-import/fixtures';

const MiB = 1024 * 1024;

/** Streams `size` zero bytes through a compressor into `sink` chunks, 1 MiB at a time. */
async function compressZeros(compressor: NodeJS.ReadWriteStream, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  compressor.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(compressor, 'end');
  const zeros = Buffer.alloc(MiB);
  for (let written = 0; written < size; written += MiB) if (!compressor.write(zeros)) await once(compressor, 'drain');
  compressor.end();
  await ended;
  return Buffer.concat(chunks);
}

interface RawZipEntry {
  name: string;
  /** Deflated (method 8) bytes. */
  data: Buffer;
  crc: number;
  /** The uncompressed size the headers declare. */
  size: number;
}

/**
 * A zip whose central directory has `copies` entries for each local entry, all pointing at the
 * same local header (the overlapping zip bomb): one deflate stream, read `copies` times.
 */
function rawZip(entries: readonly RawZipEntry[], copies = 1): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(entry.crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    for (let copy = 0; copy < copies; copy++) {
      const copyName = copies === 1 ? name : Buffer.from(`${copy}-${entry.name}`);
      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0);
      central.writeUInt16LE(20, 4);
      central.writeUInt16LE(20, 6);
      central.writeUInt16LE(8, 10);
      central.writeUInt32LE(entry.crc, 16);
      central.writeUInt32LE(entry.data.length, 20);
      central.writeUInt32LE(entry.size, 24);
      central.writeUInt16LE(copyName.length, 28);
      central.writeUInt32LE(offset, 42);
      centrals.push(central, copyName);
    }
    locals.push(local, name, entry.data);
    offset += local.length + name.length + entry.data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length * copies, 8);
  eocd.writeUInt16LE(entries.length * copies, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/** CRC-32 of `size` zero bytes, 1 MiB at a time. */
function crcOfZeros(size: number): number {
  let crc = 0;
  const zeros = Buffer.alloc(MiB);
  for (let done = 0; done < size; done += MiB) crc = crc32(zeros.subarray(0, Math.min(MiB, size - done)), crc);
  return crc >>> 0;
}

/** A good FIT ride of its own recording (`index` picks the day). */
export function goodFit(index: number): Uint8Array {
  return buildFitActivity({ sport: 'cycling', startTime: Date.UTC(2021, 0, 4, 7, 0, 0) + index * 86_400_000, durationSeconds: 600 + index, serialNumber: 7_000_000 + index });
}

/** A FIT ride of its own cut after 40 bytes (`truncated`): distinct bytes, so never "the same content as" another. */
export function brokenFitOf(index: number): Uint8Array {
  return goodFit(index).slice(0, 40);
}

export interface HostileCase {
  /** The file's name (the case's id). */
  name: string;
  /** What it is, for the table of docs/reliability.md. */
  what: string;
  write(dir: string): Promise<string>;
  outcome: 'failed' | 'partial' | 'imported';
  /** The result's code (for `imported`: undefined). */
  code?: string;
  /** The reason (for `partial`: of the failed entry). */
  reason?: RegExp;
  /** Files over the size cap are never read: no content hash can be computed for their job. */
  unread?: boolean;
  /** Heavy (100+ MB on disk): only in the runner tests, not copied into every folder. */
  heavy?: boolean;
}

const write = async (dir: string, name: string, bytes: Uint8Array | string): Promise<string> => {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
};

const withDoctype = (xml: string, doctype: string): string => xml.replace(/^(<\?xml[^>]*\?>)/, `$1\n${doctype}`);

export const HOSTILE_CASES: readonly HostileCase[] = [
  {
    name: 'gzip-bomb.fit.gz',
    what: 'a gzip bomb: 300 MiB of zeros in 300 KB',
    async write(dir) {
      const path = join(dir, this.name);
      const gzip = createGzip({ level: 9 });
      const out = createWriteStream(path);
      const done = pipeline(gzip, out);
      const zeros = Buffer.alloc(MiB);
      for (let i = 0; i < 300; i++) if (!gzip.write(zeros)) await once(gzip, 'drain');
      gzip.end();
      await done;
      return path;
    },
    outcome: 'failed',
    code: 'too-large',
    reason: /^\[gzip\] gzip-bomb\.fit\.gz: decompresses to more than 256 MiB \(the cap for one file\); refusing it as a possible decompression bomb$/,
  },
  {
    name: 'zip-bomb.zip',
    what: 'a zip bomb: an entry declaring 1,000 bytes that inflates to 300 MiB',
    async write(dir) {
      const data = await compressZeros(createDeflateRaw({ level: 9 }), 300 * MiB);
      return write(dir, this.name, rawZip([{ name: 'bomb.fit', data, crc: 0, size: 1000 }]));
    },
    outcome: 'failed',
    code: 'too-large',
    reason: /^\[zip\] zip-bomb\.zip!bomb\.fit: inflates to more than 256 MiB although it declares 1000 B; refused as a possible decompression bomb$/,
  },
  {
    name: 'overlap-bomb.zip',
    what: 'an overlapping zip bomb: 40 directory entries sharing one 32 MiB deflate stream (1.25 GiB)',
    async write(dir) {
      const size = 32 * MiB;
      const data = await compressZeros(createDeflateRaw({ level: 9 }), size);
      return write(dir, this.name, rawZip([{ name: 'zeros.bin', data, crc: crcOfZeros(size), size }], 40));
    },
    outcome: 'failed',
    code: 'corrupt',
    reason: /^\[zip\] overlap-bomb\.zip!1-zeros\.bin: its data overlaps another entry of the archive \(a zip-bomb trick\); refused$/,
  },
  {
    name: 'zip-slip.zip',
    what: 'zip entries named ../../x, /absolute and C:\\drive',
    write(dir) {
      return write(
        dir,
        this.name,
        buildZip([
          { name: '../../escaped.fit', bytes: goodFit(900) },
          { name: '/etc/absolute.gpx', bytes: new TextEncoder().encode(buildGpx({ durationSeconds: 60 })) },
          { name: 'C:\\drive.tcx', bytes: new TextEncoder().encode(buildTcx({ durationSeconds: 60 })) },
        ]),
      );
    },
    outcome: 'failed',
    code: 'corrupt',
    reason: /^\[zip\] zip-slip\.zip!\.\.\/\.\.\/escaped\.fit: unsafe entry name \(a "\.\." segment climbs out of the archive\); the entry is refused$/,
  },
  {
    name: 'zip-slip-and-good.zip',
    what: 'a zip with one ../ entry and one good ride: the good one is imported',
    write(dir) {
      return write(
        dir,
        this.name,
        buildZip([
          { name: '../x.fit', bytes: goodFit(901) },
          { name: 'good.fit', bytes: goodFit(902) },
        ]),
      );
    },
    outcome: 'partial',
    code: 'corrupt',
    reason: /^\[zip\] zip-slip-and-good\.zip!\.\.\/x\.fit: unsafe entry name/,
  },
  {
    name: 'doctype.gpx',
    what: 'XML with a DOCTYPE (an external DTD)',
    write(dir) {
      return write(dir, this.name, withDoctype(buildGpx({ durationSeconds: 60 }), '<!DOCTYPE gpx SYSTEM "http://example.invalid/gpx.dtd">'));
    },
    outcome: 'failed',
    code: 'unsupported-variant',
    reason: /^\[gpx\] doctype\.gpx line 2: DOCTYPE\/DTD is not allowed$/,
  },
  {
    name: 'xxe.tcx',
    what: 'XML with an external entity (XXE: file:///etc/passwd)',
    write(dir) {
      const xml = withDoctype(buildTcx({ durationSeconds: 60 }), '<!DOCTYPE TrainingCenterDatabase [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace('<Id>', '<Id>&xxe;');
      return write(dir, this.name, xml);
    },
    outcome: 'failed',
    code: 'unsupported-variant',
    reason: /^\[tcx\] xxe\.tcx line 2: DOCTYPE\/DTD is not allowed$/,
  },
  {
    name: 'billion-laughs.gpx',
    what: 'XML entity expansion ("billion laughs", 10^9 × "lol")',
    write(dir) {
      const lol = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE gpx [',
        '  <!ENTITY lol "lol">',
        ...Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
        ']>',
        '<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&lol9;</name></trk></gpx>',
      ].join('\n');
      return write(dir, this.name, lol);
    },
    outcome: 'failed',
    code: 'unsupported-variant',
    reason: /^\[gpx\] billion-laughs\.gpx line 2: DOCTYPE\/DTD is not allowed$/,
  },
  {
    name: 'huge-2gib.fit',
    what: 'a 2 GiB file (sparse)',
    async write(dir) {
      const path = join(dir, this.name);
      await writeFile(path, goodFit(903));
      await truncate(path, 2 * 1024 * MiB);
      return path;
    },
    outcome: 'failed',
    code: 'too-large',
    reason: /huge-2gib\.fit is 2147483648 bytes; files over 268435456 bytes are not read|the file is 2147483648 bytes, over the cap of 268435456 bytes \(256 MiB\) for one file; it was not read/,
    unread: true,
  },
  {
    name: 'fit-claims-4gib.fit',
    what: 'a FIT header claiming 4 GiB of data, and nothing after it',
    write(dir) {
      const header = Buffer.from(goodFit(904).subarray(0, 14));
      header.writeUInt32LE(0xffffffff, 4);
      header.writeUInt16LE(0, 12);
      return write(dir, this.name, header);
    },
    outcome: 'failed',
    code: 'truncated',
    reason: /^\[fit\] fit-claims-4gib\.fit byte 14: the file is cut short before any usable record or session$/,
  },
  {
    name: 'fit-claims-4gib-with-data.fit',
    what: 'a whole FIT ride whose header claims 4 GiB of data: read as far as it goes, imported with a warning',
    write(dir) {
      const fit = Buffer.from(goodFit(905));
      fit.writeUInt32LE(0xffffffff, 4);
      fit.writeUInt16LE(0, 12);
      return write(dir, this.name, fit);
    },
    outcome: 'imported',
  },
  {
    name: 'rows-10m_2024-05-21_07-00-00.csv',
    what: 'a CSV of 10 million rows (119 MB)',
    async write(dir) {
      const path = join(dir, this.name);
      const handle = await open(path, 'w');
      try {
        await handle.write('Elapsed time (s),Heart rate\n');
        const batch = 100_000;
        for (let from = 0; from < 10_000_000; from += batch) {
          let text = '';
          for (let i = from; i < from + batch; i++) text += `${i},120\n`;
          await handle.write(text);
        }
      } finally {
        await handle.close();
      }
      return path;
    },
    outcome: 'failed',
    code: 'too-large',
    reason: /^\[csv\] rows-10m_2024-05-21_07-00-00\.csv line 2000002: more than 2,000,000 sample rows \(the maxSamples limit\)$/,
    heavy: true,
  },
  {
    name: 'long-line.csv',
    what: 'a CSV with a 1 MB line',
    write(dir) {
      return write(dir, this.name, `${buildCsv({ durationSeconds: 20, time: 'iso' }).trimEnd()}\n${'9'.repeat(MiB)}\n`);
    },
    outcome: 'failed',
    code: 'too-large',
    reason: /^\[csv\] long-line\.csv line 23: a row longer than 262,144 characters; not a table this tool reads$/,
  },
  {
    name: 'long-number.csv',
    what: 'a CSV cell of 200,000 digits (the fuzzer\'s find: 20 s of regex backtracking before the fix)',
    write(dir) {
      const summary = buildCsvSummary({ rows: [{ startTime: Date.UTC(2020, 4, 1, 7), durationSeconds: 3600, distanceMeters: 30000 }] }).trimEnd();
      return write(dir, this.name, `${summary}\n05/02/2020 07:00,Run,x,01:00:00,${'9'.repeat(200_000)}x\n`);
    },
    outcome: 'imported',
  },
  {
    name: 'empty.fit',
    what: 'an empty file',
    write(dir) {
      return write(dir, this.name, new Uint8Array(0));
    },
    outcome: 'failed',
    code: 'no-data',
    reason: /^empty\.fit: the file is empty$/,
  },
];
