import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_LIMITS, mergedGpxReason } from '@optimo-import/parsers';
import type { CsvMapping, EntryResult } from '@optimo-import/parsers';
import { isMappingError, planWorkoutUpload } from '@optimo-import/mapper';
import type { Workout } from '@optimo-import/workout';
import { parseInput } from './csv-mapping.js';
import { createFolderListings, resolveDiskCompanions } from './polar-companions.js';
import { printable } from './printable.js';

export interface MapOptions {
  /** The athlete id written into each request; a visible placeholder when not given. */
  athleteId?: string;
  /** The account's IANA zone for local date-times (and for files that record naive local times). */
  timeZone: string;
  /** A checked CSV column mapping (`--csv-mapping`). */
  csvMapping?: CsvMapping;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** What stands for the id `workout.create` will answer, in the `workout.samples.add` bodies shown. */
export const WORKOUT_ID_PLACEHOLDER = 'WORKOUT_ID';
export const ATHLETE_ID_PLACEHOLDER = 'ATHLETE_ID';

/**
 * Prints the request bodies that would be sent for every workout in a file, each preceded by
 * an XML comment saying what it is, and the request count; sends nothing. The file is read as
 * its job would read it: with the CSV mapping, and a Polar `x.hrm` merged with the `x.gpx` and
 * day file beside it (that `x.gpx` then sends nothing). Exit code 0, or 1 when the file or a
 * workout cannot be mapped.
 */
export async function mapFile(path: string, options: MapOptions): Promise<number> {
  let bytes: Uint8Array;
  try {
    if ((await stat(path)).size > DEFAULT_LIMITS.maxFileBytes) {
      options.err(`${printable(path)}: too-large: over the cap of ${DEFAULT_LIMITS.maxFileBytes / 1024 / 1024} MiB for one file`);
      return 1;
    }
    const buf = await readFile(path);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (error) {
    options.err(`${printable(path)}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-found: no such file' : `unreadable: ${(error as Error).message}`}`);
    return 1;
  }
  const athleteId = options.athleteId ?? ATHLETE_ID_PLACEHOLDER;
  if (options.athleteId === undefined) options.err(`note: no --athlete given; athlete_id reads ${ATHLETE_ID_PLACEHOLDER}`);
  let failed = false;
  let workouts = 0;
  let requests = 0;
  let results: EntryResult[] = parseInput(bytes, { fileName: path, timeZone: options.timeZone, ...(options.csvMapping === undefined ? {} : { csvMapping: options.csvMapping }) });
  try {
    const companions = await resolveDiskCompanions(path, results, { listings: createFolderListings(), timeZone: options.timeZone });
    if (companions.role === 'hrm') results = companions.results;
    if (companions.role === 'gpx-companion') results = [{ name: path, status: 'skipped', reason: mergedGpxReason(companions.hrm.fileName) }];
  } catch (error) {
    options.err(`${printable(path)}: unreadable: looking at the files beside it failed: ${(error as Error).message}`);
    return 1;
  }
  for (const entry of results) {
    if (entry.status === 'skipped') {
      options.out(`<!-- ${comment(entry.name)}: skipped, ${comment(entry.reason)} -->`);
      continue;
    }
    if (entry.status === 'failed') {
      options.err(printable(`${entry.name}: ${entry.error.code}: ${entry.error.message}`));
      failed = true;
      continue;
    }
    for (const workout of entry.workouts) {
      try {
        requests += printWorkout(entry.name, workout, athleteId, options);
        workouts++;
      } catch (error) {
        if (!isMappingError(error)) throw error;
        options.err(printable(`${entry.name} workout ${workout.source.index + 1}: ${error.code}: ${error.message}`));
        failed = true;
      }
    }
  }
  options.out(`<!-- ${workouts} workout(s), ${requests} request(s) -->`);
  return failed ? 1 : 0;
}

function printWorkout(name: string, workout: Workout, athleteId: string, options: MapOptions): number {
  const plan = planWorkoutUpload(workout, { athleteId, timeZone: options.timeZone });
  const which = `workout ${workout.source.index + 1} of ${workout.source.count}`;
  const when = new Date(workout.startTime).toISOString();
  options.out(`<!-- ${comment(name)} ${which}: ${workout.sport}, ${when}, ${plan.requestCount} request(s), ${plan.sampleCount} samples -->`);
  for (const w of plan.warnings) options.out(`<!-- warning ${comment(w.code)} x${w.count}: ${comment(w.message)} -->`);
  options.out(`<!-- request 1 of ${plan.requestCount}: workout.create, samples ${plan.createRange.fromIndex}..${plan.createRange.toIndex - 1} -->`);
  options.out(plan.create);
  plan.chunks.forEach((chunk, i) => {
    options.out(
      `<!-- request ${i + 2} of ${plan.requestCount}: workout.samples.add, samples ${chunk.fromIndex}..${chunk.toIndex - 1}; ${WORKOUT_ID_PLACEHOLDER} is the id workout.create answers -->`,
    );
    options.out(chunk.build(WORKOUT_ID_PLACEHOLDER));
  });
  return plan.requestCount;
}

/** Text safe inside an XML comment (no `--`). */
function comment(text: string): string {
  return printable(text.replace(/-{2,}/g, '-').replace(/[\r\n]+/g, ' '));
}
