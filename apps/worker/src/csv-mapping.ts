/**
 * The CSV column mapping (`--csv-mapping FILE`, the job field `csvMapping`): a JSON file that
 * tells the generic CSV reader what its detection cannot (packages/parsers/src/csv/README.md,
 * "The column mapping file"). The CLI reads and checks it once; jobs carry its JSON object and
 * the worker checks it again with `readCsvMapping` before it parses anything.
 *
 * Which files it is used for (`parseInput`): a file the detection reads (FIT, a Polar CSV, a CSV
 * it understands) is parsed as always, the mapping going to the CSV parser only; a file no
 * parser detects (`unknown-format`) is parsed again as `csv` with the mapping. When that fails
 * too because the file is no table at all, the first error stands (it says what the file is).
 */
import { readFile, stat } from 'node:fs/promises';
import { parseFile, readCsvMapping } from '@optimo-import/parsers';
import type { CsvMapping, EntryResult, ParseOptions } from '@optimo-import/parsers';

/** A mapping file larger than this is refused unread (mappings are a few hundred bytes). */
export const MAX_CSV_MAPPING_BYTES = 1024 * 1024;

export interface CsvMappingFile {
  /** The checked mapping. */
  mapping: CsvMapping;
  /** The file's JSON object, as a job carries it. */
  json: Record<string, unknown>;
}

/** Reads and checks a mapping file; throws an Error whose message names the file and every problem. */
export async function readCsvMappingFile(path: string): Promise<CsvMappingFile> {
  let bytes: Uint8Array;
  try {
    const size = (await stat(path)).size;
    if (size > MAX_CSV_MAPPING_BYTES) throw new Error(`${path}: ${size} bytes; a column mapping is at most ${MAX_CSV_MAPPING_BYTES} bytes`);
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file`, { cause: error });
    if (code !== undefined) throw new Error(`${path}: cannot read it: ${(error as Error).message}`, { cause: error });
    throw error;
  }
  const mapping = readCsvMapping(bytes, path);
  return { mapping, json: JSON.parse(new TextDecoder().decode(bytes).replace(/^\uFEFF/, '')) as Record<string, unknown> };
}

/** The mapping a job carries, checked; throws the parsers' ParseError (`corrupt`) naming every bad key. */
export function csvMappingOfJob(json: Record<string, unknown>): CsvMapping {
  return readCsvMapping(JSON.stringify(json), "the job's csvMapping");
}

/**
 * `parseFile`, and with a CSV mapping a second try as `csv` for a file no parser detected (see
 * the module comment). Archives are read entry by entry as `parseFile` reads them.
 */
export function parseInput(bytes: Uint8Array, options: ParseOptions): EntryResult[] {
  const results = parseFile(bytes, options);
  if (options.csvMapping === undefined || options.format !== undefined || results.length !== 1) return results;
  const [only] = results;
  if (only?.status !== 'failed' || only.error.code !== 'unknown-format' || only.format !== undefined) return results;
  const asCsv = parseFile(bytes, { ...options, format: 'csv' });
  const [csv] = asCsv;
  if (csv?.status === 'failed' && csv.error.code === 'unknown-format') return results;
  return asCsv;
}
