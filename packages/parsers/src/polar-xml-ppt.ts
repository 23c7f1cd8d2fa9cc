/**
 * polarpersonaltrainer.com exports (`<polar-exercise-data>`, schema ped-1.0): every
 * `<calendar-items>/<exercise>` as a workout draft. The rules are listed in polar-xml.ts.
 */
import { createWarnings, MIN_START_TIME, PLAUSIBLE } from '@optimo-import/workout';
import type { Channel, LapDraft, Samples, Summary, WarningCollector } from '@optimo-import/workout';
import { ParseError } from './errors.js';
import { numberOf, parseClockDuration, polarSport, startFromWallClock } from './polar-xml-common.js';
import type { PolarDraft, ResolvedStart } from './polar-xml-common.js';
import { parseIsoDateTime } from './time.js';
import type { ParseContext } from './types.js';
import type { XmlReader } from './xml.js';
import { XML_CLOSE, XML_END, XML_OPEN } from './xml.js';
import { ON_FOOT } from './xml-track.js';

/** How a value is written: a plain number, km/h (to m/s), or a clock duration (to seconds). */
type Unit = 'number' | 'kmh' | 'clock';

type ResultField = 'distance' | 'calories' | 'duration' | 'recordingRate' | keyof Summary;
type LapField = 'duration' | 'distance' | keyof Summary;

/** `<result>` leaves by path below `<result>`. */
const RESULT_FIELDS: ReadonlyMap<string, readonly [ResultField, Unit]> = new Map<string, readonly [ResultField, Unit]>([
  ['distance', ['distance', 'number']], // m
  ['calories', ['calories', 'number']], // kcal
  ['duration', ['duration', 'clock']],
  ['recording-rate', ['recordingRate', 'number']], // s between samples
  ['heart-rate/average', ['heartRateAvgBpm', 'number']],
  ['heart-rate/maximum', ['heartRateMaxBpm', 'number']],
  ['heart-rate/minimum', ['heartRateMinBpm', 'number']],
  ['speed/speed/average', ['speedAvgMetersPerSecond', 'kmh']],
  ['speed/speed/maximum', ['speedMaxMetersPerSecond', 'kmh']],
  ['speed/cadence/average', ['cadenceAvgPerMinute', 'number']], // rpm, or strides/min on foot
  ['speed/cadence/maximum', ['cadenceMaxPerMinute', 'number']],
  ['power/average', ['powerAvgWatts', 'number']],
  ['power/maximum', ['powerMaxWatts', 'number']],
  ['altitude-info/ascent', ['ascentMeters', 'number']],
  ['altitude-info/descent', ['descentMeters', 'number']],
  ['temperature/average', ['temperatureAvgCelsius', 'number']],
]);

/** `<lap>` leaves by path below `<lap>` (`ending-values`, `altitude` are not kept). */
const LAP_FIELDS: ReadonlyMap<string, readonly [LapField, Unit]> = new Map<string, readonly [LapField, Unit]>([
  ['duration', ['duration', 'clock']],
  ['distance', ['distance', 'number']],
  ['heart-rate/average', ['heartRateAvgBpm', 'number']],
  ['heart-rate/maximum', ['heartRateMaxBpm', 'number']],
  ['heart-rate/minimum', ['heartRateMinBpm', 'number']],
  ['speed/average', ['speedAvgMetersPerSecond', 'kmh']],
  ['speed/maximum', ['speedMaxMetersPerSecond', 'kmh']],
  ['cadence/average', ['cadenceAvgPerMinute', 'number']],
  ['cadence/maximum', ['cadenceMaxPerMinute', 'number']],
  ['power/average', ['powerAvgWatts', 'number']],
  ['power/maximum', ['powerMaxWatts', 'number']],
  ['ascent', ['ascentMeters', 'number']],
  ['descent', ['descentMeters', 'number']],
]);

/** `<sample><type>` → channel and divisor (km/h → m/s); cadence on foot is doubled later. */
const SAMPLE_CHANNELS: ReadonlyMap<string, readonly [Channel, number]> = new Map<string, readonly [Channel, number]>([
  ['HEARTRATE', ['heartRateBpm', 1]],
  ['SPEED', ['speedMetersPerSecond', 3.6]],
  ['CADENCE', ['cadencePerMinute', 1]], // rpm on a bike, strides/min on foot
  ['RUN_CADENCE', ['cadencePerMinute', 1]], // strides/min: always doubled to steps
  ['ALTITUDE', ['altitudeMeters', 1]],
  ['DISTANCE', ['distanceMeters', 1]], // cumulative, m (in real files though not in the schema)
  ['TEMPERATURE', ['temperatureCelsius', 1]],
  ['POWER', ['powerWatts', 1]],
]);

/** Summary values whose plausible range is a channel's. */
const SUMMARY_CHANNEL: Readonly<Partial<Record<keyof Summary, Channel>>> = {
  heartRateAvgBpm: 'heartRateBpm',
  heartRateMaxBpm: 'heartRateBpm',
  heartRateMinBpm: 'heartRateBpm',
  speedAvgMetersPerSecond: 'speedMetersPerSecond',
  speedMaxMetersPerSecond: 'speedMetersPerSecond',
  cadenceAvgPerMinute: 'cadencePerMinute',
  cadenceMaxPerMinute: 'cadencePerMinute',
  powerAvgWatts: 'powerWatts',
  powerMaxWatts: 'powerWatts',
  temperatureAvgCelsius: 'temperatureCelsius',
};

/** A lap average above this (60 km/h) on foot or bike is a lap duration written in minutes as seconds. */
const LAP_SPEED_LIMIT = 60 / 3.6;

interface LapAcc {
  index?: number;
  values: Partial<Record<LapField, number>>;
}

interface SampleAcc {
  type: string;
  values: string;
}

export interface ExerciseAcc {
  line: number;
  created?: string;
  time?: string;
  sport?: string;
  name?: string;
  note?: string;
  speedType?: string;
  values: Partial<Record<ResultField, number>>;
  laps: LapAcc[];
  samples: SampleAcc[];
}

function setValue<K extends string>(into: Partial<Record<K, number>>, field: K, unit: Unit, text: string): void {
  if (into[field] !== undefined) return;
  const v = unit === 'clock' ? parseClockDuration(text) : numberOf(text);
  if (v === v) into[field] = unit === 'kmh' ? v / 3.6 : v;
}

/** One pass over `<calendar-items>`: the exercises with their result values, laps and sample strings. */
/**
 * The most path segments a field key has: deeper elements name no field, and joining their whole
 * path at every close would be quadratic in the nesting (80,000 nested elements: 50 s).
 */
const MAX_KEY_SEGMENTS = Math.max(...[...RESULT_FIELDS.keys(), ...LAP_FIELDS.keys(), 'speed/type'].map((key) => key.split('/').length));

export function readPptExercises(r: XmlReader): ExerciseAcc[] {
  const exercises: ExerciseAcc[] = [];
  const path: string[] = [];
  let ex: ExerciseAcc | undefined;
  let exDepth = 0;
  let lap: LapAcc | undefined;
  let lapDepth = 0;
  let sample: Partial<SampleAcc> | undefined;
  for (let ev = r.next(); ev !== XML_END; ev = r.next()) {
    const name = r.name;
    if (ev === XML_OPEN) {
      path.length = r.depth - 1;
      path.push(name);
      if (!ex) {
        if (name === 'exercise' && r.parent === 'calendar-items') {
          ex = { line: r.line(), values: {}, laps: [], samples: [] };
          exDepth = r.depth;
          exercises.push(ex);
        } else if (r.depth === 3) r.skip(); // fitness-data, notes and other calendar items
        continue;
      }
      if (name === 'user-settings' || name === 'zones' || name === 'ending-values') r.skip();
      else if (name === 'lap' && r.parent === 'laps') {
        const index = numberOf(r.attr('index'));
        lap = { index: index === index ? index : undefined, values: {} };
        lapDepth = r.depth;
        ex.laps.push(lap);
      } else if (name === 'sample' && r.parent === 'samples') sample = {};
      continue;
    }
    if (ev !== XML_CLOSE || !ex) continue;
    const depth = r.depth;
    if (depth === exDepth) {
      ex = undefined;
      continue;
    }
    if (lap) {
      if (depth === lapDepth) lap = undefined;
      else {
        const field = depth - lapDepth <= MAX_KEY_SEGMENTS ? LAP_FIELDS.get(path.slice(lapDepth, depth).join('/')) : undefined;
        if (field) setValue(lap.values, field[0], field[1], r.text());
      }
      continue;
    }
    if (sample) {
      if (name === 'sample') {
        if (sample.type !== undefined && sample.values !== undefined) ex.samples.push({ type: sample.type, values: sample.values });
        sample = undefined;
      } else if (name === 'type') sample.type = r.text().trim().toUpperCase();
      else if (name === 'values') sample.values = r.text();
      continue;
    }
    if (depth === exDepth + 1) {
      if (name === 'created') ex.created = r.text().trim();
      else if (name === 'time') ex.time = r.text().trim();
      else if (name === 'sport') ex.sport = r.text().trim() || undefined;
      else if (name === 'name') ex.name = r.text().trim() || undefined;
      else if (name === 'note') ex.note = r.text().trim() || undefined;
      continue;
    }
    if (path[exDepth] !== 'result' || depth - exDepth - 1 > MAX_KEY_SEGMENTS) continue;
    const key = path.slice(exDepth + 1, depth).join('/');
    if (key === 'speed/type') ex.speedType = r.text().trim() || undefined;
    else {
      const field = RESULT_FIELDS.get(key);
      if (field) setValue(ex.values, field[0], field[1], r.text());
    }
  }
  return exercises;
}

function pptError(code: ParseError['code'], message: string, ctx: ParseContext): ParseError {
  return new ParseError({ code, message, format: 'polar-xml', file: ctx.fileName });
}

/** The start of an exercise: `<time>` (local, no zone), else `<created>` with a warning; undefined when neither reads. */
function exerciseStart(ex: ExerciseAcc, ctx: ParseContext, warnings: WarningCollector): ResolvedStart | undefined {
  // A time before 1990 is no time a Polar device recorded (1970-01-01 is an unset clock): unreadable.
  const read = (value: string | undefined): ReturnType<typeof parseIsoDateTime> | undefined => {
    const p = value === undefined ? undefined : parseIsoDateTime(value);
    return p && p.localAsUtcMs >= MIN_START_TIME ? p : undefined;
  };
  let text = ex.time;
  let parsed = read(text);
  if (!parsed && ex.created !== undefined) {
    parsed = read(ex.created);
    if (parsed) {
      warnings.add('start-from-created', `the exercise has no readable <time>; its <created> time ${ex.created} is used as the start`);
      text = ex.created;
    }
  }
  if (!parsed || text === undefined) return undefined;
  if (parsed.offsetMinutes !== undefined) {
    return { startTime: parsed.localAsUtcMs - parsed.offsetMinutes * 60000, utcOffsetMinutes: parsed.offsetMinutes, utcOffsetSource: 'file' };
  }
  return startFromWallClock(parsed.localAsUtcMs, ctx.timeZone, warnings);
}

/**
 * One exercise as a workout draft, or the reason it is skipped: no readable start time, or
 * nothing to import (no duration, no samples, no laps).
 */
export function pptDraft(ex: ExerciseAcc, ctx: ParseContext): PolarDraft | string {
  const warnings = createWarnings();
  const start = exerciseStart(ex, ctx, warnings);
  const v = ex.values;
  const duration = v.duration !== undefined && v.duration > 0 ? v.duration : undefined;
  if (!start) return `the exercise at line ${ex.line} has no readable <time> or <created> (${ex.time ?? ex.created ?? 'none given'})`;
  const sport = polarSport([ex.sport, ex.name, ex.speedType], warnings);
  const onFoot = ON_FOOT.has(sport);
  const samples = toSamples(ex, duration, ctx, warnings, onFoot);
  if (duration === undefined && samples.offsetSeconds.length === 0 && ex.laps.length === 0) return `the exercise at line ${ex.line} has no duration, no samples and no laps`;

  const summary: Summary = {};
  let implausible = 0;
  for (const [field, value] of Object.entries(v) as [ResultField, number][]) {
    if (field === 'distance' || field === 'calories' || field === 'duration' || field === 'recordingRate') continue;
    if (value === 0 && field !== 'ascentMeters' && field !== 'descentMeters') continue; // 0 is "not recorded"
    const scaled = field.startsWith('cadence') && onFoot ? value * 2 : value;
    if (plausible(field, scaled)) summary[field] = scaled;
    else implausible++;
  }
  if (implausible > 0) warnings.add('implausible-summary-value', "summary values outside the plausible range were left out", implausible);

  return {
    format: 'polar-xml',
    fileName: ctx.fileName,
    sha256: ctx.sha256,
    index: 0,
    count: 1,
    sport,
    sourceSport: { sport: ex.sport ?? ex.speedType },
    name: ex.name,
    notes: ex.note,
    ...start,
    elapsedSeconds: duration,
    distanceMeters: v.distance !== undefined && v.distance > 0 ? v.distance : undefined,
    energyKilocalories: v.calories !== undefined && v.calories > 0 ? v.calories : undefined,
    summary,
    laps: toLaps(ex.laps, start.startTime, duration, onFoot, warnings),
    samples,
    device: { manufacturer: 'Polar' },
    warnings,
  };
}

function plausible(field: keyof Summary, value: number): boolean {
  const channel = SUMMARY_CHANNEL[field];
  if (channel === undefined) return value >= 0 && value <= 100_000;
  const [lo, hi] = PLAUSIBLE[channel];
  return value >= lo && value <= hi;
}

/**
 * Laps follow each other from the exercise start (the file gives only durations). A lap whose
 * distance over its duration is faster than 60 km/h has its duration written in minutes as
 * seconds (Runalyze PR #1471: "0:30:00 exported as 0:00:30") and is repaired; so are all laps
 * when their durations add up to a sixtieth of the exercise's.
 */
function toLaps(accs: LapAcc[], start: number, duration: number | undefined, onFoot: boolean, warnings: WarningCollector): LapDraft[] {
  const laps = accs.every((l) => l.index !== undefined) ? accs.slice().sort((a, b) => (a.index as number) - (b.index as number)) : accs;
  const seconds = laps.map((l) => l.values.duration);
  let repaired = 0;
  seconds.forEach((s, i) => {
    const d = laps[i]?.values.distance;
    if (s !== undefined && s > 0 && d !== undefined && d >= 100 && d / s > LAP_SPEED_LIMIT && d / (s * 60) <= LAP_SPEED_LIMIT) {
      seconds[i] = s * 60;
      repaired++;
    }
  });
  const sum = seconds.reduce<number>((a, s) => a + (s ?? 0), 0);
  if (repaired === 0 && duration !== undefined && sum > 0 && sum * 10 < duration && Math.abs(sum * 60 - duration) <= duration * 0.02) {
    seconds.forEach((s, i) => {
      if (s !== undefined) seconds[i] = s * 60;
    });
    repaired = seconds.length;
  }
  if (repaired > 0) warnings.add('lap-duration-repaired', 'lap durations written in minutes as seconds (0:30:00 as 0:00:30, a polarpersonaltrainer.com export fault) were multiplied by 60', repaired);

  const out: LapDraft[] = [];
  let at = start;
  let implausible = 0;
  for (let i = 0; i < laps.length; i++) {
    const s = seconds[i];
    if (s === undefined || !(s >= 0)) {
      warnings.add('lap-without-duration', 'laps without a readable duration (and the laps after them, whose start is then unknown) were skipped', laps.length - i);
      break;
    }
    const values = (laps[i] as LapAcc).values;
    const distance = values.distance !== undefined && values.distance >= 0 ? values.distance : undefined;
    const summary: Summary = {};
    for (const [field, value] of Object.entries(values) as [LapField, number][]) {
      if (field === 'duration' || field === 'distance') continue;
      if (value === 0 && field !== 'ascentMeters' && field !== 'descentMeters') continue; // 0 is "not recorded"
      const scaled = field.startsWith('cadence') && onFoot ? value * 2 : value;
      // A climb longer than the lap's distance is a running total or noise, not this lap's.
      const tooHigh = (field === 'ascentMeters' || field === 'descentMeters') && distance !== undefined && scaled > distance;
      if (plausible(field, scaled) && !tooHigh) summary[field] = scaled;
      else implausible++;
    }
    out.push({ startTime: at, elapsedSeconds: s, distanceMeters: distance, summary });
    at += s * 1000;
  }
  if (implausible > 0) warnings.add('implausible-lap-value', 'lap values outside the plausible range (or a climb longer than the lap) were dropped', implausible);
  return out;
}

/**
 * The `<samples>` strings as columns on one time base: sample k lies at k × recording-rate.
 * Channels of different lengths are padded with gaps to the longest (with a warning); a
 * trailing comma ends a string without adding a sample; an empty or unreadable value is a gap.
 */
function toSamples(ex: ExerciseAcc, duration: number | undefined, ctx: ParseContext, warnings: WarningCollector, onFoot: boolean): Samples {
  const columns = new Map<Channel, (number | undefined)[]>();
  const lengths: string[] = [];
  const notKept = new Set<string>();
  let unreadable = 0;
  let doubled = false;
  for (const s of ex.samples) {
    const mapping = SAMPLE_CHANNELS.get(s.type);
    if (!mapping) {
      notKept.add(s.type || '(no type)');
      continue;
    }
    const [channel, divisor] = mapping;
    if (columns.has(channel)) {
      notKept.add(`${s.type} (a second ${channel} channel)`);
      continue;
    }
    const factor = s.type === 'RUN_CADENCE' || (s.type === 'CADENCE' && onFoot) ? 2 : 1;
    if (factor === 2) doubled = true;
    const parsed = splitValues(s.values, divisor, factor, ctx);
    unreadable += parsed.unreadable;
    if (channel === 'heartRateBpm') for (let i = 0; i < parsed.values.length; i++) if (parsed.values[i] === 0) parsed.values[i] = undefined;
    columns.set(channel, parsed.values);
    lengths.push(`${s.type} ${parsed.values.length}`);
  }
  if (notKept.size > 0) warnings.add('channel-not-kept', `sample channels not kept: ${[...notKept].join(', ')}`, notKept.size);
  if (unreadable > 0) warnings.add('sample-unreadable', 'empty or unreadable sample values were treated as gaps', unreadable);
  let n = 0;
  for (const c of columns.values()) n = Math.max(n, c.length);
  if (n === 0) return { offsetSeconds: [] };
  let padded = 0;
  for (const c of columns.values()) {
    padded += n - c.length;
    while (c.length < n) c.push(undefined);
  }
  if (padded > 0) warnings.add('channel-length-mismatch', `sample channels of unequal length (${lengths.join(', ')}) were padded with gaps to ${n} samples`, padded);
  let rate = ex.values.recordingRate;
  if (rate === undefined || !(rate > 0)) {
    rate = duration !== undefined && n > 1 ? Math.max(1, Math.round(duration / n)) : 1;
    warnings.add('recording-rate-assumed', `the exercise gives no usable <recording-rate>; samples are read ${rate} s apart`);
  }
  const offsets = new Array<number>(n);
  for (let i = 0; i < n; i++) offsets[i] = i * rate;
  const samples: Samples = { offsetSeconds: offsets };
  for (const [channel, column] of columns) samples[channel] = column;
  if (doubled) warnings.add('cadence-doubled', 'cadence in strides per minute was doubled to steps per minute');
  return samples;
}

/**
 * One channel's comma-separated values. Counts values before converting them, so a string
 * longer than `maxSamples` ends in `too-large` without building the array.
 */
function splitValues(text: string, divisor: number, factor: number, ctx: ParseContext): { values: (number | undefined)[]; unreadable: number } {
  let count = 1;
  for (let i = text.indexOf(','); i >= 0; i = text.indexOf(',', i + 1)) {
    if (++count > ctx.limits.maxSamples + 1) {
      throw pptError('too-large', `a sample channel holds more than ${ctx.limits.maxSamples} values (the maxSamples limit)`, ctx);
    }
  }
  const values: (number | undefined)[] = [];
  let unreadable = 0;
  let from = 0;
  for (;;) {
    const comma = text.indexOf(',', from);
    const end = comma < 0 ? text.length : comma;
    const token = text.slice(from, end);
    if (comma < 0 && token.trim() === '') break; // a trailing comma, or an empty string
    const v = numberOf(token);
    if (v === v) values.push(divisor === 1 ? v * factor : (v / divisor) * factor);
    else {
      values.push(undefined);
      unreadable++;
    }
    if (comma < 0) break;
    from = comma + 1;
  }
  if (values.length > ctx.limits.maxSamples) {
    throw pptError('too-large', `a sample channel holds more than ${ctx.limits.maxSamples} values (the maxSamples limit)`, ctx);
  }
  return { values, unreadable };
}
