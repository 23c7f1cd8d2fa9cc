import { crc32, gunzipSync, inflateRawSync } from 'node:zlib';
import { ParseError } from './errors.js';
import type { ParseLimits } from './types.js';

/** One file found inside a container, named `archive.zip!entry.fit`. */
export interface ContainerEntry {
  name: string;
  bytes?: Uint8Array;
  /** Set when the entry cannot be read (unsafe name, encrypted, corrupt, over a cap). */
  error?: ParseError;
}

export type ContainerKind = 'gzip' | 'zip';

export function containerKind(bytes: Uint8Array): ContainerKind | undefined {
  if (bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08) return 'gzip';
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))) {
    return 'zip';
  }
  return undefined;
}

/** Decompresses a .gz with a hard cap on output, so a gzip bomb ends in a clear error. */
export function gunzip(bytes: Uint8Array, file: string | undefined, limits: ParseLimits): Uint8Array {
  const cap = Math.min(limits.maxFileBytes, limits.maxDecompressedBytes);
  try {
    const out = gunzipSync(bytes, { maxOutputLength: cap + 1 });
    if (out.length > cap) throw tooLarge('gzip', file, cap);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    if (error instanceof ParseError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) throw tooLarge('gzip', file, cap, error);
    const message = (error as Error).message ?? String(error);
    throw new ParseError({
      code: /unexpected end/i.test(message) ? 'truncated' : 'corrupt',
      format: 'gzip',
      file,
      message: `cannot decompress: ${message}`,
      cause: error,
    });
  }
}

function tooLarge(format: 'gzip' | 'zip', file: string | undefined, cap: number, cause?: unknown): ParseError {
  return new ParseError({
    code: 'too-large',
    format,
    file,
    message: `decompresses to more than ${formatBytes(cap)} (the cap for one file); refusing it as a possible decompression bomb`,
    cause,
  });
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 / 1024 / 1024).toFixed(n % (1024 * 1024 * 1024) === 0 ? 0 : 1)} GiB`;
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${n} B`;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * Reads a zip's central directory and inflates every file entry, with caps on the number of
 * entries, each entry's size and the total. Entry names that could escape a folder
 * (`../x`, `/x`, `C:\x`, control characters) are refused per entry, as are entries whose bytes
 * overlap another's (an overlapping zip bomb); nothing is written to disk.
 */
export function unzip(bytes: Uint8Array, file: string | undefined, limits: ParseLimits): ContainerEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (message: string, offset?: number): ParseError => new ParseError({ code: 'corrupt', format: 'zip', file, offset, message });
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new ParseError({ code: 'truncated', format: 'zip', file, message: 'no end-of-central-directory record: the archive is cut short or not a zip' });
  }
  const total = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (total === 0xffff || cdOffset === 0xffffffff) {
    throw new ParseError({ code: 'unsupported-variant', format: 'zip', file, message: 'ZIP64 archives are not supported; re-pack with fewer than 65,535 entries and under 4 GiB' });
  }
  if (cdOffset + cdSize > eocd) throw corrupt('the central directory lies outside the archive', eocd);
  if (total > limits.maxArchiveEntries) {
    throw new ParseError({ code: 'too-large', format: 'zip', file, message: `${total} entries; at most ${limits.maxArchiveEntries} are read from one archive` });
  }

  const entries: ContainerEntry[] = [];
  /** Bytes of the archive each entry read so far occupies (local header and data), `[from, to)`. */
  const spans: Array<[number, number]> = [];
  const prefix = file ?? 'archive.zip';
  let budget = limits.maxDecompressedBytes;
  let p = cdOffset;
  for (let i = 0; i < total; i++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== CENTRAL) throw corrupt(`central directory entry ${i + 1} is damaged`, p);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const compressedSize = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const localOffset = view.getUint32(p + 42, true);
    const rawName = bytes.subarray(p + 46, p + 46 + nameLength);
    p += 46 + nameLength + extraLength + commentLength;
    const entryName = decodeName(rawName, (flags & 0x800) !== 0);
    if (entryName.endsWith('/') || entryName.endsWith('\\')) continue; // a folder
    if (isMacMetadata(entryName)) continue;
    const name = `${prefix}!${entryName}`;
    const fail = (code: ParseError['code'], message: string): void => {
      entries.push({ name, error: new ParseError({ code, format: 'zip', file: name, message }) });
    };
    const unsafe = unsafeNameReason(entryName);
    if (unsafe) {
      fail('corrupt', `unsafe entry name (${unsafe}); the entry is refused`);
      continue;
    }
    if (flags & 1) {
      fail('unsupported-variant', 'the entry is encrypted');
      continue;
    }
    if (method !== 0 && method !== 8) {
      fail('unsupported-variant', `compression method ${method} is not supported (only stored and deflate)`);
      continue;
    }
    const cap = Math.min(limits.maxFileBytes, budget);
    if (size > cap) {
      fail('too-large', `declares ${formatBytes(size)} uncompressed; over the cap of ${formatBytes(cap)}`);
      continue;
    }
    if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== LOCAL) {
      fail('corrupt', 'its local header is missing or damaged');
      continue;
    }
    const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (dataStart + compressedSize > bytes.length) {
      fail('truncated', 'its data runs past the end of the archive');
      continue;
    }
    // Entries sharing their bytes: 250 KB of deflate would make 4 entries of 250 MiB each (an overlapping zip bomb).
    if (spans.some(([from, to]) => localOffset < to && dataStart + compressedSize > from)) {
      fail('corrupt', 'its data overlaps another entry of the archive (a zip-bomb trick); refused');
      continue;
    }
    spans.push([localOffset, dataStart + compressedSize]);
    const data = bytes.subarray(dataStart, dataStart + compressedSize);
    let out: Uint8Array;
    if (method === 0) out = data;
    else {
      try {
        const b = inflateRawSync(data, { maxOutputLength: cap + 1 });
        out = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch (error) {
        const tooBig = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;
        if (tooBig) fail('too-large', `inflates to more than ${formatBytes(cap)} although it declares ${formatBytes(size)}; refused as a possible decompression bomb`);
        else fail('corrupt', `cannot inflate: ${(error as Error).message}`);
        continue;
      }
    }
    if (out.length > cap) {
      fail('too-large', `inflates to more than ${formatBytes(cap)}; refused as a possible decompression bomb`);
      continue;
    }
    if (out.length !== size || (crc32(out) >>> 0) !== crc) {
      fail('corrupt', 'its size or CRC-32 does not match the directory');
      continue;
    }
    budget -= out.length;
    entries.push({ name, bytes: out });
  }
  return entries;
}

function decodeName(raw: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder('utf-8').decode(raw);
  // CP437 in theory; plain ASCII covers real device archives, anything else is shown as Latin-1.
  let s = '';
  for (const b of raw) s += String.fromCharCode(b);
  return s;
}

function isMacMetadata(name: string): boolean {
  return name.startsWith('__MACOSX/') || /(^|\/)\._[^/]*$/.test(name) || /(^|\/)\.DS_Store$/.test(name);
}

/** Why an entry name is unsafe, or undefined when it is a plain relative path. */
export function unsafeNameReason(name: string): string | undefined {
  if (name.length === 0) return 'empty name';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control characters in the name';
  if (name.startsWith('/') || name.startsWith('\\')) return 'absolute path';
  if (/^[a-zA-Z]:/.test(name)) return 'drive-letter path';
  if (name.split(/[/\\]/).some((part) => part === '..')) return 'a ".." segment climbs out of the archive';
  return undefined;
}
