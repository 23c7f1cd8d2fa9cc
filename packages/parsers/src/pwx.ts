/**
 * PWX (TrainingPeaks / Peaksware XML, namespace http://www.peaksware.com/PWX/1/0) → workouts:
 * Timex Device Agent (Global Trainer, Race Trainer, Run Trainer), IpBike, WKO, GoldenCheetah.
 *
 * - Every `<workout>` is a workout (`source.index` in file order). Detection: the root element
 *   is `pwx`, in the Peaksware namespace (or in none).
 * - Start: `<time>`. PWX writers put naive local wall-clock time there; it is read with
 *   `resolveLocalStart` in the `timeZone` option, else this machine's zone (utcOffsetSource
 *   `time-zone-option` / `machine-zone`; DST gap/overlap and zone-assumed warnings). A time with
 *   an explicit offset is the file's (`file`); `Z` is UTC with no local offset (`none`). A
 *   workout without a usable `<time>` is skipped (`workout-without-time` on the others), and the
 *   file fails with `no-data` when none is left.
 * - Samples sit at `<timeoffset>` seconds from the start, as written (Timex's nominal 2 s is
 *   really ~2.02 s). Values per SAMPLE_FIELDS; heart rate 0 is no reading; a power of exactly
 *   1 W is 0 W (GoldenCheetah and IpBike write 0 as 1 for TrainingPeaks' upload service).
 *   Cadence on foot is doubled when its median is under 100 (strides, as TCX/FIT count).
 *   Samples without a usable offset, or before the start, are skipped with a warning; more than
 *   `maxSamples` in one workout is `too-large`.
 * - Totals from the workout's `<summarydata>`: duration → elapsed (extended to the last sample
 *   with a warning when shorter), duration − durationstopped → moving, dist → distance,
 *   min/max/avg elements per RANGE_FIELDS (pwx-workout.ts), climbingelevation/descendingelevation
 *   (or the Global Trainer's workout `<extension>` ascent/descent) → ascent/descent. All-zero
 *   min/max/avg elements are placeholders and ignored. `work` (kJ) and `tss` go to extras, not
 *   to energy: Timex writes calories there, converted once or twice.
 * - `<segment>`s are laps (beginning, duration, durationstopped, dist and the same summary
 *   fields); a segment spanning the whole workout beside shorter ones is a summary, not a lap.
 * - `<event>`s: a stop (Stopping, Stop, Pause…) followed by a start (Starting, Resume…) is a
 *   pause; an event with text becomes a note of the lap it falls in; the rest are listed in
 *   `extras.events`.
 * - Sport from `<sportType>` (Bike, Run, Swim, Mountain Bike, XC Ski…), else `other` with a
 *   warning; name from `<title>`, notes from `<cmt>`; device from `<make>`/`<model>`; a
 *   Device Agent `<fingerprint>` names the recording (`pwx:<fingerprint>`).
 */
import { buildWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { ParseError } from './errors.js';
import type { Draft, DocInfo, EventAcc, SegmentAcc, SummaryAcc, SummaryNumber, WorkoutAcc } from './pwx-workout.js';
import { ALT, CAD, DIST, HR, LAT, LON, newSummary, POWER, RANGE_FIELDS, SAMPLE_COLUMNS, SPEED, TEMP, toDraft } from './pwx-workout.js';
import type { FormatParser, ParseContext } from './types.js';
import { createXmlReader, decodeXml, xmlRootName, XML_CLOSE, XML_END, XML_OPEN } from './xml.js';
import { createColumns, pushRow, toNumber } from './xml-track.js';


/** `<sample>` children → column (torq, pwrright and vendor `<extension>`s are not kept). */
const SAMPLE_FIELDS: ReadonlyMap<string, number> = new Map([
  ['hr', HR], // bpm
  ['spd', SPEED], // m/s
  ['pwr', POWER], // W
  ['cad', CAD], // rpm; on foot strides or steps per minute
  ['dist', DIST], // m, cumulative
  ['lat', LAT], // degrees
  ['lon', LON],
  ['alt', ALT], // m
  ['temp', TEMP], // °C
]);

const SUMMARY_NUMBERS: ReadonlySet<string> = new Set<SummaryNumber>(['beginning', 'duration', 'durationstopped', 'dist', 'work', 'climbingelevation', 'descendingelevation', 'tss']);

/** `<workout>` text leaves → field. */
const WORKOUT_FIELDS: ReadonlyMap<string, 'sportType' | 'title' | 'cmt' | 'fingerprint' | 'timeText'> = new Map<string, 'sportType' | 'title' | 'cmt' | 'fingerprint' | 'timeText'>([
  ['sportType', 'sportType'],
  ['title', 'title'],
  ['cmt', 'cmt'],
  ['fingerprint', 'fingerprint'],
  ['time', 'timeText'],
]);

export const pwxParser: FormatParser = {
  format: 'pwx',
  extensions: ['pwx'],
  detect: detectPwx,
  parse: parsePwx,
};

/** Root `pwx` in the Peaksware namespace (or a bare `<pwx>` declaring no default namespace). */
function detectPwx(input: Uint8Array): boolean {
  if (xmlRootName(input) !== 'pwx') return false;
  const head = latin1(input.subarray(0, 4096));
  if (head.includes('peaksware.com/PWX')) return true;
  const tag = /<(?:[\w.-]+:)?pwx\b[^>]*>/.exec(head)?.[0];
  return tag !== undefined && !/\sxmlns\s*=/.test(tag);
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number);
  return s.replace(/\0/g, ''); // UTF-16 files: the ASCII letters survive
}

function pwxError(code: ParseError['code'], message: string, ctx: ParseContext): ParseError {
  return new ParseError({ code, message, format: 'pwx', file: ctx.fileName });
}

function parsePwx(input: Uint8Array, ctx: ParseContext): Workout[] {
  const { doc, workouts } = readPwx(input, ctx);
  if (workouts.length === 0) throw pwxError('no-data', 'the file holds no <workout>', ctx);
  const drafts: Draft[] = [];
  let noTime = 0;
  let empty = 0;
  for (const w of workouts) {
    const draft = toDraft(w, doc, ctx);
    if (draft === 'no-time') noTime++;
    else if (draft === 'empty') empty++;
    else drafts.push(draft);
  }
  if (drafts.length === 0) {
    if (noTime > 0) throw pwxError('no-data', `the file's ${workouts.length === 1 ? 'workout has' : 'workouts have'} no usable <time> (a start date-time after 1989); a workout needs one`, ctx);
    throw pwxError('no-data', `the file's ${workouts.length === 1 ? 'workout holds' : 'workouts hold'} no samples, no duration and no segments`, ctx);
  }
  return drafts.map((draft, index) => {
    draft.index = index;
    draft.count = drafts.length;
    if (noTime > 0) draft.warnings.add('workout-without-time', 'workouts of this file without a usable <time> were skipped', noTime);
    if (empty > 0) draft.warnings.add('empty-workout', 'workouts of this file without samples, duration or segments were skipped', empty);
    return buildWorkout(draft);
  });
}

function newWorkout(): WorkoutAcc {
  return { extension: {}, segments: [], events: [], offsets: [], columns: createColumns(SAMPLE_COLUMNS), withoutOffset: 0, beforeStart: 0 };
}

/** One pass over the document: the workouts with their summaries, segments, events and sample columns. */
function readPwx(input: Uint8Array, ctx: ParseContext): { doc: DocInfo; workouts: WorkoutAcc[] } {
  const r = createXmlReader(decodeXml(input), { format: 'pwx', file: ctx.fileName });
  const doc: DocInfo = {};
  const workouts: WorkoutAcc[] = [];
  const cur = new Float64Array(SAMPLE_COLUMNS);
  let w: WorkoutAcc | undefined;
  let inSample = false;
  let offsetText: string | undefined;
  let summary: SummaryAcc | undefined;
  let segment: SegmentAcc | undefined;
  let event: EventAcc | undefined;
  let inDevice = false;
  let inExtension = false;
  for (let ev = r.next(); ev !== XML_END; ev = r.next()) {
    const name = r.name;
    if (ev === XML_OPEN) {
      if (r.depth === 1) {
        if (name !== 'pwx') throw r.error('corrupt', `the root element is <${r.qname}>, not <pwx>`);
        doc.creator = r.attr('creator')?.trim() || undefined;
      } else if (r.depth === 2) {
        if (name === 'workout') {
          w = newWorkout();
          workouts.push(w);
        } else r.skip();
      } else if (!w) r.skip();
      else if (inSample) {
        if (name === 'extension') r.skip();
      } else if (r.parent === 'workout') {
        if (name === 'sample') {
          inSample = true;
          cur.fill(NaN);
          offsetText = undefined;
        } else if (name === 'summarydata') w.summary = summary = newSummary();
        else if (name === 'segment') w.segments.push((segment = {}));
        else if (name === 'event') w.events.push((event = { offset: NaN }));
        else if (name === 'device') inDevice = true;
        else if (name === 'extension') inExtension = true;
        else if (name === 'athlete' || name === 'goal') r.skip();
      } else if (name === 'summarydata' && segment && r.parent === 'segment') segment.data = summary = newSummary();
      else if (summary && r.parent === 'summarydata' && RANGE_FIELDS.has(name)) {
        summary.ranges.set(name, { min: toNumber(r.attr('min')), max: toNumber(r.attr('max')), avg: toNumber(r.attr('avg')) });
      } else if (inDevice && name === 'extension') r.skip(); // a watch's settings dump
      continue;
    }
    if (ev !== XML_CLOSE || !w) continue;
    if (inSample) {
      if (name === 'sample') {
        inSample = false;
        commitSample(w, cur, offsetText, ctx);
      } else if (r.parent === 'sample') {
        if (name === 'timeoffset') offsetText = r.text();
        else {
          const column = SAMPLE_FIELDS.get(name);
          if (column !== undefined && cur[column] !== cur[column]) cur[column] = toNumber(r.text().trim());
        }
      }
    } else if (name === 'workout' && r.depth === 2) w = undefined;
    else if (r.parent === 'workout') {
      if (name === 'summarydata') summary = undefined;
      else if (name === 'segment') segment = undefined;
      else if (name === 'event') event = undefined;
      else if (name === 'device') inDevice = false;
      else if (name === 'extension') inExtension = false;
      else {
        const field = WORKOUT_FIELDS.get(name);
        if (field !== undefined && w[field] === undefined) w[field] = r.text().trim() || undefined;
      }
    } else if (name === 'summarydata') summary = undefined;
    else if (summary && r.parent === 'summarydata') {
      if (SUMMARY_NUMBERS.has(name)) summary.values[name as SummaryNumber] ??= finiteOrUndefined(toNumber(r.text().trim()));
    } else if (segment && r.parent === 'segment' && name === 'name') segment.name = r.text().trim() || undefined;
    else if (event && r.parent === 'event') {
      if (name === 'timeoffset') event.offset = toNumber(r.text().trim());
      else if (name === 'type') event.type = r.text().trim() || undefined;
      else if (name === 'text') event.text = r.text().trim() || undefined;
    } else if (inDevice && r.parent === 'device') {
      if (name === 'make') w.make ??= r.text();
      else if (name === 'model') w.model ??= r.text();
    } else if (inExtension && r.parent === 'extension') {
      if (name === 'ascent') w.extension.ascent ??= finiteOrUndefined(toNumber(r.text().trim()));
      else if (name === 'descent') w.extension.descent ??= finiteOrUndefined(toNumber(r.text().trim()));
    }
  }
  return { doc, workouts };
}

function finiteOrUndefined(v: number): number | undefined {
  return v === v ? v : undefined;
}

function commitSample(w: WorkoutAcc, cur: Float64Array, offsetText: string | undefined, ctx: ParseContext): void {
  const t = toNumber(offsetText?.trim());
  if (t !== t) {
    w.withoutOffset++;
    return;
  }
  if (t < 0) {
    w.beforeStart++;
    return;
  }
  if ((cur[HR] as number) <= 0) cur[HR] = NaN;
  if (cur[POWER] === 1) cur[POWER] = 0;
  w.offsets.push(t);
  pushRow(w.columns, cur);
  if (w.offsets.length > ctx.limits.maxSamples) throw pwxError('too-large', `a workout holds more than ${ctx.limits.maxSamples} samples (the maxSamples limit)`, ctx);
}

