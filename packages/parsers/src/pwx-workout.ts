/**
 * PWX: one `<workout>` as read by pwx.ts → a workout draft (start and its zone, totals, laps,
 * pauses, samples, device, extras). The rules are listed in pwx.ts.
 */
import { createWarnings, MIN_START_TIME, sportFromName } from '@optimo-import/workout';
import type { Channel, Device, LapDraft, OffsetSource, Pause, Samples, Summary, WarningCollector, WorkoutDraft } from '@optimo-import/workout';
import { resolveLocalStart } from './local-time.js';
import { parseIsoDateTime } from './time.js';
import type { ParseContext } from './types.js';
import type { ColumnSet } from './xml-track.js';
import { manufacturerFromName, ON_FOOT } from './xml-track.js';

/** Sample columns. */
export const HR = 0;
export const SPEED = 1;
export const POWER = 2;
export const CAD = 3;
export const DIST = 4;
export const LAT = 5;
export const LON = 6;
export const ALT = 7;
export const TEMP = 8;
export const SAMPLE_COLUMNS = 9;

const COLUMN_CHANNELS: readonly (readonly [number, Channel])[] = [
  [HR, 'heartRateBpm'],
  [SPEED, 'speedMetersPerSecond'],
  [POWER, 'powerWatts'],
  [DIST, 'distanceMeters'],
  [LAT, 'latitudeDegrees'],
  [LON, 'longitudeDegrees'],
  [ALT, 'altitudeMeters'],
  [TEMP, 'temperatureCelsius'],
];

/** `<summarydata>` leaves kept as numbers. */
export type SummaryNumber = 'beginning' | 'duration' | 'durationstopped' | 'dist' | 'work' | 'climbingelevation' | 'descendingelevation' | 'tss';

/** `<summarydata>` min/max/avg elements → summary fields (`alt` and `torq` have no place in the model). */
export const RANGE_FIELDS: ReadonlyMap<string, Partial<Record<'min' | 'max' | 'avg', keyof Summary>>> = new Map<string, Partial<Record<'min' | 'max' | 'avg', keyof Summary>>>([
  ['hr', { min: 'heartRateMinBpm', max: 'heartRateMaxBpm', avg: 'heartRateAvgBpm' }],
  ['spd', { max: 'speedMaxMetersPerSecond', avg: 'speedAvgMetersPerSecond' }],
  ['pwr', { max: 'powerMaxWatts', avg: 'powerAvgWatts' }],
  ['cad', { max: 'cadenceMaxPerMinute', avg: 'cadenceAvgPerMinute' }],
  ['temp', { avg: 'temperatureAvgCelsius' }],
]);

/** Event types (lower-case, letters only) that stop or restart the recording; the rest are notes. */
const EVENT_KINDS: ReadonlyMap<string, 'start' | 'stop'> = new Map<string, 'start' | 'stop'>([
  ['start', 'start'],
  ['starting', 'start'],
  ['started', 'start'],
  ['resume', 'start'],
  ['resuming', 'start'],
  ['timerstart', 'start'],
  ['stop', 'stop'],
  ['stopping', 'stop'],
  ['stopped', 'stop'],
  ['pause', 'stop'],
  ['paused', 'stop'],
  ['autopause', 'stop'],
  ['timerstop', 'stop'],
]);

/** Timex model numbers Device Agent writes instead of a name. */
const TIMEX_MODELS: ReadonlyMap<string, string> = new Map([
  ['843', 'Ironman Race Trainer (843)'],
  ['844', 'Ironman Race Trainer (844)'],
]);

/** Run cadence under this median is strides per minute (TCX/FIT style), doubled to steps. */
const STRIDES_BELOW = 100;

export interface SummaryAcc {
  values: Partial<Record<SummaryNumber, number>>;
  ranges: Map<string, { min: number; max: number; avg: number }>;
}

export interface SegmentAcc {
  name?: string;
  data?: SummaryAcc;
}

export interface EventAcc {
  offset: number;
  type?: string;
  text?: string;
}

export interface WorkoutAcc {
  sportType?: string;
  title?: string;
  cmt?: string;
  fingerprint?: string;
  make?: string;
  model?: string;
  timeText?: string;
  summary?: SummaryAcc;
  /** `<extension>` of the workout (Timex Global Trainer): ascent and descent in metres. */
  extension: { ascent?: number; descent?: number };
  segments: SegmentAcc[];
  events: EventAcc[];
  offsets: number[];
  columns: ColumnSet;
  withoutOffset: number;
  beforeStart: number;
}

export type Draft = WorkoutDraft & { warnings: WarningCollector };

export interface DocInfo {
  creator?: string;
}

/** Why a workout gives no draft. */
export type Skip = 'no-time' | 'empty';

export function newSummary(): SummaryAcc {
  return { values: {}, ranges: new Map() };
}

/** One `<workout>` as a draft, or the reason it cannot be one. */
export function toDraft(w: WorkoutAcc, doc: DocInfo, ctx: ParseContext): Draft | Skip {
  const parsed = w.timeText === undefined ? undefined : parseIsoDateTime(w.timeText);
  if (!parsed || parsed.localAsUtcMs < MIN_START_TIME) return 'no-time';
  const n = w.offsets.length;
  const values = w.summary?.values ?? {};
  const stated = nonNegative(values.duration);
  if (n === 0 && !(stated !== undefined && stated > 0) && w.segments.length === 0) return 'empty';

  const warnings = createWarnings();
  const zone = startOf(w.timeText as string, parsed, ctx, warnings);
  const sportName = w.sportType?.trim();
  let sport = sportFromName(sportName);
  if (!sport) {
    sport = 'other';
    warnings.add('sport-unknown', sportName ? `sport "${sportName}" is not one we know; imported as other` : 'the workout names no sport; imported as other');
  }
  if (w.withoutOffset > 0) warnings.add('sample-without-offset', 'samples without a usable <timeoffset> were skipped', w.withoutOffset);
  if (w.beforeStart > 0) warnings.add('sample-before-start', 'samples with a negative <timeoffset> (before the start time) were skipped', w.beforeStart);

  let lastOffset = 0;
  for (const t of w.offsets) if (t > lastOffset) lastOffset = t;
  let elapsed = stated;
  if (elapsed !== undefined && lastOffset > elapsed + 1) {
    warnings.add('duration-extended', `the stated duration (${elapsed} s) ends before the last sample (${lastOffset} s); the workout runs to the last sample`);
    elapsed = lastOffset;
  }
  const cadFactor = ON_FOOT.has(sport) && stridesPerMinute(w) ? 2 : 1;
  const { samples, lastDistance } = toSamples(w, cadFactor);
  const span = elapsed ?? lastOffset;

  const laps = lapsOf(w, zone.startTime, span, cadFactor, warnings);
  const { pauses, notes } = eventsOf(w.events);
  attachNotes(laps, notes, zone.startTime);
  const extras: Record<string, string | number | boolean> = {};
  if (doc.creator) extras['creator'] = doc.creator;
  const work = nonNegative(values.work);
  if (work !== undefined) extras['work-kilojoules'] = work;
  const tss = nonNegative(values.tss);
  if (tss !== undefined) extras['tss'] = tss;
  const leftover = notes.filter((e) => !e.placed);
  if (leftover.length > 0) extras['events'] = describeEvents(leftover);

  let distance = nonNegative(values.dist);
  if (distance === 0 && lastDistance !== undefined && lastDistance > 0) distance = undefined; // a placeholder 0 beside real samples
  const summary = summaryOf(w.summary, cadFactor);
  summary.ascentMeters ??= nonNegative(w.extension.ascent);
  summary.descentMeters ??= nonNegative(w.extension.descent);
  const fingerprint = w.fingerprint !== undefined && /^[A-Za-z0-9+/=_-]{16,100}$/.test(w.fingerprint) ? w.fingerprint : undefined;
  return {
    format: 'pwx',
    fileName: ctx.fileName,
    sha256: ctx.sha256,
    index: 0,
    count: 1,
    sport,
    sourceSport: { sport: sportName || undefined },
    name: w.title,
    notes: w.cmt,
    startTime: zone.startTime,
    utcOffsetMinutes: zone.utcOffsetMinutes,
    utcOffsetSource: zone.utcOffsetSource,
    elapsedSeconds: elapsed,
    movingSeconds: movingOf(values, elapsed),
    distanceMeters: distance,
    summary,
    laps,
    samples,
    pauses,
    device: deviceOf(w),
    recordingId: fingerprint === undefined ? undefined : `pwx:${fingerprint}`,
    warnings,
    extras: Object.keys(extras).length > 0 ? extras : undefined,
  };
}

function nonNegative(v: number | undefined): number | undefined {
  return v !== undefined && v >= 0 && Number.isFinite(v) ? v : undefined;
}

interface StartZone {
  startTime: number;
  utcOffsetMinutes?: number;
  utcOffsetSource: OffsetSource;
}

/** A stated offset is the file's; `Z` is UTC with no local offset; a naive time goes through resolveLocalStart. */
function startOf(text: string, parsed: NonNullable<ReturnType<typeof parseIsoDateTime>>, ctx: ParseContext, warnings: WarningCollector): StartZone {
  if (parsed.offsetMinutes !== undefined) {
    const startTime = parsed.localAsUtcMs - parsed.offsetMinutes * 60_000;
    return /z\s*$/i.test(text) ? { startTime, utcOffsetSource: 'none' } : { startTime, utcOffsetMinutes: parsed.offsetMinutes, utcOffsetSource: 'file' };
  }
  const local = resolveLocalStart(parsed.localAsUtcMs, ctx.timeZone);
  if (local.warning) warnings.add(local.warning.code, local.warning.message);
  return { startTime: local.utcMs, utcOffsetMinutes: local.offsetMinutes, utcOffsetSource: local.zoneSource === 'configured' ? 'time-zone-option' : 'machine-zone' };
}

function movingOf(values: SummaryAcc['values'], elapsed: number | undefined): number | undefined {
  const stopped = nonNegative(values.durationstopped);
  const duration = nonNegative(values.duration);
  if (stopped === undefined || duration === undefined || stopped > duration) return undefined;
  return Math.min(duration - stopped, elapsed ?? Infinity);
}

/** Whether the file's cadence counts strides (one foot) rather than steps: its median is low. */
function stridesPerMinute(w: WorkoutAcc): boolean {
  const column = w.columns.columns[CAD];
  const values = column ? column.filter((v): v is number => v !== undefined && v > 0) : [];
  if (values.length === 0) {
    const avg = w.summary?.ranges.get('cad')?.avg;
    return avg !== undefined && avg > 0 && avg < STRIDES_BELOW;
  }
  values.sort((a, b) => a - b);
  return (values[values.length >> 1] as number) < STRIDES_BELOW;
}

function toSamples(w: WorkoutAcc, cadFactor: number): { samples: Samples; lastDistance?: number } {
  const cols = w.columns.columns;
  const samples: Samples = { offsetSeconds: w.offsets };
  for (const [column, channel] of COLUMN_CHANNELS) {
    const values = cols[column];
    if (values) samples[channel] = values;
  }
  const cad = cols[CAD];
  if (cad) samples.cadencePerMinute = cadFactor === 1 ? cad : cad.map((v) => (v === undefined ? undefined : v * cadFactor));
  const dist = cols[DIST];
  let lastDistance: number | undefined;
  for (let i = (dist?.length ?? 0) - 1; i >= 0 && lastDistance === undefined; i--) lastDistance = dist?.[i];
  return { samples, lastDistance };
}

/**
 * Summary values from min/max/avg elements. Heart rate 0 is "no reading"; an element whose
 * maximum and average are both 0 is a placeholder (GoldenCheetah writes all zeros) and says nothing.
 */
function summaryOf(acc: SummaryAcc | undefined, cadFactor: number): Summary {
  const summary: Summary = {};
  if (!acc) return summary;
  for (const [name, fields] of RANGE_FIELDS) {
    const range = acc.ranges.get(name);
    if (!range || (range.max === 0 && range.avg === 0)) continue;
    for (const key of ['min', 'max', 'avg'] as const) {
      const field = fields[key];
      let v = range[key];
      if (field === undefined || !Number.isFinite(v) || (name === 'hr' && v <= 0)) continue;
      if (name === 'cad') v *= cadFactor;
      summary[field] = v;
    }
  }
  const ascent = nonNegative(acc.values.climbingelevation);
  const descent = nonNegative(acc.values.descendingelevation);
  if (ascent !== undefined) summary.ascentMeters = ascent;
  if (descent !== undefined) summary.descentMeters = descent;
  return summary;
}

/**
 * Segments → laps, in file order. A segment that spans the whole workout beside shorter ones
 * is a summary (the Race Trainer's `Entire Workout`), not a lap; a segment without beginning or
 * duration is skipped with a warning. Names other than the default `Lap N` become lap notes.
 */
function lapsOf(w: WorkoutAcc, start: number, span: number, cadFactor: number, warnings: WarningCollector): LapDraft[] {
  const timed: { seg: SegmentAcc; beginning: number; duration: number }[] = [];
  let untimed = 0;
  for (const seg of w.segments) {
    const beginning = nonNegative(seg.data?.values.beginning);
    const duration = nonNegative(seg.data?.values.duration);
    if (beginning === undefined || duration === undefined) untimed++;
    else timed.push({ seg, beginning, duration });
  }
  if (untimed > 0) warnings.add('segment-without-time', 'segments without a usable <beginning> and <duration> were skipped', untimed);
  const slack = Math.max(1, span * 0.01);
  const whole = (s: { beginning: number; duration: number }): boolean => s.beginning <= slack && s.beginning + s.duration >= span - slack;
  const partial = timed.filter((s) => !whole(s));
  const kept = partial.length > 0 && partial.length < timed.length ? partial : timed;
  return kept.map(({ seg, beginning, duration }) => {
    const values = seg.data?.values ?? {};
    const stopped = nonNegative(values.durationstopped);
    const name = seg.name?.trim();
    return {
      startTime: start + Math.round(beginning * 1000),
      elapsedSeconds: duration,
      movingSeconds: stopped !== undefined && stopped <= duration ? duration - stopped : undefined,
      distanceMeters: nonNegative(values.dist),
      summary: summaryOf(seg.data, cadFactor),
      notes: name && !/^lap\s*\d+$/i.test(name) ? name : undefined,
    };
  });
}

interface NoteEvent extends EventAcc {
  placed?: boolean;
}

/** Stop → start pairs are pauses; every other event is a note (start and stop themselves are not). */
function eventsOf(events: EventAcc[]): { pauses: Pause[]; notes: NoteEvent[] } {
  const pauses: Pause[] = [];
  const notes: NoteEvent[] = [];
  const sorted = events.filter((e) => Number.isFinite(e.offset)).sort((a, b) => a.offset - b.offset);
  let stoppedAt: number | undefined;
  for (const e of sorted) {
    const kind = EVENT_KINDS.get((e.type ?? '').toLowerCase().replace(/[^a-z]/g, ''));
    if (kind === 'stop') stoppedAt ??= e.offset;
    else if (kind === 'start') {
      if (stoppedAt !== undefined && e.offset > stoppedAt) pauses.push({ startOffsetSeconds: stoppedAt, durationSeconds: e.offset - stoppedAt });
      stoppedAt = undefined;
    } else if (e.type !== undefined || e.text !== undefined) notes.push({ ...e });
  }
  return { pauses, notes };
}

/** An event with text becomes a note of the lap it falls in. */
function attachNotes(laps: LapDraft[], notes: NoteEvent[], start: number): void {
  for (const e of notes) {
    if (!e.text) continue;
    const at = start + e.offset * 1000;
    const lap = laps.find((l) => at >= l.startTime && at < l.startTime + l.elapsedSeconds * 1000);
    if (!lap) continue;
    const line = e.type ? `${e.type}: ${e.text}` : e.text;
    lap.notes = lap.notes ? `${lap.notes}\n${line}` : line;
    e.placed = true;
  }
}

const MAX_LISTED_EVENTS = 50;

function describeEvents(events: NoteEvent[]): string {
  const shown = events.slice(0, MAX_LISTED_EVENTS).map((e) => `${e.type ?? 'event'} at ${Math.round(e.offset * 10) / 10} s${e.text ? `: ${e.text}` : ''}`);
  if (events.length > MAX_LISTED_EVENTS) shown.push(`${events.length - MAX_LISTED_EVENTS} more`);
  return shown.join('; ');
}

function deviceOf(w: WorkoutAcc): Device {
  const make = w.make?.trim() || undefined;
  const model = w.model?.trim() || undefined;
  const maker = manufacturerFromName(make) ?? manufacturerFromName(model) ?? make;
  const product = model !== undefined && maker === 'Timex' ? (TIMEX_MODELS.get(model) ?? model) : model;
  return { manufacturer: maker, product };
}
