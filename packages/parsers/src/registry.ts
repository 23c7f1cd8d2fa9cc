import { createHash } from 'node:crypto';
import type { FormatId, Workout } from '@optimo-import/workout';
import { containerKind, formatBytes, gunzip, unzip } from './containers.js';
import type { ContainerKind } from './containers.js';
import { isParseError, ParseError } from './errors.js';
import { fitParser } from './fit/index.js';
import { gpxParser } from './gpx.js';
import { csvParser } from './csv/generic-csv.js';
import { polarCsvParser } from './csv/polar-csv.js';
import { polarHrmParser } from './polar-hrm/polar-hrm.js';
import { polarJsonParser } from './polar-json.js';
import { polarXmlParser } from './polar-xml.js';
import { pwxParser } from './pwx.js';
import { tcxParser } from './tcx.js';
import { recognizeUnsupported, recognizeUnsupportedArchive, unsupportedFormatError, unsupportedFormatMessage } from './unsupported.js';
import { isValidTimeZone } from './time.js';
import { joinArchiveCompanions } from './polar-hrm/archive-companions.js';
import type { EntryResult, FormatParser, ParseContext, ParseLimits, ParseOptions } from './types.js';
import { DEFAULT_LIMITS } from './types.js';

export type { EntryResult } from './types.js';

/** Every format, in detection order (the most specific first; a generic CSV reader goes last). */
export const PARSERS: readonly FormatParser[] = [fitParser, tcxParser, gpxParser, polarHrmParser, polarXmlParser, polarJsonParser, pwxParser, polarCsvParser, csvParser];

const BY_FORMAT = new Map<FormatId, FormatParser>(PARSERS.map((p) => [p.format, p]));

export function parserFor(format: FormatId): FormatParser | undefined {
  return BY_FORMAT.get(format);
}

export function supportedFormats(): FormatId[] {
  return PARSERS.map((p) => p.format);
}

/** Containers can hold containers (`.fit.gz` inside a `.zip`) this deep, no deeper. */
const MAX_NESTING = 2;

function extensionOf(fileName: string | undefined): string | undefined {
  if (!fileName) return undefined;
  const base = fileName.slice(fileName.lastIndexOf('!') + 1).split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : undefined;
}

/**
 * The format of some bytes, judged by content: `gzip`/`zip` for containers, a format id, or
 * undefined. The file name's extension only breaks ties between parsers that all claim it.
 */
export function detectFormat(bytes: Uint8Array, fileName?: string): FormatId | ContainerKind | undefined {
  const container = containerKind(bytes);
  if (container) return container;
  const candidates = PARSERS.filter((p) => safeDetect(p, bytes));
  if (candidates.length <= 1) return candidates[0]?.format;
  const ext = extensionOf(fileName);
  return (candidates.find((p) => ext !== undefined && p.extensions.includes(ext)) ?? candidates[0])?.format;
}

function safeDetect(parser: FormatParser, bytes: Uint8Array): boolean {
  try {
    return parser.detect(bytes);
  } catch {
    return false; // detect must never throw; a buggy detector must not take the others down
  }
}

function resolveOptions(options: ParseOptions): { limits: ParseLimits; timeZone?: string } {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  if (options.timeZone !== undefined && !isValidTimeZone(options.timeZone)) {
    throw new RangeError(`[parsers] timeZone: unknown time zone "${options.timeZone}" (use an IANA name such as Europe/Lisbon)`);
  }
  return { limits, timeZone: options.timeZone };
}

/**
 * Parses a file that may be a container: every entry gets a result. Entries of a zip that no
 * parser recognises are `skipped` (a stray .doc in an export); a file given on its own that no
 * parser recognises is `failed` with `unknown-format`. Polar companions in one zip folder
 * (`x.hrm` with `x.gpx` and the day's `.pdd`) become one workout, the companions `skipped`
 * (polar-hrm/archive-companions.ts). Never throws for bad content.
 */
export function parseFile(bytes: Uint8Array, options: ParseOptions = {}): EntryResult[] {
  const resolved = resolveOptions(options);
  const results: EntryResult[] = [];
  walk(bytes, options.fileName, options, resolved, 0, false, results);
  return results;
}

function walk(
  bytes: Uint8Array,
  name: string | undefined,
  options: ParseOptions,
  resolved: { limits: ParseLimits; timeZone?: string },
  depth: number,
  insideArchive: boolean,
  out: EntryResult[],
): void {
  const label = name ?? '<input>';
  try {
    const kind = containerKind(bytes);
    if (kind && depth >= MAX_NESTING) {
      throw new ParseError({ code: 'unsupported-variant', format: kind, file: name, message: `containers nested more than ${MAX_NESTING} deep are not opened` });
    }
    if (kind === 'gzip') {
      const inner = gunzip(bytes, name, resolved.limits);
      const innerName = name?.replace(/\.gz$/i, '') ?? undefined;
      walk(inner, innerName === name ? name : innerName, options, resolved, depth + 1, insideArchive, out);
      return;
    }
    if (kind === 'zip') {
      const entries = unzip(bytes, name, resolved.limits);
      const foreign = options.format ? undefined : recognizeUnsupportedArchive(entries.map((entry) => entry.name), name);
      if (foreign) {
        out.push({ name: label, status: 'failed', format: 'zip', error: unsupportedFormatError(foreign, name, supportedFormats()) });
        return;
      }
      const before = out.length;
      for (const entry of entries) {
        if (entry.error) out.push({ name: entry.name, status: 'failed', format: 'zip', error: entry.error });
        else if (entry.bytes) walk(entry.bytes, entry.name, options, resolved, depth + 1, true, out);
      }
      out.splice(before, out.length - before, ...joinArchiveCompanions(out.slice(before), entries));
      if (!out.slice(before).some((r) => r.status !== 'skipped')) {
        const skipped = out.slice(before).map((r) => r.name.slice(r.name.lastIndexOf('!') + 1));
        out.splice(before, out.length - before, {
          name: label,
          status: 'failed',
          format: 'zip',
          error: new ParseError({
            code: 'no-data',
            format: 'zip',
            file: name,
            message: `the archive holds no workout file${skipped.length ? ` (skipped: ${skipped.join(', ')})` : ''}`,
          }),
        });
      }
      return;
    }
    const workouts = parseSingle(bytes, name, options, resolved, insideArchive);
    if ('skip' in workouts) {
      out.push({ name: label, status: 'skipped', reason: workouts.skip });
      return;
    }
    out.push({ name: label, status: 'ok', format: workouts.format, workouts: workouts.workouts });
  } catch (error) {
    const parseError = isParseError(error) ? error.withFile(name) : internalError(error, name);
    out.push({ name: label, status: 'failed', format: parseError.format, error: parseError });
  }
}

function internalError(error: unknown, file: string | undefined): ParseError {
  return new ParseError({
    code: 'corrupt',
    file,
    message: `the file could not be read (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`,
    cause: error,
    internal: true,
  });
}

/** Inside an archive, an empty or unrecognised entry is skipped (with its reason) rather than failed. */
function parseSingle(
  bytes: Uint8Array,
  name: string | undefined,
  options: ParseOptions,
  resolved: { limits: ParseLimits; timeZone?: string },
  insideArchive: boolean,
): { format: FormatId; workouts: Workout[] } | { skip: string } {
  if (bytes.length === 0 && insideArchive) return { skip: 'an empty file' };
  if (bytes.length === 0) throw new ParseError({ code: 'no-data', file: name, message: 'the file is empty' });
  if (bytes.length > resolved.limits.maxFileBytes) {
    throw new ParseError({ code: 'too-large', file: name, message: `${formatBytes(bytes.length)} is over the cap of ${formatBytes(resolved.limits.maxFileBytes)} for one file` });
  }
  let parser: FormatParser | undefined;
  if (options.format) {
    parser = parserFor(options.format);
    if (!parser) throw new ParseError({ code: 'unknown-format', file: name, message: `no parser for format "${options.format}" (supported: ${supportedFormats().join(', ')})` });
  } else {
    const format = detectFormat(bytes, name);
    parser = format && format !== 'gzip' && format !== 'zip' ? parserFor(format) : undefined;
  }
  if (!parser) {
    const found = options.format ? undefined : recognizeUnsupported(bytes, name);
    if (insideArchive) return { skip: found ? unsupportedFormatMessage(found, supportedFormats()) : 'not a workout file this tool reads' };
    if (found) throw unsupportedFormatError(found, name, supportedFormats());
    throw new ParseError({
      code: 'unknown-format',
      file: name,
      message: `not a workout file this tool reads (supported: ${supportedFormats().join(', ')}, and .gz or .zip of them)`,
    });
  }
  const context: ParseContext = {
    fileName: name,
    timeZone: resolved.timeZone,
    sha256: sha256Hex(bytes),
    limits: resolved.limits,
    ...(options.csvMapping === undefined ? {} : { csvMapping: options.csvMapping }),
  };
  const workouts = parser.parse(bytes, context);
  if (workouts.length === 0) throw new ParseError({ code: 'no-data', format: parser.format, file: name, message: 'the file holds no workout' });
  return { format: parser.format, workouts };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Bytes in, workouts out. A file may hold several workouts; a .gz or .zip gives those of every
 * entry. Throws ParseError when the file (or any recognised entry of an archive) cannot be
 * imported; `parseFile` gives entry-by-entry results instead.
 */
export function parseWorkout(bytes: Uint8Array, options: ParseOptions = {}): Workout[] {
  const results = parseFile(bytes, options);
  const workouts: Workout[] = [];
  for (const r of results) {
    if (r.status === 'failed') throw r.error;
    if (r.status === 'ok') workouts.push(...r.workouts);
  }
  return workouts;
}
