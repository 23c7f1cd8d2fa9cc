/**
 * The INI-like text both Polar desktop files share (`.hrm`, `.pdd`): decoding and sections.
 *
 * - Bytes: UTF-8 when they are valid UTF-8 (a few converters write it), else Windows-1252 —
 *   what Polar Precision Performance and ProTrainer write (Latin-1 notes: `Schneller Kilometer`,
 *   `Übung`). A UTF-8 byte-order mark is dropped.
 * - Lines end in CRLF (Polar), LF (copies through other tools) or a lone CR (old Macs).
 * - A section is a `[Name]` line and every line up to the next one; blank lines are kept,
 *   because a `.pdd` counts empty text rows. The first section of a name wins; repeats are counted.
 */

export interface PolarSection {
  name: string;
  /** 1-based line of the `[Name]` header. */
  line: number;
  /** The section's lines after the header, without line ends. */
  lines: string[];
}

export interface PolarText {
  sections: Map<string, PolarSection>;
  /** Names of sections that occurred more than once (the first is used). */
  repeated: string[];
  /** The section that held more than `maxLines` lines; reading stopped there. */
  overflow?: PolarSection;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LATIN1 = new TextDecoder('windows-1252');

/** Text of a Polar file: UTF-8 when valid, else Windows-1252 (Latin-1). */
export function decodePolarText(bytes: Uint8Array): string {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  for (let i = 0; i < body.length; i++) {
    if ((body[i] as number) >= 0x80) {
      try {
        return UTF8.decode(body);
      } catch {
        return LATIN1.decode(body); // not UTF-8: Polar's own Latin-1
      }
    }
  }
  return LATIN1.decode(body); // plain ASCII reads the same either way
}

const HEADER = /^\s*\[([^\]\r\n]{1,64})\]\s*$/;

/**
 * Splits the text into sections (lines before the first header are ignored). A section of more
 * than `maxLines` lines stops the reading (`overflow`): no file is held line by line past a bound.
 */
export function readPolarSections(text: string, maxLines = Infinity): PolarText {
  const sections = new Map<string, PolarSection>();
  const repeated: string[] = [];
  let current: PolarSection | undefined;
  let lineNo = 0;
  let pos = 0;
  const n = text.length;
  while (pos <= n) {
    let end = pos;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c === 10 || c === 13) break;
      end++;
    }
    const line = text.slice(pos, end);
    lineNo++;
    // A line starting with '[' may be a header; anything else is content.
    const header = line.length > 0 && line.length < 80 && line.trimStart().startsWith('[') ? HEADER.exec(line) : null;
    if (header) {
      const name = (header[1] as string).trim();
      if (sections.has(name)) {
        repeated.push(name);
        current = { name, line: lineNo, lines: [] }; // read, but not kept
      } else {
        current = { name, line: lineNo, lines: [] };
        sections.set(name, current);
      }
    } else if (current && !(end >= n && line === '')) {
      if (current.lines.length >= maxLines) return { sections, repeated, overflow: current };
      current.lines.push(line);
    }
    if (end >= n) break;
    pos = text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
  }
  return { sections, repeated };
}

/** Whitespace-separated fields of a data line (tabs in Polar files, spaces in hand-edited ones). */
export function fieldsOf(line: string): string[] {
  const trimmed = line.trim();
  return trimmed === '' ? [] : trimmed.split(/[\t ]+/);
}

/** An integer field (`-12`, `0`, `173`), else undefined. */
export function intOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/** The base name of a path or archive entry (`a.zip!dir/x.hrm` → `x.hrm`). */
export function baseNameOf(fileName: string): string {
  const cut = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'), fileName.lastIndexOf('!'));
  return fileName.slice(cut + 1);
}

/** The folder part of a path or archive entry, with its separator (`a.zip!dir/`), or ''. */
export function folderOf(fileName: string): string {
  const cut = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'), fileName.lastIndexOf('!'));
  return fileName.slice(0, cut + 1);
}
