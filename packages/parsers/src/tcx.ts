/**
 * TCX (Garmin Training Center Database v2 + ActivityExtension v2) → workouts.
 *
 * - Every `<Activity>` is a workout (`source.index` in file order); the activities of one
 *   `<MultiSportSession>` share a `group` — unless its parts lie more than 6 h apart (a Garmin
 *   Communicator export has put weeks of runs into one session), then they stay separate with
 *   a `multisport-split` warning.
 * - Start: the earliest of the first lap's `StartTime` and the first trackpoint's `Time`, never
 *   the `Id` (Garmin Connect rounds it to the minute); `Id` is used only when neither exists.
 *   Trackpoints before the first lap start are kept (`points-before-lap` warning): dropping
 *   data a device recorded is worse than a start one second earlier.
 * - Elapsed: first start to the end of the last lap or trackpoint; moving: the sum of the laps'
 *   `TotalTimeSeconds` (timer time); distance: the sum of the laps' `DistanceMeters`, else the
 *   last cumulative distance, else computed from positions (haversine) — and the GPS distance
 *   replaces the file's when the file's is under half of it (`distance-recomputed`); energy:
 *   the sum of `Calories` (a total of 0 is "not recorded"). Several `<Track>`s in one lap are
 *   pauses between them. Laps keep their own values; summaries the file lacks come from samples.
 * - Times: `Z` or an explicit offset, kept as written (Polar has written wrong offsets; the
 *   file is still the only source of the instant), the offset as `utcOffsetMinutes` (source
 *   `file`); naive times are read in the time zone option (default UTC) with a warning.
 * - Cadence: rpm on a bike; on foot (running, walking, hiking) TCX counts strides, Optimo
 *   counts steps, so every cadence value (Cadence, RunCadence, AvgRunCadence, MaxRunCadence) is
 *   doubled. Heart rate 0 is "no reading". Extension elements match by local name whatever the
 *   prefix (`ns3:TPX`, `TPX xmlns="…"`).
 * - Lap `Intensity` (Active → active, Resting → rest) and lap `Notes` are kept on the lap.
 * - A file with `<Courses>` or `<Workouts>` and no activity is a course or plan:
 *   `unsupported-variant`. An activity with no laps and no trackpoints is skipped with an
 *   `empty-activity` warning; `no-data` when none is left.
 */
import { buildWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { ParseError } from './errors.js';
import type { ActivityAcc, CreatorField, Draft, LapAcc, LapNumber } from './tcx-workout.js';
import { ALT, CAD, DIST, groupSessions, HR, LAT, LON, POINT_COLUMNS, POWER, RUN_CAD, SPEED, toDraft } from './tcx-workout.js';
import type { FormatParser, ParseContext } from './types.js';
import { createXmlReader, decodeXml, xmlRootName, XML_CLOSE, XML_END, XML_OPEN } from './xml.js';
import type { TimeReader } from './xml-track.js';
import { createColumns, createTimeReader, pushRow, toNumber } from './xml-track.js';

/** Trackpoint leaves by local name (a `<Value>` by its parent's name) → column. */
const POINT_FIELDS: ReadonlyMap<string, number> = new Map([
  ['LatitudeDegrees', LAT],
  ['LongitudeDegrees', LON],
  ['AltitudeMeters', ALT],
  ['DistanceMeters', DIST],
  ['HeartRateBpm', HR],
  ['Cadence', CAD], // rpm, or strides/min on foot
  ['RunCadence', RUN_CAD], // TPX, strides/min
  ['Speed', SPEED], // TPX, m/s
  ['Watts', POWER], // TPX
]);

/** Lap leaves (incl. the LX extension) → lap value; the first one found wins. */
const LAP_FIELDS: ReadonlyMap<string, LapNumber> = new Map<string, LapNumber>([
  ['TotalTimeSeconds', 'total'],
  ['DistanceMeters', 'distance'],
  ['Calories', 'calories'],
  ['MaximumSpeed', 'speedMaxMetersPerSecond'],
  ['AvgSpeed', 'speedAvgMetersPerSecond'],
  ['AverageHeartRateBpm', 'heartRateAvgBpm'],
  ['MaximumHeartRateBpm', 'heartRateMaxBpm'],
  ['Cadence', 'cadenceAvgPerMinute'],
  ['AvgRunCadence', 'cadenceAvgPerMinute'],
  ['MaxRunCadence', 'cadenceMaxPerMinute'],
  ['MaxBikeCadence', 'cadenceMaxPerMinute'],
  ['AvgWatts', 'powerAvgWatts'],
  ['MaxWatts', 'powerMaxWatts'],
]);

const CREATOR_FIELDS: ReadonlyMap<string, CreatorField> = new Map<string, CreatorField>([
  ['Name', 'name'],
  ['UnitId', 'unitId'],
  ['VersionMajor', 'major'],
  ['VersionMinor', 'minor'],
]);

export const tcxParser: FormatParser = {
  format: 'tcx',
  extensions: ['tcx'],
  detect: (input) => xmlRootName(input) === 'TrainingCenterDatabase',
  parse: parseTcx,
};

function parseTcx(input: Uint8Array, ctx: ParseContext): Workout[] {
  const times = createTimeReader(ctx.timeZone);
  const { activities, variant } = readActivities(input, ctx, times);
  if (activities.length === 0) {
    if (variant) throw tcxError('unsupported-variant', `a course file, not an activity (it holds <${variant}> and no <Activity>)`, ctx);
    throw tcxError('no-data', 'the file holds no <Activity>', ctx);
  }
  const drafts: Draft[] = [];
  const sessions: (number | undefined)[] = [];
  let empty = 0;
  for (const act of activities) {
    const draft = toDraft(act, ctx, times);
    if (draft) {
      drafts.push(draft);
      sessions.push(act.session);
    } else empty++;
  }
  if (drafts.length === 0) throw tcxError('no-data', `the file's ${activities.length === 1 ? 'activity holds' : 'activities hold'} no laps and no trackpoints with a time`, ctx);
  groupSessions(drafts, sessions, ctx.sha256);
  return drafts.map((draft, index) => {
    draft.index = index;
    draft.count = drafts.length;
    if (empty > 0) draft.warnings.add('empty-activity', 'activities without laps or trackpoints in the file were skipped', empty);
    return buildWorkout(draft);
  });
}

function tcxError(code: ParseError['code'], message: string, ctx: ParseContext): ParseError {
  return new ParseError({ code, message, format: 'tcx', file: ctx.fileName });
}

function newActivity(sport: string | undefined, session: number | undefined): ActivityAcc {
  return { sport, session, creator: {}, laps: [], times: [], columns: createColumns(POINT_COLUMNS), withoutTime: 0, badTime: 0, naive: 0 };
}

/** One pass over the document: activities with their laps, trackpoint columns and creator. */
function readActivities(input: Uint8Array, ctx: ParseContext, times: TimeReader): { activities: ActivityAcc[]; variant?: string } {
  const r = createXmlReader(decodeXml(input), { format: 'tcx', file: ctx.fileName });
  const activities: ActivityAcc[] = [];
  const cur = new Float64Array(POINT_COLUMNS);
  let variant: string | undefined;
  let act: ActivityAcc | undefined;
  let lap: LapAcc | undefined;
  let inPoint = false;
  let inCreator = false;
  let timeText: string | undefined;
  let trackRow = 0;
  let session: number | undefined;
  let sessions = 0;
  let naiveAtOpen = 0;
  for (let ev = r.next(); ev !== XML_END; ev = r.next()) {
    const name = r.name;
    if (ev === XML_OPEN) {
      if (r.depth === 1 && name !== 'TrainingCenterDatabase') throw r.error('corrupt', `the root element is <${r.qname}>, not <TrainingCenterDatabase>`);
      if (inPoint) continue;
      if (name === 'Trackpoint') {
        inPoint = act !== undefined;
        cur.fill(NaN);
        timeText = undefined;
      } else if (name === 'Track') trackRow = act ? act.columns.rows : 0;
      else if (name === 'Lap' && act && r.parent === 'Activity') {
        const startText = r.attr('StartTime');
        const rows = act.columns.rows;
        lap = { startText, start: startText === undefined ? NaN : times.read(startText), firstRow: rows, endRow: rows, trackRows: [], values: {} };
        act.laps.push(lap);
      } else if (name === 'Activity') {
        // Nested, its laps would count the rows of the inner one (an elapsed time of NaN).
        if (act !== undefined) throw r.error('corrupt', '<Activity> inside another <Activity>');
        act = newActivity(r.attr('Sport'), session);
        activities.push(act);
        naiveAtOpen = times.naiveCount;
      } else if (name === 'Creator') inCreator = act !== undefined;
      else if (name === 'MultiSportSession') session = sessions++;
      else if (name === 'Courses' || name === 'Workouts') {
        variant ??= name;
        r.skip();
      } else if (name === 'Transition' || name === 'Author') r.skip();
      continue;
    }
    if (ev !== XML_CLOSE || !act) {
      if (name === 'MultiSportSession') session = undefined;
      continue;
    }
    if (inPoint) {
      if (name === 'Trackpoint') {
        inPoint = false;
        commitPoint(act, cur, timeText, times, ctx);
      } else if (name === 'Time') timeText = r.text();
      else {
        const column = POINT_FIELDS.get(name === 'Value' ? r.parent : name);
        if (column !== undefined && cur[column] !== cur[column]) cur[column] = toNumber(r.text());
      }
    } else if (lap) {
      if (name === 'Lap') {
        lap.endRow = act.columns.rows;
        lap = undefined;
      } else if (name === 'Track') {
        if (act.columns.rows > trackRow) lap.trackRows.push(trackRow);
      } else if (name === 'TriggerMethod') lap.trigger = r.text().trim();
      else if (name === 'Intensity') lap.intensity = r.text().trim();
      else if (name === 'Notes' && r.parent === 'Lap') lap.notes = r.text().trim() || undefined;
      else {
        const field = LAP_FIELDS.get(name === 'Value' ? r.parent : name);
        if (field !== undefined && lap.values[field] === undefined) {
          const v = toNumber(r.text());
          if (v === v) lap.values[field] = v;
        }
      }
    } else if (inCreator) {
      if (name === 'Creator') inCreator = false;
      else {
        const field = CREATOR_FIELDS.get(name);
        if (field !== undefined) act.creator[field] ??= r.text().trim();
      }
    } else if (name === 'Activity') {
      act.naive = times.naiveCount - naiveAtOpen;
      act = undefined;
    } else if (r.parent === 'Activity') {
      if (name === 'Id') act.id = r.text().trim();
      else if (name === 'Notes') act.notes = r.text().trim() || undefined;
    }
  }
  return { activities, variant };
}

function commitPoint(act: ActivityAcc, cur: Float64Array, timeText: string | undefined, times: TimeReader, ctx: ParseContext): void {
  if (timeText === undefined) {
    act.withoutTime++;
    return;
  }
  const t = times.read(timeText);
  if (t !== t) {
    act.badTime++;
    return;
  }
  if (act.times.length === 0) act.firstTimeText = timeText;
  if ((cur[HR] as number) <= 0) cur[HR] = NaN;
  act.times.push(t);
  pushRow(act.columns, cur);
  if (act.times.length > ctx.limits.maxSamples) throw tcxError('too-large', `an activity holds more than ${ctx.limits.maxSamples} trackpoints (the maxSamples limit)`, ctx);
}
