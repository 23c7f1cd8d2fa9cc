/**
 * TCX: one activity as read by tcx.ts → a workout draft (start, totals, laps, pauses, samples,
 * device), and the grouping of multisport sessions. The rules are listed in tcx.ts.
 */
import { createWarnings, PLAUSIBLE, sportFromName } from '@optimo-import/workout';
import type { Channel, Device, LapDraft, LapTrigger, Pause, Samples, Summary, WarningCollector, WorkoutDraft } from '@optimo-import/workout';
import type { ParseContext } from './types.js';
import type { ColumnSet, TimeReader } from './xml-track.js';
import { cumulativeDistance, manufacturerFromName, ON_FOOT, startZone, warnNaiveTimes } from './xml-track.js';

/** Trackpoint columns. */
export const HR = 0;
export const CAD = 1;
export const RUN_CAD = 2;
export const SPEED = 3;
export const POWER = 4;
export const ALT = 5;
export const LAT = 6;
export const LON = 7;
export const DIST = 8;
export const POINT_COLUMNS = 9;

export type LapNumber = 'total' | 'distance' | 'calories' | keyof Summary;

export type CreatorField = 'name' | 'unitId' | 'major' | 'minor';

/** The channel whose plausible range bounds a lap summary value. */
const SUMMARY_CHANNEL: Readonly<Partial<Record<keyof Summary, Channel>>> = {
  speedMaxMetersPerSecond: 'speedMetersPerSecond',
  speedAvgMetersPerSecond: 'speedMetersPerSecond',
  heartRateAvgBpm: 'heartRateBpm',
  heartRateMaxBpm: 'heartRateBpm',
  cadenceAvgPerMinute: 'cadencePerMinute',
  cadenceMaxPerMinute: 'cadencePerMinute',
  powerAvgWatts: 'powerWatts',
  powerMaxWatts: 'powerWatts',
};

const TRIGGERS: ReadonlyMap<string, LapTrigger> = new Map<string, LapTrigger>([
  ['Manual', 'manual'],
  ['Distance', 'distance'],
  ['Location', 'position'],
  ['Time', 'time'],
  ['HeartRate', 'auto'],
]);

/** Parts of a multisport session further apart than this are separate workouts. */
const MULTISPORT_MAX_GAP_MS = 6 * 3600_000;

export type Draft = WorkoutDraft & { warnings: WarningCollector };

export interface LapAcc {
  startText?: string;
  start: number;
  firstRow: number;
  endRow: number;
  /** First row of every <Track> that holds trackpoints. */
  trackRows: number[];
  values: Partial<Record<LapNumber, number>>;
  trigger?: string;
  intensity?: string;
  notes?: string;
}

export interface ActivityAcc {
  sport?: string;
  id?: string;
  notes?: string;
  creator: Partial<Record<CreatorField, string>>;
  laps: LapAcc[];
  times: number[];
  firstTimeText?: string;
  columns: ColumnSet;
  session?: number;
  withoutTime: number;
  badTime: number;
  naive: number;
}

/** One activity as a workout draft, or undefined when it holds nothing with a time. */
export function toDraft(act: ActivityAcc, ctx: ParseContext, times: TimeReader): Draft | undefined {
  const warnings = createWarnings();
  const t = act.times;
  const n = t.length;
  let firstLap = Infinity;
  for (const lap of act.laps) if (lap.start < firstLap) firstLap = lap.start;
  const firstPoint = n > 0 ? (t[0] as number) : NaN;
  let start = Math.min(firstLap, firstPoint === firstPoint ? firstPoint : Infinity);
  let startText = start === firstPoint ? act.firstTimeText : act.laps.find((l) => l.start === start)?.startText;
  if (start === Infinity) {
    if (act.laps.length === 0 || act.id === undefined) return undefined;
    start = times.read(act.id);
    startText = act.id;
    if (start !== start) return undefined;
  }
  if (firstLap !== Infinity && firstPoint < firstLap) {
    let before = 0;
    for (const x of t) if (x < firstLap) before++;
    warnings.add('points-before-lap', "trackpoints before the first lap's start were kept; the workout starts at the first trackpoint", before);
  }

  const sportName = act.sport?.trim();
  let sport = sportFromName(sportName);
  if (!sport) {
    sport = 'other';
    warnings.add('sport-unknown', sportName ? `sport "${sportName}" is not one we know; imported as other` : 'the activity names no sport; imported as other');
  }
  const onFoot = ON_FOOT.has(sport);
  warnNaiveTimes(warnings, act.naive, ctx.timeZone);
  if (act.withoutTime > 0) warnings.add('trackpoint-without-time', 'trackpoints without a <Time> were skipped', act.withoutTime);
  if (act.badTime > 0) warnings.add('bad-time', 'trackpoints whose <Time> is not a usable date-time (unreadable, or before 1990) were skipped', act.badTime);

  const laps: LapDraft[] = [];
  const pauses: Pause[] = [];
  const breaks: number[] = [];
  let end = start;
  for (const x of t) if (x > end) end = x;
  let moving = 0;
  let distance = 0;
  let energy = 0;
  let allMoving = true;
  let allDistance = true;
  let lapsDropped = 0;
  let implausible = 0;
  let previousEnd = start;
  let previousTimerEnd = NaN;
  for (const lap of act.laps) {
    const hasRows = lap.endRow > lap.firstRow;
    let lapStart = lap.start;
    if (lapStart !== lapStart) lapStart = hasRows ? (t[lap.firstRow] as number) : previousEnd;
    const total = lap.values.total !== undefined && lap.values.total >= 0 ? lap.values.total : undefined;
    if (lap.start !== lap.start && !hasRows && total === undefined) {
      lapsDropped++;
      continue;
    }
    const span = hasRows ? ((t[lap.endRow - 1] as number) - lapStart) / 1000 : 0;
    const elapsedSeconds = Math.max(total ?? 0, span);
    const calories = lap.values.calories !== undefined && lap.values.calories > 0 ? lap.values.calories : undefined;
    const lapDistance = lap.values.distance !== undefined && lap.values.distance >= 0 ? lap.values.distance : undefined;
    const summary: Summary = {};
    for (const [field, value] of Object.entries(lap.values) as [LapNumber, number][]) {
      const channel = SUMMARY_CHANNEL[field as keyof Summary];
      if (channel === undefined) continue;
      const v = field.startsWith('cadence') && onFoot ? value * 2 : value;
      const [lo, hi] = PLAUSIBLE[channel];
      if (v >= lo && v <= hi) summary[field as keyof Summary] = v;
      else implausible++;
    }
    const trigger = lap.trigger === undefined ? undefined : TRIGGERS.get(lap.trigger);
    const intensity = lap.intensity === 'Resting' ? 'rest' : lap.intensity === 'Active' ? 'active' : undefined;
    laps.push({ startTime: lapStart, elapsedSeconds, movingSeconds: total, distanceMeters: lapDistance, energyKilocalories: calories, summary, trigger, intensity, notes: lap.notes });
    previousEnd = lapStart + elapsedSeconds * 1000;
    end = Math.max(end, previousEnd);
    if (total === undefined) allMoving = false;
    else moving += total;
    if (lapDistance === undefined) allDistance = false;
    else distance += lapDistance;
    energy += calories ?? 0;
    // A stop right at a lap change: the next lap starts later than this one's timer ends, and
    // no trackpoint fills the gap (both must agree: lap totals alone are not always right).
    const first = lap.trackRows[0];
    if (first !== undefined && first > 0 && lap.start === lap.start && lap.start - previousTimerEnd > 1500 && (t[first] as number) - (t[first - 1] as number) >= lap.start - previousTimerEnd) {
      addPause(first);
    }
    let paused = 0;
    for (let k = 1; k < lap.trackRows.length; k++) paused += addPause(lap.trackRows[k] as number);
    previousTimerEnd = total === undefined ? NaN : lapStart + (total + paused) * 1000;
  }
  /** A pause before `row` (the first trackpoint after a stop); its length in seconds. */
  function addPause(row: number): number {
    const gap = ((t[row] as number) - (t[row - 1] as number)) / 1000;
    breaks.push(row);
    if (gap > 0) pauses.push({ startOffsetSeconds: ((t[row - 1] as number) - start) / 1000, durationSeconds: gap });
    return Math.max(0, gap);
  }
  if (lapsDropped > 0) warnings.add('lap-without-start', 'laps with no start time, no trackpoints and no total time were skipped', lapsDropped);
  if (implausible > 0) warnings.add('implausible-lap-value', "lap values outside the plausible range (e.g. a maximum speed of 18720 m/s) were dropped", implausible);

  const { samples, gpsMeters, fileMeters } = toSamples(act, start, onFoot, breaks);
  let totalDistance = laps.length > 0 && allDistance ? distance : undefined;
  if (gpsMeters !== undefined) {
    const stated = totalDistance ?? fileMeters ?? 0;
    warnings.add('distance-recomputed', `the file's distance (${Math.round(stated)} m) is far below the GPS track's (${Math.round(gpsMeters)} m); distance computed from positions`);
    totalDistance = undefined;
    for (const lap of laps) delete lap.distanceMeters;
  }
  const c = act.creator;
  const device: Device = {
    manufacturer: manufacturerFromName(c.name),
    product: c.name || undefined,
    serial: c.unitId || undefined,
    software: c.major ? `${c.major}.${(c.minor ?? '0').padStart(2, '0')}` : undefined,
  };
  return {
    format: 'tcx',
    fileName: ctx.fileName,
    sha256: ctx.sha256,
    index: 0,
    count: 1,
    sport,
    sourceSport: { sport: act.sport },
    notes: act.notes,
    startTime: start,
    ...startZone(startText, start, ctx.timeZone),
    elapsedSeconds: (end - start) / 1000,
    movingSeconds: laps.length > 0 && allMoving ? moving : undefined,
    distanceMeters: totalDistance,
    energyKilocalories: energy > 0 ? energy : undefined,
    laps,
    samples,
    pauses,
    device,
    warnings,
  };
}

/**
 * The trackpoint columns as samples. Distance is the file's cumulative distance, or computed
 * from positions when the file has none; when the file's is under half the GPS track's (over
 * 500 m), the file's is garbage (Runalyze#1905, corpus gc__2009_01_09) and the GPS one replaces
 * it (`gpsMeters` tells the caller).
 */
function toSamples(act: ActivityAcc, start: number, onFoot: boolean, breaks: number[]): { samples: Samples; gpsMeters?: number; fileMeters?: number } {
  const cols = act.columns.columns;
  const samples: Samples = { offsetSeconds: act.times.map((x) => (x - start) / 1000) };
  const put = (channel: Channel, column: (number | undefined)[] | undefined): void => {
    if (column) samples[channel] = column;
  };
  put('heartRateBpm', cols[HR]);
  put('speedMetersPerSecond', cols[SPEED]);
  put('powerWatts', cols[POWER]);
  put('altitudeMeters', cols[ALT]);
  put('latitudeDegrees', cols[LAT]);
  put('longitudeDegrees', cols[LON]);
  const gps = cumulativeDistance(cols[LAT], cols[LON], breaks);
  const stated = cols[DIST];
  let gpsMeters: number | undefined;
  let fileMeters: number | undefined;
  if (stated && gps) {
    const g = lastValue(gps);
    const f = lastValue(stated);
    if (g >= 500 && f < g / 2) {
      gpsMeters = g;
      fileMeters = f;
    }
  }
  put('distanceMeters', gpsMeters !== undefined ? gps : (stated ?? gps));
  const first = onFoot ? cols[RUN_CAD] : cols[CAD];
  const second = onFoot ? cols[CAD] : cols[RUN_CAD];
  if (first || second) {
    const factor = onFoot ? 2 : 1;
    const cadence = new Array<number | undefined>(act.times.length);
    for (let i = 0; i < cadence.length; i++) {
      const v = first?.[i] ?? second?.[i];
      cadence[i] = v === undefined ? undefined : v * factor;
    }
    samples.cadencePerMinute = cadence;
  }
  return { samples, gpsMeters, fileMeters };
}

function lastValue(column: readonly (number | undefined)[]): number {
  for (let i = column.length - 1; i >= 0; i--) {
    const v = column[i];
    if (v !== undefined) return v;
  }
  return NaN;
}

/** Gives the workouts of each multisport session a group, unless its parts lie hours apart. */
export function groupSessions(drafts: Draft[], sessions: (number | undefined)[], sha256: string): void {
  const members = new Map<number, Draft[]>();
  drafts.forEach((d, i) => {
    const s = sessions[i];
    if (s !== undefined) members.set(s, [...(members.get(s) ?? []), d]);
  });
  for (const [session, list] of members) {
    if (list.length < 2) continue;
    const apart = list.some((d, i) => {
      const prev = list[i - 1];
      return prev !== undefined && d.startTime - (prev.startTime + (prev.elapsedSeconds ?? 0) * 1000) > MULTISPORT_MAX_GAP_MS;
    });
    list.forEach((d, index) => {
      if (apart) {
        d.warnings.add('multisport-split', 'the parts of this <MultiSportSession> lie more than 6 h apart; imported as separate workouts');
      } else d.group = { id: `sha256:${sha256}#multisport-${session}`, index, size: list.length };
    });
  }
}
