/**
 * Polar Flow account-data export (`training-session-*.json`, exportVersion 1.x) → workouts.
 *
 * - Every entry of `exercises[]` is a workout (`source.index` in file order); the exercises of
 *   one session share a multisport `group`. A session without exercises but with its own start
 *   and duration is one workout from the session totals (`session-without-exercises`).
 * - Times: `startTime`/`stopTime`/`dateTime` are local wall-clock times without an offset; the
 *   offset is the exercise's `timezoneOffset` (minutes; note the lower-case z), else the
 *   session's `timeZoneOffset`: UTC = local − offset, `utcOffsetSource` `file`. (Adding the
 *   offset instead, as some public parsers do, is wrong: `periodData.start` `11:16:59.745+01:00`
 *   equals `startTime` 11:16:59.745 with offset 60.) Without any offset the start is read in the
 *   `timeZone` option or this machine's zone (`time-zone-option` / `machine-zone`).
 * - Totals: elapsed = the exercise's `duration` (ISO 8601, `PT2754.128S`), or `stopTime` −
 *   `startTime` when longer (then `duration` is the moving time); `distance` m; `kiloCalories`;
 *   summary by SUMMARY_FIELDS (speeds km/h → m/s; cadence on foot is strides/min, doubled).
 * - Laps: `laps[]` (trigger `manual`), else `autoLaps[]` (trigger `auto`); a lap starts at its
 *   `splitTime` − `duration`, else where the previous one ended. With both, the auto laps are
 *   not kept (`auto-laps-not-kept`).
 * - Samples: the streams of `samples` (SAMPLE_STREAMS) and `recordedRoute` (latitude,
 *   longitude, altitude when no altitude stream) aligned by time (polar-json-samples.ts); a
 *   sample without `value` is a gap (`sample-without-value`); heart rate 0 is a gap. Distance,
 *   when no stream gives it, is computed from the route.
 * - Sport: the exercise's `sport` (`RUNNING`, `ROAD_BIKING`…) through `sportFromName`, else the
 *   session `name` (localized, e.g. `Laufen`), else `other` with a warning.
 * - Bounds: a file over 128 MiB (or `maxFileBytes`) is refused with `too-large` before
 *   `JSON.parse`; more than `maxSamples` rows in an exercise is `too-large`. An exportVersion
 *   other than 1.x is read the same way with an `export-version-unknown` warning.
 * - Detection peeks at the first 16 KiB: a JSON object with an `"exercises": [` key and an
 *   `exportVersion` or `startTime` key. Other files of the export (account data, activity
 *   days, sleep…) are not claimed, so an export zip yields its sessions and skips the rest.
 */
import { buildWorkout, createWarnings, MIN_START_TIME, PLAUSIBLE } from '@optimo-import/workout';
import type { Channel, LapDraft, LapTrigger, Summary, WarningCollector, Workout } from '@optimo-import/workout';
import { ParseError } from './errors.js';
import { formatBytes } from './containers.js';
import type { SampleStream } from './polar-json-samples.js';
import { alignStreams, createRelativeClock } from './polar-json-samples.js';
import type { PolarDraft, ResolvedStart } from './polar-xml-common.js';
import { listReasons, polarSport, startFromWallClock } from './polar-xml-common.js';
import { parseIsoDateTime } from './time.js';
import type { FormatParser, ParseContext } from './types.js';
import { cumulativeDistance, ON_FOOT } from './xml-track.js';

/** Files over this are refused before JSON.parse (one object per sample: ~17 bytes per value, 768 KB for 46 min). */
export const POLAR_JSON_MAX_BYTES = 128 * 1024 * 1024;

/** Bytes of the head that detection reads. */
const DETECT_BYTES = 16 * 1024;

type Json = Record<string, unknown>;

/** Summary values of an exercise (and of a lap) by their key path, with the divisor to our unit. */
const SUMMARY_FIELDS: ReadonlyArray<readonly [string, string, keyof Summary, number]> = [
  ['heartRate', 'min', 'heartRateMinBpm', 1],
  ['heartRate', 'avg', 'heartRateAvgBpm', 1],
  ['heartRate', 'max', 'heartRateMaxBpm', 1],
  ['speed', 'avg', 'speedAvgMetersPerSecond', 3.6], // km/h
  ['speed', 'max', 'speedMaxMetersPerSecond', 3.6],
  ['cadence', 'avg', 'cadenceAvgPerMinute', 1], // rpm, or strides/min on foot
  ['cadence', 'max', 'cadenceMaxPerMinute', 1],
  ['power', 'avg', 'powerAvgWatts', 1],
  ['power', 'max', 'powerMaxWatts', 1],
  ['temperature', 'avg', 'temperatureAvgCelsius', 1],
];

/** `samples` streams of `{dateTime, value}` → channel and divisor. */
const SAMPLE_STREAMS: ReadonlyMap<string, readonly [Channel, number]> = new Map<string, readonly [Channel, number]>([
  ['heartRate', ['heartRateBpm', 1]],
  ['speed', ['speedMetersPerSecond', 3.6]], // km/h
  ['cadence', ['cadencePerMinute', 1]],
  ['altitude', ['altitudeMeters', 1]],
  ['distance', ['distanceMeters', 1]], // cumulative m
  ['temperature', ['temperatureCelsius', 1]],
  ['power', ['powerWatts', 1]],
]);

/** `recordedRoute` entries → channels. */
const ROUTE_FIELDS: ReadonlyArray<readonly [string, Channel]> = [
  ['latitude', 'latitudeDegrees'],
  ['longitude', 'longitudeDegrees'],
  ['altitude', 'altitudeMeters'],
];

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

export const polarJsonParser: FormatParser = {
  format: 'polar-json',
  extensions: ['json'],
  detect: detectPolarJson,
  parse: parsePolarJson,
};

/** Whether the bytes look like a training session of a Polar account-data export (head only; never parses). */
export function detectPolarJson(input: Uint8Array): boolean {
  let i = 0;
  const n = Math.min(input.length, DETECT_BYTES);
  if (n >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf) i = 3;
  while (i < n && (input[i] === 0x20 || input[i] === 0x0a || input[i] === 0x0d || input[i] === 0x09)) i++;
  if (input[i] !== 0x7b /* { */) return false;
  let head = '';
  for (let j = i; j < n; j++) head += String.fromCharCode(input[j] as number);
  return /"exercises"\s*:\s*\[/.test(head) && /"(?:exportVersion|startTime)"\s*:\s*"/.test(head);
}

function jsonError(code: ParseError['code'], message: string, ctx: ParseContext, cause?: unknown): ParseError {
  return new ParseError({ code, message, format: 'polar-json', file: ctx.fileName, cause });
}

function readJson(input: Uint8Array, ctx: ParseContext): unknown {
  const cap = Math.min(POLAR_JSON_MAX_BYTES, ctx.limits.maxFileBytes);
  if (input.length > cap) throw jsonError('too-large', `${formatBytes(input.length)} is over the cap of ${formatBytes(cap)} for one Polar JSON file`, ctx);
  const start = input.length >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  const text = new TextDecoder('utf-8').decode(input.subarray(start));
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof RangeError) throw jsonError('too-large', `the JSON is too large to read (${error.message})`, ctx, error);
    const message = error instanceof Error ? error.message : String(error);
    // V8 names the position; an error at the very end of the text is a file cut short.
    const at = /position (\d+)/.exec(message);
    const end = /end of (JSON )?input/i.test(message) || (at !== null && Number(at[1]) >= text.trimEnd().length);
    throw jsonError(end ? 'truncated' : 'corrupt', `not valid JSON: ${message}`, ctx, error);
  }
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Seconds of an ISO 8601 duration (`PT2754.128S`, `PT1H2M3S`, `P1DT2H`); NaN when unreadable or negative. */
export function parseIsoDuration(text: unknown): number {
  if (typeof text !== 'string' || text.length > 64) return NaN;
  const m = /^\s*P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?\s*$/i.exec(text);
  if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined && m[4] === undefined)) return NaN;
  const [, d = '0', h = '0', mi = '0', s = '0'] = m;
  return Number(d) * 86400 + Number(h) * 3600 + Number(mi) * 60 + Number(s);
}

function parsePolarJson(input: Uint8Array, ctx: ParseContext): Workout[] {
  const root = readJson(input, ctx);
  if (!isObject(root)) throw jsonError('corrupt', 'the top level is not a JSON object, so not a Polar training session', ctx);
  const version = root.exportVersion;
  const versionWarning = version !== undefined && !/^1(\.|$)/.test(String(version)) ? String(version) : undefined;
  const list = Array.isArray(root.exercises) ? root.exercises : [];
  const results: (PolarDraft | string)[] = [];
  list.forEach((ex, i) => results.push(isObject(ex) ? exerciseDraft(ex, root, ctx) : `exercise ${i + 1} is not an object`));
  if (list.length === 0) {
    const draft = exerciseDraft({}, root, ctx);
    if (typeof draft === 'string') throw jsonError('no-data', `the session holds no exercises (${draft})`, ctx);
    draft.warnings.add('session-without-exercises', 'the session lists no exercises; imported from its own totals');
    results.push(draft);
  }
  const drafts = results.filter((x): x is PolarDraft => typeof x !== 'string');
  const skipped = results.filter((x): x is string => typeof x === 'string');
  if (drafts.length === 0) throw jsonError('no-data', `no exercise could be imported: ${listReasons(skipped)}`, ctx);
  return drafts.map((draft, index) => {
    draft.index = index;
    draft.count = drafts.length;
    if (drafts.length > 1) draft.group = { id: `sha256:${ctx.sha256}#session`, index, size: drafts.length };
    if (skipped.length > 0) draft.warnings.add('exercise-skipped', `exercises of this session were skipped: ${listReasons(skipped)}`, skipped.length);
    if (versionWarning !== undefined) draft.warnings.add('export-version-unknown', `exportVersion "${versionWarning}" is newer than the 1.x this reader knows; read as 1.x`);
    return buildWorkout(draft);
  });
}

/** The exercise's time-zone offset in minutes (its own, else the session's), when plausible. */
function offsetOf(ex: Json, session: Json): number | undefined {
  for (const v of [ex.timezoneOffset, ex.timeZoneOffset, session.timeZoneOffset, session.timezoneOffset]) {
    const minutes = num(v);
    if (minutes !== undefined && Math.abs(minutes) <= 18 * 60) return minutes;
  }
  return undefined;
}

/** One exercise (or the session itself, given `{}`) as a draft, or why it is skipped. */
function exerciseDraft(ex: Json, session: Json, ctx: ParseContext): PolarDraft | string {
  const warnings = createWarnings();
  const ownStart = str(ex.startTime);
  const startText = ownStart ?? str(session.startTime);
  const read = startText === undefined ? undefined : parseIsoDateTime(startText);
  const parsed = read !== undefined && read.localAsUtcMs >= MIN_START_TIME ? read : undefined;
  if (!parsed) return startText === undefined ? 'an exercise without a startTime' : `an exercise whose startTime "${startText.slice(0, 40)}" is not a date-time`;
  if (ownStart === undefined && Object.keys(ex).length > 0) warnings.add('start-from-session', "the exercise has no startTime; the session's is used");
  let start: ResolvedStart;
  if (parsed.offsetMinutes !== undefined) {
    start = { startTime: parsed.localAsUtcMs - parsed.offsetMinutes * 60000, utcOffsetMinutes: parsed.offsetMinutes, utcOffsetSource: 'file' };
  } else {
    const offset = offsetOf(ex, session);
    start =
      offset !== undefined
        ? { startTime: parsed.localAsUtcMs - offset * 60000, utcOffsetMinutes: offset, utcOffsetSource: 'file' }
        : startFromWallClock(parsed.localAsUtcMs, ctx.timeZone, warnings);
  }
  const clock = createRelativeClock(parsed.localAsUtcMs, start.startTime);

  const own = Object.keys(ex).length > 0 ? ex : session;
  const duration = parseIsoDuration(own.duration);
  const stop = clock(own.stopTime);
  const span = stop > 0 ? stop / 1000 : NaN;
  let elapsed: number | undefined;
  let moving: number | undefined;
  if (duration > 0 && span > duration + 1) {
    elapsed = span;
    moving = duration;
  } else if (duration > 0) elapsed = duration;
  else if (span > 0) elapsed = span;

  const sport = polarSport([str(ex.sport), str(session.name)], warnings);
  const onFoot = ON_FOOT.has(sport);
  const summary = readSummary(own, onFoot, warnings);
  if (own === session) {
    // The session's own heart-rate totals have their own names.
    const avg = num(session.averageHeartRate);
    const max = num(session.maximumHeartRate);
    if (avg !== undefined && avg >= 20 && avg <= 250) summary.heartRateAvgBpm = avg;
    if (max !== undefined && max >= 20 && max <= 250) summary.heartRateMaxBpm = max;
  }
  const samples = readSamples(own.samples, clock, elapsed, onFoot, ctx, warnings);
  const laps = readLaps(own, start.startTime, onFoot, warnings);
  const baseMs = samples?.baseMs ?? 0;
  if (baseMs < 0) warnings.add('samples-before-start', 'samples before the exercise start time were kept; the workout starts at the first sample');
  if (elapsed === undefined && !samples && laps.length === 0) return 'an exercise with no duration, no samples and no laps';
  const deviceId = str(session.deviceId) ?? (typeof session.deviceId === 'number' ? String(session.deviceId) : undefined);
  const distance = num(own.distance);
  const energy = num(own.kiloCalories);
  return {
    format: 'polar-json',
    fileName: ctx.fileName,
    sha256: ctx.sha256,
    index: 0,
    count: 1,
    sport,
    sourceSport: { sport: str(ex.sport) },
    name: str(session.name),
    notes: str(session.note),
    ...start,
    startTime: start.startTime + baseMs,
    elapsedSeconds: elapsed === undefined ? undefined : elapsed - baseMs / 1000,
    movingSeconds: moving,
    distanceMeters: distance !== undefined && distance > 0 ? distance : undefined,
    energyKilocalories: energy !== undefined && energy > 0 ? energy : undefined,
    summary,
    laps,
    samples: samples ? { offsetSeconds: samples.offsetSeconds, ...samples.columns } : undefined,
    device: { manufacturer: 'Polar', serial: deviceId },
    warnings,
  };
}

/** Summary values by SUMMARY_FIELDS plus `ascent`/`descent`; 0 is "not recorded", implausible values are dropped. */
function readSummary(o: Json, onFoot: boolean, warnings: WarningCollector): Summary {
  const summary: Summary = {};
  let implausible = 0;
  for (const [group, key, field, divisor] of SUMMARY_FIELDS) {
    const g = o[group];
    const raw = isObject(g) ? num(g[key]) : undefined;
    if (raw === undefined || raw === 0) continue;
    const v = (raw / divisor) * (onFoot && field.startsWith('cadence') ? 2 : 1);
    const channel = SUMMARY_CHANNEL[field] as Channel;
    const [lo, hi] = PLAUSIBLE[channel];
    if (v >= lo && v <= hi) summary[field] = v;
    else implausible++;
  }
  for (const [key, field] of [['ascent', 'ascentMeters'], ['descent', 'descentMeters']] as const) {
    const v = num(o[key]);
    if (v === undefined) continue;
    if (v >= 0 && v <= 100_000) summary[field] = v;
    else implausible++;
  }
  if (implausible > 0) warnings.add('implausible-summary-value', 'summary values outside the plausible range were left out', implausible);
  return summary;
}

/** Laps, else auto laps; each from `splitTime` − `duration`, else after the previous one. */
function readLaps(o: Json, start: number, onFoot: boolean, warnings: WarningCollector): LapDraft[] {
  const manual = Array.isArray(o.laps) ? o.laps.filter(isObject) : [];
  const auto = Array.isArray(o.autoLaps) ? o.autoLaps.filter(isObject) : [];
  if (manual.length > 0 && auto.length > 0) warnings.add('auto-laps-not-kept', 'the exercise has both laps and automatic laps; the automatic laps were not kept', auto.length);
  const list = manual.length > 0 ? manual : auto;
  const trigger: LapTrigger = manual.length > 0 ? 'manual' : 'auto';
  const ordered = list.every((l) => num(l.lapNumber) !== undefined) ? list.slice().sort((a, b) => (a.lapNumber as number) - (b.lapNumber as number)) : list;
  const laps: LapDraft[] = [];
  let at = 0;
  let dropped = 0;
  for (const lap of ordered) {
    const duration = parseIsoDuration(lap.duration);
    const split = parseIsoDuration(lap.splitTime);
    if (!(duration >= 0)) {
      dropped++;
      continue;
    }
    const begin = split >= duration ? split - duration : at;
    at = begin + duration;
    const distance = num(lap.distance);
    laps.push({
      startTime: start + Math.round(begin * 1000),
      elapsedSeconds: duration,
      distanceMeters: distance !== undefined && distance >= 0 ? distance : undefined,
      summary: readSummary(lap, onFoot, warnings),
      trigger,
    });
  }
  if (dropped > 0) warnings.add('lap-without-duration', 'laps without a readable duration were skipped', dropped);
  return laps;
}

/** The sample streams aligned on one time base, or undefined when there are none. */
function readSamples(
  raw: unknown,
  clock: (text: unknown) => number,
  elapsed: number | undefined,
  onFoot: boolean,
  ctx: ParseContext,
  warnings: WarningCollector,
): ReturnType<typeof alignStreams> | undefined {
  if (!isObject(raw)) return undefined;
  const streams: SampleStream[] = [];
  const notKept: string[] = [];
  let withoutTime = 0;
  let withoutValue = 0;
  let route: SampleStream | undefined;
  const limit = ctx.limits.maxSamples;
  for (const [name, list] of Object.entries(raw)) {
    const mapping = SAMPLE_STREAMS.get(name);
    if (!Array.isArray(list) || (!mapping && name !== 'recordedRoute')) {
      if (!Array.isArray(list) || list.length > 0) notKept.push(name);
      continue;
    }
    if (list.length > limit) throw jsonError('too-large', `the ${name} stream holds more than ${limit} samples (the maxSamples limit)`, ctx);
    const times: number[] = [];
    if (mapping) {
      const [channel, divisor] = mapping;
      const factor = channel === 'cadencePerMinute' && onFoot ? 2 : 1;
      const values: (number | undefined)[] = [];
      for (const item of list) {
        const t = isObject(item) ? clock(item.dateTime) : NaN;
        if (t !== t) {
          withoutTime++;
          continue;
        }
        const v = num((item as Json).value);
        if (v === undefined) withoutValue++;
        times.push(t);
        values.push(v === undefined || (channel === 'heartRateBpm' && v === 0) ? undefined : (v / divisor) * factor);
      }
      streams.push({ name, times, columns: { [channel]: values } });
    } else {
      const columns: Partial<Record<Channel, (number | undefined)[]>> = { latitudeDegrees: [], longitudeDegrees: [], altitudeMeters: [] };
      for (const item of list) {
        const t = isObject(item) ? clock(item.dateTime) : NaN;
        if (t !== t) {
          withoutTime++;
          continue;
        }
        times.push(t);
        for (const [key, channel] of ROUTE_FIELDS) (columns[channel] as (number | undefined)[]).push(num((item as Json)[key]));
      }
      route = { name, times, columns };
    }
  }
  if (route) streams.push(route); // last: a real altitude stream wins over the route's altitude
  if (notKept.length > 0) warnings.add('channel-not-kept', `sample streams not kept: ${notKept.join(', ')}`, notKept.length);
  if (withoutTime > 0) warnings.add('sample-without-time', 'samples without a usable dateTime were skipped', withoutTime);
  if (withoutValue > 0) warnings.add('sample-without-value', 'samples without a value were treated as gaps', withoutValue);
  if (!streams.some((s) => s.times.length > 0)) return undefined;
  if (onFoot && streams.some((s) => s.name === 'cadence' && s.times.length > 0)) warnings.add('cadence-doubled', 'cadence in strides per minute was doubled to steps per minute');
  const aligned = alignStreams(streams, elapsed === undefined ? undefined : elapsed * 1000, ctx, warnings);
  const c = aligned.columns;
  if (!c.distanceMeters && c.latitudeDegrees && c.longitudeDegrees) {
    const computed = cumulativeDistance(c.latitudeDegrees, c.longitudeDegrees);
    if (computed) c.distanceMeters = computed;
  }
  return aligned;
}
