/**
 * Formats users bring that no parser reads (../shared/formats.md §11–12): recognised by cheap
 * content checks so a failure can say what the file is and how to get one we read, instead of
 * "not a workout file". Nothing here parses; every check looks at the first few KiB at most and
 * never throws. Call these only after no parser's `detect` claimed the bytes.
 *
 * | format                       | recognised by                                                                 |
 * | ---------------------------- | ----------------------------------------------------------------------------- |
 * | Suunto SML                   | XML root `sml` (Moveslink2, Suunto DM5)                                        |
 * | Suunto Moveslink2 log XML    | XML root `header` with `<Samples>`/`<DateTime>`/`<Duration>`… (`log-…xml`)     |
 * | Suunto XML (Moveslink)       | XML root `xml` holding `<Move>` or `<Device>` (`<!DOCTYPE xml>` files)          |
 * | Suunto app JSON              | JSON object with a `"DeviceLog"` key                                           |
 * | SportTracks logbook          | XML root `FitnessWorkbook` (`.fitlog`)                                          |
 * | KML                          | XML root `kml`                                                                 |
 * | Sigma Data Center            | XML root `Activity` with `<Computer`, `revision=` or `<GeneralInformation`; or a `.slf`/`.smf` XML file |
 * | GoldenCheetah JSON           | JSON object starting with a `"RIDE"` key                                       |
 * | TomTom ttbin                 | tag 0x20, a plausible local start (u32 at 8) and an ascending record-length table (count at 117) |
 * | SRM                          | ASCII `SRM` + a version digit 2–9 at byte 0                                    |
 * | WKO+                         | `WKO` + 0x1A at byte 0                                                         |
 * | CompuTrainer 3DP             | ASCII `perf` at byte 4                                                         |
 * | Polar raw (.srd/.hsr/.frd)   | the name only (no signature), binary content                                    |
 * | Polar day file (.pdd)        | a `[DayInfo]` section first (the day's index: no recording; read beside its `.hrm`s) |
 * | PowerTap raw                 | the name only (`.raw`)                                                         |
 * | Excel .xls                   | OLE2 signature D0 CF 11 E0 and an `.xls` name                                   |
 * | Excel .xlsx / KMZ / Suunto SDE | zips: see recognizeUnsupportedArchive                                        |
 */
import type { FormatId } from '@optimo-import/workout';
import { ParseError } from './errors.js';
import { xmlRootName } from './xml-text.js';

/** A format we recognise but do not import. */
export interface UnsupportedFormat {
  /** What the file is, for people (`Suunto SML`). */
  format: string;
  /** How to get a file we read, for people (`export the move as FIT or GPX from the Suunto app`). */
  hint: string;
}

/** How people call our format ids in messages. */
export const FORMAT_LABELS: Readonly<Record<FormatId, string>> = {
  fit: 'FIT',
  tcx: 'TCX',
  gpx: 'GPX',
  'polar-hrm': 'Polar HRM',
  'polar-xml': 'Polar XML',
  'polar-csv': 'Polar Flow CSV',
  'polar-json': 'Polar Flow JSON',
  pwx: 'PWX',
  csv: 'CSV',
};

const SUUNTO_HINT = 'export the move as FIT or GPX from the Suunto app, Movescount or SportsTracker';

interface Sniff {
  bytes: Uint8Array;
  /** The first 4 KiB as Latin-1, NULs removed (UTF-16 text keeps its ASCII). */
  head: string;
  /** Local name of the XML root, when the bytes are XML. */
  root?: string;
  /** Lower-case extension of the file name. */
  ext?: string;
}

interface Recognizer extends UnsupportedFormat {
  test(s: Sniff): boolean;
}

/** In order; the first that matches names the file. */
const RECOGNIZERS: readonly Recognizer[] = [
  { format: 'Suunto SML', hint: SUUNTO_HINT, test: (s) => s.root === 'sml' },
  { format: 'Suunto Moveslink2 log XML', hint: SUUNTO_HINT, test: (s) => s.root === 'header' && /<(Samples|DateTime|Duration|ActivityType|Energy)>/.test(s.head) },
  { format: 'Suunto XML (Moveslink)', hint: SUUNTO_HINT, test: (s) => s.root === 'xml' && /<(Move|Device|Moves)[\s>]/.test(s.head) },
  { format: 'Suunto app JSON', hint: SUUNTO_HINT, test: (s) => /^\s*\{[\s\S]{0,200}"DeviceLog"\s*:/.test(s.head) },
  { format: 'SportTracks logbook (.fitlog)', hint: 'export the activities from SportTracks as TCX or GPX (File → Export)', test: (s) => s.root === 'FitnessWorkbook' },
  { format: 'KML', hint: 'a map track without workout data; download the activity as FIT ("Export Original"), TCX or GPX instead (Garmin Connect: ⚙ → Export)', test: (s) => s.root === 'kml' },
  {
    format: 'Sigma Data Center (.slf/.smf)',
    hint: 'export the activity from Sigma Data Center or the Sigma Ride app as TCX, GPX or FIT',
    test: (s) => (s.root === 'Activity' && /<Computer\s|\srevision\s*=|<GeneralInformation[\s>]/.test(s.head)) || (s.root !== undefined && (s.ext === 'slf' || s.ext === 'smf')),
  },
  { format: 'GoldenCheetah JSON', hint: 'export the activity from GoldenCheetah as FIT, TCX or PWX (Activity → Export)', test: (s) => /^\s*\{\s*"RIDE"\s*:/.test(s.head) },
  { format: 'TomTom ttbin', hint: 'convert it with TomTom MySports Connect or ttwatch (ttbincnv) to FIT, TCX or GPX', test: (s) => isTtbin(s.bytes) || (s.ext === 'ttbin' && s.bytes[0] === 0x20) },
  { format: 'SRM (.srm)', hint: 'export it from SRMWIN or SRM Viewer as FIT or TCX, or open it in GoldenCheetah and export FIT', test: (s) => s.bytes.length >= 32 && asciiAt(s.bytes, 0, 'SRM') && (s.bytes[3] as number) >= 0x32 && (s.bytes[3] as number) <= 0x39 },
  { format: 'WKO+ (.wko)', hint: 'export it from WKO as PWX or FIT', test: (s) => startsWith(s.bytes, [0x57, 0x4b, 0x4f, 0x1a]) },
  { format: 'CompuTrainer 3DP (.3dp)', hint: 'open it in GoldenCheetah (or the CompuTrainer software) and export FIT, TCX or PWX', test: (s) => asciiAt(s.bytes, 4, 'perf') },
  {
    format: 'Polar raw file (.srd/.hsr/.frd)',
    hint: 'open it in Polar ProTrainer or Precision Performance and save it as HRM, or convert it with GoldenCheetah or SportsTracker to TCX',
    test: (s) => (s.ext === 'srd' || s.ext === 'hsr' || s.ext === 'frd') && looksBinary(s.bytes),
  },
  {
    format: 'Polar day file (.pdd)',
    hint: "the day's index of exercises, no recording: import the day's .hrm files, with the .pdd beside them (it gives their names and sports)",
    test: (s) => /^\s*\[DayInfo\][ \t]*\r?\n/i.test(s.head.replace(/^\u00EF\u00BB\u00BF/, '')),
  },
  { format: 'PowerTap raw (.raw)', hint: 'open it in PowerAgent or GoldenCheetah and export TCX, PWX or FIT', test: (s) => s.ext === 'raw' },
  { format: 'Excel spreadsheet (.xls)', hint: 'a spreadsheet, not a workout file: save the sheet as CSV, or upload the original FIT, TCX or GPX', test: (s) => s.ext === 'xls' && startsWith(s.bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) },
];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function asciiAt(bytes: Uint8Array, at: number, text: string): boolean {
  if (bytes.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 1024);
  for (let i = 0; i < n; i++) {
    const b = bytes[i] as number;
    if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return true;
  }
  return false;
}

const TTBIN_LENGTH_COUNT = 117;
const TTBIN_MIN_START = Date.UTC(2010, 0, 1) / 1000;
const TTBIN_MAX_START = Date.UTC(2100, 0, 1) / 1000;

/**
 * A TomTom ttbin header (ryanbinns/ttwatch `ttbin/ttbin.c`): tag 0x20, file version, firmware,
 * product id, the local start (u32 LE at byte 8), … and at byte 117 the number of (tag, u16
 * length) pairs that follow, tags ascending. Text cannot pass all three checks.
 */
function isTtbin(b: Uint8Array): boolean {
  if (b.length < TTBIN_LENGTH_COUNT + 4 || b[0] !== 0x20) return false;
  const start = ((b[8] as number) | ((b[9] as number) << 8) | ((b[10] as number) << 16)) + (b[11] as number) * 0x1000000;
  if (start < TTBIN_MIN_START || start >= TTBIN_MAX_START) return false;
  const count = b[TTBIN_LENGTH_COUNT] as number;
  if (count === 0 || TTBIN_LENGTH_COUNT + 1 + count * 3 > b.length) return false;
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const tag = b[TTBIN_LENGTH_COUNT + 1 + i * 3] as number;
    if (tag < 0x20 || tag > 0x7f || tag <= previous) return false;
    previous = tag;
  }
  return true;
}

function extensionOf(fileName: string | undefined): string | undefined {
  if (!fileName) return undefined;
  const base = fileName.slice(fileName.lastIndexOf('!') + 1).split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : undefined;
}

function latin1Head(bytes: Uint8Array): string {
  const n = Math.min(bytes.length, 4096);
  let s = '';
  for (let i = 0; i < n; i++) {
    const b = bytes[i] as number;
    if (b !== 0) s += String.fromCharCode(b);
  }
  return s;
}

/**
 * The unsupported format some bytes are, judged by content (the name only where a format has
 * no signature), or undefined. Cheap, pure, never throws.
 */
export function recognizeUnsupported(bytes: Uint8Array, fileName?: string): UnsupportedFormat | undefined {
  try {
    if (bytes.length === 0) return undefined;
    const sniff: Sniff = { bytes, head: latin1Head(bytes), root: xmlRootName(bytes), ext: extensionOf(fileName) };
    const hit = RECOGNIZERS.find((r) => r.test(sniff));
    return hit ? { format: hit.format, hint: hit.hint } : undefined;
  } catch {
    return undefined; // a recogniser must never take the caller down
  }
}

/** Workout-file extensions: an archive holding any of them is not rejected as a whole. */
const WORKOUT_EXTENSIONS = /\.(fit|tcx|gpx|pwx|hrm|csv|xml|json|ped|gz)$/i;

/**
 * The unsupported format a zip is, judged by its entry names (as `unzip` gives them,
 * `archive.zip!path` or plain paths), or undefined:
 *
 * | format                        | entries                                                        |
 * | ----------------------------- | -------------------------------------------------------------- |
 * | Excel spreadsheet (.xlsx)     | `[Content_Types].xml` and `xl/…` (an Office Open XML workbook)  |
 * | Word / PowerPoint (.docx/.pptx) | `[Content_Types].xml` and `word/…` or `ppt/…`                 |
 * | OpenDocument spreadsheet      | `mimetype` and `content.xml`                                    |
 * | KMZ                           | a `.kml` (usually `doc.kml`) and no workout file                |
 * | Suunto Dive Manager (.sde)    | an archive named `.sde`                                         |
 */
export function recognizeUnsupportedArchive(entryNames: readonly string[], archiveName?: string): UnsupportedFormat | undefined {
  const names = entryNames.map((n) => n.slice(n.lastIndexOf('!') + 1));
  const has = (test: (n: string) => boolean): boolean => names.some(test);
  if (has((n) => n === '[Content_Types].xml')) {
    if (has((n) => n.startsWith('xl/'))) return { format: 'Excel spreadsheet (.xlsx)', hint: 'a spreadsheet, not a workout file: save the sheet as CSV, or upload the original FIT, TCX or GPX' };
    if (has((n) => n.startsWith('word/') || n.startsWith('ppt/'))) return { format: 'Office document (.docx/.pptx)', hint: 'a document, not a workout file: upload the original FIT, TCX or GPX' };
  }
  if (has((n) => n === 'mimetype') && has((n) => n === 'content.xml')) {
    return { format: 'OpenDocument file (.ods/.odt)', hint: 'a spreadsheet or document, not a workout file: save the sheet as CSV, or upload the original FIT, TCX or GPX' };
  }
  if (has((n) => /\.kml$/i.test(n)) && !has((n) => WORKOUT_EXTENSIONS.test(n))) {
    return { format: 'KMZ (zipped KML)', hint: 'a map track without workout data; download the activity as FIT ("Export Original"), TCX or GPX instead (Garmin Connect: ⚙ → Export)' };
  }
  if (extensionOf(archiveName) === 'sde') {
    return { format: 'Suunto Dive Manager export (.sde)', hint: 'dive logs are not workouts this tool imports; convert them to FIT (e.g. with SdeToFit) and upload those' };
  }
  return undefined;
}

/** `unsupported format: Suunto SML (export …); supported: FIT, TCX, GPX, …, and .gz or .zip of them`. */
export function unsupportedFormatMessage(found: UnsupportedFormat, supported: readonly FormatId[]): string {
  const labels = supported.map((f) => FORMAT_LABELS[f] ?? f);
  return `unsupported format: ${found.format} (${found.hint}); supported: ${labels.join(', ')}, and .gz or .zip of them`;
}

/** The `unknown-format` ParseError for a recognised unsupported format (no parser reads it; the message says what it is). */
export function unsupportedFormatError(found: UnsupportedFormat, file: string | undefined, supported: readonly FormatId[]): ParseError {
  return new ParseError({ code: 'unknown-format', file, message: unsupportedFormatMessage(found, supported) });
}
