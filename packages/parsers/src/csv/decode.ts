/**
 * Text of a CSV file from its bytes, with the encoding detected: a byte-order mark first
 * (UTF-8, UTF-16 LE/BE), then the NUL pattern of BOM-less UTF-16, then UTF-8 when the bytes are
 * valid UTF-8, else Windows-1252 (the superset of Latin-1 that spreadsheets write; WHATWG decodes
 * `latin1` and `iso-8859-1` as Windows-1252 too).
 */

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export const CSV_ENCODINGS: readonly CsvEncoding[] = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'];

export interface DecodedText {
  text: string;
  encoding: CsvEncoding;
  /** Whether a byte-order mark was there (and dropped). */
  bom: boolean;
}

/** Bytes looked at for the UTF-16 NUL pattern. */
const SNIFF_BYTES = 4096;

/** The encoding of some bytes and the length of its byte-order mark. */
export function sniffEncoding(bytes: Uint8Array): { encoding: CsvEncoding; bomLength: number } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  const utf16 = utf16ByNuls(bytes);
  if (utf16) return { encoding: utf16, bomLength: 0 };
  return { encoding: isUtf8(bytes) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

/**
 * BOM-less UTF-16: ASCII text has a NUL in every other byte. More than 40% NULs on one side and
 * almost none on the other says which byte order.
 */
function utf16ByNuls(bytes: Uint8Array): CsvEncoding | undefined {
  const n = Math.min(bytes.length, SNIFF_BYTES) & ~1;
  if (n < 4) return undefined;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  const pairs = n / 2;
  if (odd > pairs * 0.4 && even < pairs * 0.05) return 'utf-16le';
  if (even > pairs * 0.4 && odd < pairs * 0.05) return 'utf-16be';
  return undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  // Pure ASCII is the common case: no decoder needed.
  let i = 0;
  const n = bytes.length;
  while (i < n && (bytes[i] as number) < 0x80) i++;
  if (i === n) return true;
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The text of `bytes` in the detected (or the given) encoding, without a byte-order mark. */
export function decodeText(bytes: Uint8Array, encoding?: CsvEncoding): DecodedText {
  const sniffed = sniffEncoding(bytes);
  const chosen = encoding ?? sniffed.encoding;
  const bomLength = chosen === sniffed.encoding ? sniffed.bomLength : 0;
  const text = new TextDecoder(chosen).decode(bomLength > 0 ? bytes.subarray(bomLength) : bytes);
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, encoding: chosen, bom: bomLength > 0 };
}

/**
 * The first `maxBytes` of a file as text, for detection: never throws, ignores a character cut at
 * the end (an invalid UTF-8 tail from the cut does not make the file Windows-1252).
 */
export function decodePrefix(bytes: Uint8Array, maxBytes = 65_536): string {
  if (bytes.length <= maxBytes) return decodeText(bytes).text;
  const head = bytes.subarray(0, maxBytes);
  const sniffed = sniffEncoding(head);
  let encoding = sniffed.encoding;
  if (encoding === 'windows-1252') {
    // The cut may have split a multi-byte character: look again without the last 3 bytes.
    encoding = isUtf8(head.subarray(0, trimUtf8Tail(head))) ? 'utf-8' : 'windows-1252';
  }
  const body = head.subarray(sniffed.bomLength, encoding.startsWith('utf-16') ? sniffed.bomLength + ((head.length - sniffed.bomLength) & ~1) : head.length);
  const text = new TextDecoder(encoding).decode(body);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Length of `bytes` without a trailing incomplete UTF-8 sequence. */
function trimUtf8Tail(bytes: Uint8Array): number {
  let end = bytes.length;
  for (let k = 0; k < 3 && end > 0; k++) {
    const b = bytes[end - 1] as number;
    if (b < 0x80) break;
    end--;
    if (b >= 0xc0) break; // a lead byte: everything from it on is cut
  }
  return end;
}

/** Whether text looks like binary data read as text: NULs or many control characters. */
export function looksBinary(text: string, sample = 4096): boolean {
  const n = Math.min(text.length, sample);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) control++;
  }
  return control > n * 0.02 + 1;
}
