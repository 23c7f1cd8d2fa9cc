/**
 * From decoded FIT data to workout drafts: one per session plan, with the file's own totals
 * where plausible, laps, pauses, lengths, sport, device, UTC offset and developer extras.
 */
import { createWarnings, PLAUSIBLE, sportFromName } from '@optimo-import/workout';
import type { Device, LapDraft, LapTrigger, OffsetSource, Samples, Sport, Summary, Warning, WarningCollector, WorkoutDraft } from '@optimo-import/workout';
import type { FitData, FitUnit, LapValues, SessionValues } from './collect.js';
import {
  FILE_TYPE_ACTIVITY,
  FILE_TYPES,
  FIT_EPOCH_OFFSET_SECONDS,
  GARMIN_PRODUCT_MAKERS,
  LAP_INTENSITIES,
  LAP_TRIGGERS,
  LENGTH_ACTIVE,
  SYSTEM_TIME_LIMIT,
} from './profile.js';
import { garminProductName, manufacturerName, sportName, subSportName } from './profile-names.js';
import { devSummaries, firstDistance, lastDistanceBefore, samplesOf } from './samples.js';
import { clipPauses, pausesOf, planUnit } from './sessions.js';
import type { SessionPlan } from './sessions.js';
import { storesLocalTimeAsUtc, timexLocalTime } from './timex.js';

export interface DraftContext {
  fileName?: string;
  sha256: string;
  timeZone?: string;
}

export type DraftResult =
  | { drafts: WorkoutDraft[] }
  | { rejection: { code: 'unsupported-variant' | 'no-data' | 'truncated'; message: string } };

const MAX_UTC_OFFSET_SECONDS = 14 * 3600;

/** Sports on foot: FIT cadence there is strides per minute, Optimo wants steps. */
const ON_FOOT: ReadonlySet<Sport> = new Set(['running', 'walking', 'hiking']);

/** FIT sports whose sub-sport says more than the sport (fitness_equipment/indoor_rowing -> rowing). */
const SUB_SPORT_FIRST: ReadonlySet<string> = new Set(['generic', 'fitness_equipment', 'training']);

/** FIT sport names that the generic word matching would get wrong. */
const SPORT_OVERRIDES: Readonly<Record<string, Sport>> = { motorcycling: 'other', transition: 'multisport' };

function finite(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v);
}

function inRange(v: number | undefined, [lo, hi]: readonly [number, number]): number | undefined {
  return finite(v) && v >= lo && v <= hi ? v : undefined;
}

/** Our sport from the FIT enum names (transition -> multisport: it is part of one). */
export function mapSport(sport: string | undefined, subSport: string | undefined): Sport {
  const sub = subSport && subSport !== 'generic' ? subSport : undefined;
  if (sport && SPORT_OVERRIDES[sport]) return SPORT_OVERRIDES[sport];
  if (sport && SUB_SPORT_FIRST.has(sport)) return sportFromName(sub) ?? sportFromName(sport) ?? 'other';
  return sportFromName(sport) ?? sportFromName(sub) ?? 'other';
}

export function draftsOf(data: FitData, fileWarnings: readonly Warning[], ctx: DraftContext): DraftResult {
  const plans: SessionPlan[] = [];
  const seen = new Map<string, SessionPlan>();
  let rejected: string | undefined;
  for (const unit of data.units) {
    const type = unit.fileId?.type;
    if (type !== undefined && type !== FILE_TYPE_ACTIVITY) {
      rejected ??= `this is a ${FILE_TYPES[type] ?? `type ${type}`} file, not an activity`;
      continue;
    }
    for (const plan of planUnit(unit, data.records)) {
      // A chained file that repeats a unit (the same recording twice) yields it once.
      const key = `${unit.fileId?.serialNumber}|${unit.fileId?.timeCreated}|${plan.start}|${plan.session?.totalElapsedTime}|${plan.rows.length}`;
      const twin = seen.get(key);
      if (twin && twin.unit !== unit) {
        twin.warnings.push({ code: 'duplicate-unit', message: 'a chained FIT unit repeats this recording; the copy was skipped' });
        continue;
      }
      seen.set(key, plan);
      plans.push(plan);
    }
  }
  if (plans.length === 0) {
    if (rejected) return { rejection: { code: 'unsupported-variant', message: rejected } };
    if (data.walk.truncated) return { rejection: { code: 'truncated', message: 'the file is cut short before any usable record or session' } };
    const records = data.records.length;
    const message = records === 1 ? 'the file holds one record and no session: nothing to import' : 'the file holds no records and no sessions';
    return { rejection: { code: 'no-data', message } };
  }
  const pausesByUnit = new Map<FitUnit, [number, number][]>();
  const drafts = plans.map((plan, index) => {
    let pauses = pausesByUnit.get(plan.unit);
    if (!pauses) {
      pauses = pausesOf(plan.unit);
      pausesByUnit.set(plan.unit, pauses);
    }
    return draftOf(data, plan, pauses, fileWarnings, ctx, index, plans.length);
  });
  return { drafts };
}

function draftOf(
  data: FitData,
  plan: SessionPlan,
  unitPauses: [number, number][],
  fileWarnings: readonly Warning[],
  ctx: DraftContext,
  index: number,
  count: number,
): WorkoutDraft {
  const { unit, session } = plan;
  const warnings = createWarnings(fileWarnings);
  for (const w of plan.warnings) warnings.add(w.code, w.message, w.count);

  const firstLap = lapsOf(unit, plan)[0];
  const sportNum = session?.sport ?? firstLap?.sport ?? unit.sport?.sport;
  const subSportNum = session?.subSport ?? unit.sport?.subSport;
  const sourceSport = {
    sport: sportNum === undefined ? undefined : (sportName(sportNum) ?? String(sportNum)),
    subSport: subSportNum === undefined ? undefined : (subSportName(subSportNum) ?? String(subSportNum)),
  };
  const sport = mapSport(sourceSport.sport, sourceSport.subSport);
  const onFoot = ON_FOOT.has(sport);

  let shift = 0;
  let utcOffsetMinutes = utcOffsetOf(unit, warnings);
  let utcOffsetSource: OffsetSource = utcOffsetMinutes === undefined ? 'none' : 'file';
  const manufacturer = unit.fileId?.manufacturer ?? unit.creator?.manufacturer;
  if (storesLocalTimeAsUtc(manufacturer, utcOffsetMinutes) && plan.start >= SYSTEM_TIME_LIMIT) {
    // Timex Run Trainer 2.0 writes local wall-clock time as if it were UTC (fit/timex.ts).
    const fix = timexLocalTime(plan.start, ctx.timeZone);
    shift = fix.shiftSeconds;
    utcOffsetMinutes = fix.utcOffsetMinutes;
    utcOffsetSource = fix.utcOffsetSource;
    for (const w of fix.warnings) warnings.add(w.code, w.message);
  }
  if (plan.start < SYSTEM_TIME_LIMIT) {
    warnings.add('clock-not-set', 'the device clock was never set: times count from the device start, not the calendar');
  }
  const startTime = Math.round((plan.start + shift + FIT_EPOCH_OFFSET_SECONDS) * 1000);

  const samples = samplesOf(data.records, plan.rows, {
    start: plan.start,
    stepsFromStrides: onFoot,
    distanceBase: plan.index > 0 ? distanceBaseOf(data, plan) : 0,
  });

  const elapsed = plan.elapsed;
  let movingSeconds = session?.totalTimerTime;
  if (!finite(movingSeconds) || movingSeconds < 0 || (elapsed !== undefined && movingSeconds > elapsed + 1)) movingSeconds = undefined;
  if (elapsed === undefined && movingSeconds !== undefined && movingSeconds > (plan.end - plan.start) + 1) movingSeconds = undefined;
  const distanceMeters = distanceOf(session, samples.distanceMeters, warnings);
  const energy = inRange(session?.totalCalories, [0, 100_000]);

  const extras: Record<string, string | number | boolean> = {};
  addDevExtras(extras, data, plan);
  const lengths = lengthCounts(unit, plan.start, plan.end);
  if (lengths.active + lengths.idle > 0) {
    extras['lengths-active'] = lengths.active;
    extras['lengths-idle'] = lengths.idle;
  }
  const poolLength = inRange(session?.poolLength, [10, 1000]);
  if (poolLength !== undefined) extras['pool-length-meters'] = poolLength;

  const recordingId = finite(unit.fileId?.serialNumber) && finite(unit.fileId?.timeCreated) ? `fit:${unit.fileId.serialNumber}:${unit.fileId.timeCreated}` : undefined;
  const draft: WorkoutDraft = {
    format: 'fit',
    fileName: ctx.fileName,
    sha256: ctx.sha256,
    index,
    count,
    group: plan.size > 1 ? { id: recordingId ?? `sha256:${ctx.sha256}:${unit.index}`, index: plan.index, size: plan.size } : undefined,
    sport,
    sourceSport,
    startTime,
    utcOffsetMinutes,
    utcOffsetSource,
    elapsedSeconds: elapsed,
    movingSeconds,
    distanceMeters,
    energyKilocalories: energy,
    summary: session ? withoutEmptyZeros(summaryOf(session, onFoot), samples) : undefined,
    laps: lapDrafts(unit, plan, onFoot, shift, warnings),
    samples,
    pauses: clipPauses(unitPauses, plan.start, plan.end),
    device: deviceOf(unit),
    recordingId,
    warnings,
    extras: Object.keys(extras).length > 0 ? extras : undefined,
  };
  return draft;
}

/**
 * Multisport devices count distance across sessions: a later session's samples start from the
 * distance at its start (its first record when that is at the start, else the last one before).
 */
function distanceBaseOf(data: FitData, plan: SessionPlan): number {
  const firstRow = plan.rows[0];
  if (firstRow === undefined) return 0;
  const first = firstDistance(data.records, plan.rows);
  if (first !== first) return 0;
  if (data.records.time[firstRow] === plan.start) return first;
  const before = lastDistanceBefore(data.records, plan.unit.recordFrom, firstRow);
  return before === before && before <= first ? before : 0;
}

function utcOffsetOf(unit: FitUnit, warnings: WarningCollector): number | undefined {
  const a = unit.activity;
  if (!a || !finite(a.localTimestamp) || !finite(a.timestamp)) return undefined;
  const offset = a.localTimestamp - a.timestamp;
  if (Math.abs(offset) <= MAX_UTC_OFFSET_SECONDS && offset % 900 === 0) return offset / 60;
  warnings.add('utc-offset-ignored', `activity.local_timestamp is ${offset} s from the UTC time: not a plausible UTC offset, ignored`);
  return undefined;
}

function distanceOf(session: SessionValues | undefined, column: (number | undefined)[] | undefined, warnings: WarningCollector): number | undefined {
  const stated = inRange(session?.totalDistance, [0, PLAUSIBLE.distanceMeters[1]]);
  let fromRecords: number | undefined;
  if (column) {
    for (let i = column.length - 1; i >= 0; i--) {
      const v = column[i];
      if (v !== undefined) {
        fromRecords = v;
        break;
      }
    }
  }
  if (stated === 0 && fromRecords !== undefined && fromRecords > 100) {
    warnings.add('session-distance-repaired', `the session states 0 m but its records cover ${Math.round(fromRecords)} m; the records' distance was used`);
    return undefined;
  }
  return stated;
}

function summaryOf(v: SessionValues | LapValues, onFoot: boolean): Summary {
  const cadence = (whole: number | undefined, fraction: number | undefined): number | undefined => {
    if (!finite(whole)) return undefined;
    const c = whole + (finite(fraction) ? fraction : 0);
    return inRange(onFoot ? c * 2 : c, PLAUSIBLE.cadencePerMinute);
  };
  const summary: Summary = {
    heartRateAvgBpm: inRange(v.avgHeartRate, PLAUSIBLE.heartRateBpm),
    heartRateMaxBpm: inRange(v.maxHeartRate, PLAUSIBLE.heartRateBpm),
    heartRateMinBpm: inRange(v.minHeartRate, PLAUSIBLE.heartRateBpm),
    speedAvgMetersPerSecond: inRange(v.enhancedAvgSpeed ?? v.avgSpeed, PLAUSIBLE.speedMetersPerSecond),
    speedMaxMetersPerSecond: inRange(v.enhancedMaxSpeed ?? v.maxSpeed, PLAUSIBLE.speedMetersPerSecond),
    cadenceAvgPerMinute: cadence(v.avgCadence, v.avgFractionalCadence),
    cadenceMaxPerMinute: cadence(v.maxCadence, v.maxFractionalCadence),
    powerAvgWatts: inRange(v.avgPower, PLAUSIBLE.powerWatts),
    powerMaxWatts: inRange(v.maxPower, PLAUSIBLE.powerWatts),
    ascentMeters: inRange(v.totalAscent, [0, 50_000]),
    descentMeters: inRange(v.totalDescent, [0, 50_000]),
    temperatureAvgCelsius: inRange(v.avgTemperature, PLAUSIBLE.temperatureCelsius),
  };
  for (const k of Object.keys(summary) as (keyof Summary)[]) if (summary[k] === undefined) delete summary[k];
  return summary;
}

/**
 * Some writers (COROS) state 0 for the average and maximum of a channel they never recorded;
 * with no such samples that is "no value", not a measured zero.
 */
function withoutEmptyZeros(summary: Summary, samples: Samples): Summary {
  if (summary.powerAvgWatts === 0 && !summary.powerMaxWatts && !samples.powerWatts) {
    delete summary.powerAvgWatts;
    delete summary.powerMaxWatts;
  }
  if (summary.cadenceAvgPerMinute === 0 && !summary.cadenceMaxPerMinute && !samples.cadencePerMinute) {
    delete summary.cadenceAvgPerMinute;
    delete summary.cadenceMaxPerMinute;
  }
  return summary;
}

/** The laps of a plan: by first_lap_index/num_laps when the session states them, else by time. */
function lapsOf(unit: FitUnit, plan: SessionPlan): LapValues[] {
  const s = plan.session;
  if (!s || plan.size === 1) return unit.laps;
  if (finite(s.firstLapIndex) && finite(s.numLaps)) {
    const from = s.firstLapIndex;
    const to = from + s.numLaps;
    const indexed = unit.laps.every((l) => l.messageIndex !== undefined);
    return unit.laps.filter((l, i) => {
      const at = indexed ? (l.messageIndex as number) : i;
      return at >= from && at < to;
    });
  }
  const last = plan.index === plan.size - 1;
  return unit.laps.filter((l) => finite(l.startTime) && l.startTime >= plan.start - 1 && (l.startTime < plan.end || (last && l.startTime <= plan.end + 1)));
}

function lapDrafts(unit: FitUnit, plan: SessionPlan, onFoot: boolean, shift: number, warnings: WarningCollector): LapDraft[] {
  const laps: LapDraft[] = [];
  let skipped = 0;
  for (const lap of lapsOf(unit, plan)) {
    let start = lap.startTime;
    let elapsed = lap.totalElapsedTime;
    if (!finite(start) && finite(lap.timestamp) && finite(elapsed)) start = lap.timestamp - elapsed;
    if (finite(start) && !finite(elapsed) && finite(lap.timestamp)) elapsed = lap.timestamp - start;
    if (!finite(start) || !finite(elapsed) || elapsed < 0) {
      skipped++;
      continue;
    }
    const moving = lap.totalTimerTime;
    const draft: LapDraft = {
      startTime: Math.round((start + shift + FIT_EPOCH_OFFSET_SECONDS) * 1000),
      elapsedSeconds: elapsed,
      movingSeconds: finite(moving) && moving >= 0 && moving <= elapsed + 1 ? moving : undefined,
      distanceMeters: inRange(lap.totalDistance, [0, PLAUSIBLE.distanceMeters[1]]),
      energyKilocalories: inRange(lap.totalCalories, [0, 100_000]),
      summary: summaryOf(lap, onFoot),
      trigger: lap.lapTrigger === undefined ? undefined : (LAP_TRIGGERS as Record<number, LapTrigger | undefined>)[lap.lapTrigger],
      intensity: lap.intensity === undefined ? undefined : (LAP_INTENSITIES as Record<number, 'active' | 'rest' | undefined>)[lap.intensity],
      lengths: lapLengths(unit, lap, start, elapsed),
    };
    for (const k of Object.keys(draft) as (keyof LapDraft)[]) if (draft[k] === undefined) delete draft[k];
    laps.push(draft);
  }
  if (skipped > 0) warnings.add('lap-without-time', 'laps without a usable start or duration were skipped', skipped);
  return laps;
}

/** Active pool lengths of a lap: counted from length messages, else the lap's own count. */
function lapLengths(unit: FitUnit, lap: LapValues, start: number, elapsed: number): number | undefined {
  if (unit.lengths.length > 0) {
    const c = lengthCounts(unit, start, start + elapsed, true);
    if (c.active + c.idle > 0) return c.active;
  }
  const stated = lap.numActiveLengths ?? lap.numLengths;
  return finite(stated) && stated > 0 ? stated : undefined;
}

function lengthCounts(unit: FitUnit, start: number, end: number, halfOpen = false): { active: number; idle: number } {
  let active = 0;
  let idle = 0;
  for (const l of unit.lengths) {
    const t = l.startTime ?? (finite(l.timestamp) && finite(l.totalElapsedTime) ? l.timestamp - l.totalElapsedTime : undefined);
    if (!finite(t) || t < start - 0.5 || (halfOpen ? t >= end - 0.5 : t > end + 0.5)) continue;
    if (l.lengthType === LENGTH_ACTIVE) active++;
    else idle++;
  }
  return { active, idle };
}

function deviceOf(unit: FitUnit): Device {
  const f = unit.fileId;
  const c = unit.creator;
  const maker = f?.manufacturer ?? c?.manufacturer;
  const product = f?.product ?? c?.product;
  const device: Device = {};
  if (maker !== undefined) device.manufacturer = manufacturerName(maker) ?? String(maker);
  if (product !== undefined) {
    device.product = (maker !== undefined && GARMIN_PRODUCT_MAKERS.has(maker) ? garminProductName(product) : undefined) ?? f?.productName ?? String(product);
  } else if (f?.productName) device.product = f.productName;
  const serial = f?.serialNumber ?? c?.serialNumber;
  if (serial !== undefined) device.serial = String(serial);
  const software = c?.softwareVersion ?? (unit.creatorSoftware !== undefined ? unit.creatorSoftware / 100 : undefined);
  if (software !== undefined) device.software = software.toFixed(2);
  return device;
}

/** dev:<name> extras: session values and record summaries; a repeated name gets its field id. */
function addDevExtras(extras: Record<string, string | number | boolean>, data: FitData, plan: SessionPlan): void {
  const used = new Map<string, string>();
  const put = (name: string, id: string, value: string | number): void => {
    if (used.size >= 64) return;
    let key = `dev:${name}`;
    const owner = used.get(key);
    if (owner !== undefined && owner !== id) key = `dev:${name} (${id})`;
    if (used.has(key)) return;
    used.set(key, id);
    extras[key] = value;
  };
  for (const { description: d, value } of plan.session?.dev ?? []) {
    const text = typeof value === 'number' ? Math.round(value * 1000) / 1000 : value;
    put(d.name, `${d.devIndex}.${d.num}`, typeof text === 'number' && d.units ? `${text} ${d.units}` : text);
  }
  for (const [name, id, summary] of devSummaries(data.records, plan.unit.index, plan.rows)) put(name, id, summary);
  for (const s of data.records.devStrings.values()) {
    if (s.unit === plan.unit.index) put(s.name, s.id, s.value);
  }
}
