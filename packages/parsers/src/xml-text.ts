/**
 * Text-level helpers of the XML scanner: bytes to text (encodings, byte-order marks), entity
 * decoding, offset-to-line lookups and a cheap root-element sniff for format detection.
 */

/** What we use of a TextDecoder. */
interface Decoder {
  decode(input: Uint8Array): string;
}

const decoders = new Map<string, Decoder | null>();

function decoderFor(label: string): Decoder | undefined {
  let d = decoders.get(label);
  if (d === undefined) {
    try {
      d = new TextDecoder(label);
    } catch {
      d = null; // an encoding label this runtime does not know: the caller falls back to UTF-8
    }
    decoders.set(label, d);
  }
  return d ?? undefined;
}

/**
 * Bytes to text, decoded once: a UTF-8 or UTF-16 (LE/BE) byte-order mark wins, then UTF-16
 * without a mark (`<\0` / `\0<`), then the declaration's `encoding` (e.g. ISO-8859-1), else
 * UTF-8; an encoding this runtime does not know is read as UTF-8. Leading whitespace is kept
 * (so lines stay the file's lines); the reader skips it.
 */
export function decodeXml(bytes: Uint8Array): string {
  const b0 = bytes[0];
  const b1 = bytes[1];
  let label = 'utf-8';
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0x3c && b1 === 0x00)) label = 'utf-16le';
  else if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0x00 && b1 === 0x3c)) label = 'utf-16be';
  else if (!(b0 === 0xef && b1 === 0xbb)) label = declaredEncoding(bytes) ?? 'utf-8';
  return (decoderFor(label) ?? (decoderFor('utf-8') as Decoder)).decode(bytes);
}

/** The `encoding` of an `<?xml ...?>` declaration within the first bytes, lower-case. */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  let i = 0;
  while (i < bytes.length && i < 1024 && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (bytes[i] !== 0x3c || bytes[i + 1] !== 0x3f) return undefined;
  let head = '';
  for (let j = i; j < bytes.length && j < i + 256; j++) {
    const b = bytes[j] as number;
    head += String.fromCharCode(b);
    if (b === 0x3e) break;
  }
  const m = /encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  const label = m?.[1]?.toLowerCase();
  return label === undefined || label === 'utf-8' || label === 'utf8' ? undefined : label;
}

/** 1-based line of a character offset (counts `\n`, and a lone `\r` as old Mac files end lines). */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) line++;
  if (line === 1) {
    for (let i = text.indexOf('\r'); i >= 0 && i < end; i = text.indexOf('\r', i + 1)) line++;
  }
  return line;
}

/** For many lookups: a function from offset to 1-based line, built once in O(n). */
export function createLineIndex(text: string): (offset: number) => number {
  const starts: number[] = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] as number) <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes the five basic entities and `&#…;`/`&#x…;` references, and normalises line ends
 * (`\r\n`, `\r` → `\n`). Other `&…;` sequences are kept verbatim: no DTD, no other entities.
 */
export function decodeEntities(raw: string): string {
  let s = raw;
  if (s.indexOf('\r') >= 0) s = s.replace(/\r\n?/g, '\n');
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let last = 0;
  while (amp >= 0) {
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > 12) break;
    const body = s.slice(amp + 1, semi);
    let rep: string | undefined;
    if (body.charCodeAt(0) === 35 /* # */) {
      const hex = body.charCodeAt(1) === 120 || body.charCodeAt(1) === 88;
      const digits = hex ? body.slice(2) : body.slice(1);
      const code = (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits) ? Number.parseInt(digits, hex ? 16 : 10) : NaN;
      if (code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) rep = String.fromCodePoint(code);
    } else rep = NAMED[body];
    if (rep !== undefined) {
      out += s.slice(last, amp) + rep;
      last = semi + 1;
    }
    amp = s.indexOf('&', rep !== undefined ? semi + 1 : amp + 1);
  }
  return last === 0 ? s : out + s.slice(last);
}

/** Whitespace outside the root: XML's four, plus a BOM and NULs some writers pad files with. */
export function isOuterSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff || c === 0;
}

/**
 * Local name of the root element within the first `maxBytes`, for cheap format detection:
 * skips a BOM, leading whitespace, the XML declaration, comments, PIs and a DOCTYPE (so the
 * parser can refuse it with a clear reason). Never throws; undefined when no root is found.
 */
export function xmlRootName(bytes: Uint8Array, maxBytes = 4096): string | undefined {
  const head = bytes.subarray(0, maxBytes);
  const b0 = head[0];
  const b1 = head[1];
  let s: string;
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0x3c && b1 === 0x00)) s = (decoderFor('utf-16le') as Decoder).decode(head);
  else if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0x00 && b1 === 0x3c)) s = (decoderFor('utf-16be') as Decoder).decode(head);
  else s = (decoderFor('windows-1252') as Decoder).decode(b0 === 0xef && b1 === 0xbb && head[2] === 0xbf ? head.subarray(3) : head);
  let i = 0;
  const n = s.length;
  for (;;) {
    while (i < n && isOuterSpace(s.charCodeAt(i))) i++;
    if (i >= n || s.charCodeAt(i) !== 60) return undefined;
    if (s.startsWith('<?', i)) {
      const e = s.indexOf('?>', i + 2);
      if (e < 0) return undefined;
      i = e + 2;
    } else if (s.startsWith('<!--', i)) {
      const e = s.indexOf('-->', i + 4);
      if (e < 0) return undefined;
      i = e + 3;
    } else if (s.startsWith('<!', i)) {
      const bracket = s.indexOf('[', i);
      const gt = s.indexOf('>', i);
      if (gt < 0) return undefined;
      if (bracket >= 0 && bracket < gt) {
        const e = s.indexOf(']', bracket);
        const e2 = e < 0 ? -1 : s.indexOf('>', e);
        if (e2 < 0) return undefined;
        i = e2 + 1;
      } else i = gt + 1;
    } else {
      let j = i + 1;
      while (j < n) {
        const c = s.charCodeAt(j);
        if (c <= 32 || c === 62 || c === 47) break;
        j++;
      }
      if (j >= n || j === i + 1) return undefined;
      const q = s.slice(i + 1, j);
      const colon = q.lastIndexOf(':');
      return colon < 0 ? q : q.slice(colon + 1);
    }
  }
}
