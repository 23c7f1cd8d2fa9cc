/**
 * One workout of an HRM and its companions, given what the caller found beside it (the same
 * zip folder, the same disk folder: see `findCompanions`): the GPX's parsed workouts and the
 * day file's bytes. The rules every caller shares (the registry for archives, the worker for
 * folders, `inspect`), so an exercise imports the same whichever way it came:
 *
 * | companion | used when | else |
 * | --- | --- | --- |
 * | `x.gpx` | it holds one track and some of it overlaps the HRM's recording (whole hours apart counts: `mergeHrmWithGpx`) | not merged: the GPX is a workout of its own; the HRM gets a `companion-no-overlap` or `companion-not-merged` warning |
 * | `YYYYMMDD.pdd` | it reads as a day file and one exercise names the HRM (or starts within a minute of it) | the HRM as it was, with a `companion-pdd-unreadable` or `companion-pdd-no-exercise` warning |
 *
 * The GPX is merged first (it may move the start to GPS time), then the day file's exercise gives
 * the name, the note and the sport (`applyPddExercise`).
 */
import type { Workout } from '@optimo-import/workout';
import { isParseError, ParseError } from '../errors.js';
import { mergeHrmWithGpx } from './companions.js';
import { applyPddExercise, findPddExercise, readPdd } from './pdd.js';
import type { PddDay } from './pdd.js';
import { baseNameOf } from './polar-text.js';

export interface HrmCompanionFiles {
  /** The GPX beside the HRM, parsed by the caller. */
  gpx?: { fileName: string; workouts: readonly Workout[] };
  /** The day file beside the HRM: its bytes (read with `readPdd`), or a day already read. */
  pdd?: { fileName: string; bytes: Uint8Array } | { fileName: string; day: PddDay };
}

export interface JoinedHrm {
  workout: Workout;
  /** The GPX's track is part of `workout`: the GPX is no workout of its own. */
  gpxMerged: boolean;
  /** The day file's exercise was applied. */
  pddApplied: boolean;
  /** Why the day file could not be read (it is then left out). */
  pddError?: ParseError;
}

/** The HRM's workout with its companions' data; the input is not changed. */
export function joinHrmCompanions(hrm: Workout, hrmFileName: string, companions: HrmCompanionFiles): JoinedHrm {
  let workout = hrm;
  let gpxMerged = false;
  const gpx = companions.gpx;
  if (gpx !== undefined) {
    const name = baseNameOf(gpx.fileName);
    const [track, ...more] = gpx.workouts;
    if (track === undefined || more.length > 0) {
      workout = withWarning(workout, 'companion-not-merged', `${name} holds ${gpx.workouts.length} tracks, not the one ProTrainer writes; it was not merged and imports on its own`);
    } else {
      workout = mergeHrmWithGpx(workout, track);
      gpxMerged = workout.extras?.['companion-gpx'] !== undefined;
    }
  }
  let pddApplied = false;
  let pddError: ParseError | undefined;
  const pdd = companions.pdd;
  if (pdd !== undefined) {
    const name = baseNameOf(pdd.fileName);
    let day: PddDay | undefined;
    try {
      day = 'day' in pdd ? pdd.day : readPdd(pdd.bytes, pdd.fileName);
    } catch (error) {
      pddError = isParseError(error) ? error : new ParseError({ code: 'corrupt', format: 'polar-hrm', file: pdd.fileName, message: String(error), cause: error });
      workout = withWarning(workout, 'companion-pdd-unreadable', `the day file ${name} beside it could not be read (${pddError.detail}); the exercise's name and sport are not known`);
    }
    if (day !== undefined) {
      const exercise = findPddExercise(day, hrmFileName, workout);
      if (exercise !== undefined) {
        workout = applyPddExercise(workout, exercise, day);
        pddApplied = true;
      } else {
        workout = withWarning(workout, 'companion-pdd-no-exercise', `the day file ${name} names no exercise of ${baseNameOf(hrmFileName)} (no file link to it, no exercise starting within a minute of it)`);
      }
    }
  }
  return { workout, gpxMerged, pddApplied, ...(pddError === undefined ? {} : { pddError }) };
}

function withWarning(workout: Workout, code: string, message: string): Workout {
  return { ...workout, warnings: [...workout.warnings, { code, message, count: 1 }] };
}

/** The reason a merged GPX is skipped: `a Polar companion: merged into x.hrm`. */
export function mergedGpxReason(hrmFileName: string): string {
  return `a Polar companion: merged into ${baseNameOf(hrmFileName)}`;
}

/** The reason a day file is skipped: `a Polar day file: read for x.hrm, y.hrm`. */
export function readPddReason(hrmFileNames: readonly string[]): string {
  return `a Polar day file: read for ${hrmFileNames.map(baseNameOf).join(', ')}`;
}
