/**
 * Polar XML → workouts: polarpersonaltrainer.com exports (`<polar-exercise-data>`, namespace
 * http://www.polarpersonaltrainer.com, `.xml`/`.ped`) and the older RS200sd dialect
 * (`<rs200_session>`).
 *
 * polarpersonaltrainer.com (polar-xml-ppt.ts):
 * - Every `<calendar-items>/<exercise>` is a workout (`source.index` in file order); other
 *   calendar items (`<fitness-data>`, notes) are not workouts. An exercise without a readable
 *   start or without anything to import (no duration, samples or laps) is skipped with an
 *   `exercise-skipped` warning on the others; `no-data` when none is left.
 * - Start: `<time>` (`2013-03-24 11:33:09.0`, local wall-clock time, no zone), else `<created>`
 *   (`start-from-created`), made UTC in the `timeZone` option or else this machine's zone
 *   (`resolveLocalStart`: `utcOffsetSource` `time-zone-option` or `machine-zone`, daylight-saving
 *   gaps and overlaps as `dst-gap`/`dst-overlap` warnings).
 * - Totals from `<result>`: `duration` (`HH:MM:SS[.mmm]`, and `HH:MM`), `distance` (m),
 *   `calories`; summary values by the RESULT_FIELDS table (speeds in km/h → m/s). An exercise
 *   with a result and no samples is a workout with totals and no samples.
 * - Samples: one comma-separated string per channel (`<sample><type>` by SAMPLE_CHANNELS), sample
 *   k at k × `<recording-rate>` s. Channels of unequal length are padded with gaps to the
 *   longest (`channel-length-mismatch`); a trailing comma adds no sample; an empty or unreadable
 *   value is a gap (`sample-unreadable`); heart rate 0 is a gap. Cadence on foot and
 *   `RUN_CADENCE` are strides per minute and doubled to steps.
 * - Laps: `<laps>/<lap>` follow each other from the start (durations only). A lap faster than
 *   60 km/h by its distance and duration has its duration written in minutes as seconds (a
 *   known export fault, Runalyze PR #1471) and is multiplied by 60 (`lap-duration-repaired`).
 * - Sport: `<sport>` free text in the account's language (English, German, French, Finnish,
 *   Spanish, Italian, Dutch, Swedish stems), else the exercise name, else `<speed><type>`
 *   (RUNNING/CYCLING); the source text is kept in `sourceSport`.
 *
 * RS200sd (polar-xml-rs200.ts): start from `session_data` day/month/year/start_hour/
 * start_minute/start_second (local, as above); elapsed `summary/length` s; distance
 * `total_distance` m and speeds from paces in s/km when `has_pace_data` and the distance is
 * over 0 (sport running, `sport-assumed`: the foot pod is a runner's); laps from
 * `lap_end_time` − `laptime` (the file lists the last lap first), `autolap` 1 → trigger
 * `distance`. No samples.
 */
import { buildWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { ParseError } from './errors.js';
import type { PolarDraft } from './polar-xml-common.js';
import { listReasons } from './polar-xml-common.js';
import { pptDraft, readPptExercises } from './polar-xml-ppt.js';
import { rs200Draft, readRs200 } from './polar-xml-rs200.js';
import type { FormatParser, ParseContext } from './types.js';
import { createXmlReader, decodeXml, xmlRootName, XML_OPEN } from './xml.js';

/** Root elements of the two dialects. */
const ROOTS: ReadonlySet<string> = new Set(['polar-exercise-data', 'rs200_session']);

export const polarXmlParser: FormatParser = {
  format: 'polar-xml',
  extensions: ['xml', 'ped'],
  detect: (input) => {
    const root = xmlRootName(input);
    return root !== undefined && ROOTS.has(root);
  },
  parse: parsePolarXml,
};

function polarXmlError(code: ParseError['code'], message: string, ctx: ParseContext): ParseError {
  return new ParseError({ code, message, format: 'polar-xml', file: ctx.fileName });
}

function parsePolarXml(input: Uint8Array, ctx: ParseContext): Workout[] {
  const r = createXmlReader(decodeXml(input), { format: 'polar-xml', file: ctx.fileName });
  if (r.next() !== XML_OPEN) throw polarXmlError('no-data', 'the file holds no XML element', ctx);
  const root = r.name;
  if (!ROOTS.has(root)) throw r.error('corrupt', `the root element is <${r.qname}>, not <polar-exercise-data> or <rs200_session>`);
  const results: (PolarDraft | string)[] = [];
  if (root === 'rs200_session') results.push(rs200Draft(readRs200(r), ctx));
  else {
    const exercises = readPptExercises(r);
    if (exercises.length === 0) throw polarXmlError('no-data', 'the file holds no <exercise> (only other calendar items, such as fitness tests)', ctx);
    for (const ex of exercises) results.push(pptDraft(ex, ctx));
  }
  const drafts = results.filter((x): x is PolarDraft => typeof x !== 'string');
  const skipped = results.filter((x): x is string => typeof x === 'string');
  if (drafts.length === 0) throw polarXmlError('no-data', `no exercise could be imported: ${listReasons(skipped)}`, ctx);
  return drafts.map((draft, index) => {
    draft.index = index;
    draft.count = drafts.length;
    if (skipped.length > 0) draft.warnings.add('exercise-skipped', `exercises of this file were skipped: ${listReasons(skipped)}`, skipped.length);
    return buildWorkout(draft);
  });
}
