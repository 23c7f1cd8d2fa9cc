import type {
  Channel,
  Device,
  FormatId,
  Lap,
  LapTrigger,
  OffsetSource,
  Pause,
  Samples,
  SourceSport,
  Sport,
  Summary,
  Warning,
  Workout,
} from './model.js';
import { CHANNELS } from './model.js';
import { externalIdOf, fingerprintOf } from './identity.js';
import { dropUndefined, mergeSummary, sampleRange, summarizeSamples } from './summary.js';
import { createWarnings } from './warnings.js';
import type { WarningCollector } from './warnings.js';

/** A lap as a parser reads it: the summary holds only what the file states. */
export interface LapDraft {
  startTime: number;
  elapsedSeconds: number;
  movingSeconds?: number;
  distanceMeters?: number;
  energyKilocalories?: number;
  summary?: Summary;
  trigger?: LapTrigger;
  lengths?: number;
  intensity?: 'active' | 'rest';
  notes?: string;
}

/**
 * What a parser hands over. `buildWorkout` checks it, repairs what it can (with warnings),
 * fills what the file lacks from the samples and adds the ids.
 */
export interface WorkoutDraft {
  format: FormatId;
  fileName?: string;
  sha256: string;
  index: number;
  count: number;
  group?: { id: string; index: number; size: number };
  sport: Sport;
  sourceSport?: SourceSport;
  name?: string;
  notes?: string;
  /** Epoch ms UTC. */
  startTime: number;
  utcOffsetMinutes?: number;
  utcOffsetSource?: OffsetSource;
  /** The file's own total; computed from samples and laps when absent. */
  elapsedSeconds?: number;
  movingSeconds?: number;
  distanceMeters?: number;
  energyKilocalories?: number;
  /** Only what the file states; the rest is computed from the samples. */
  summary?: Summary;
  laps?: LapDraft[];
  samples?: Samples;
  pauses?: Pause[];
  device?: Device;
  /** A recording id the file itself provides (FIT: `fit:<serial>:<time_created>`). */
  recordingId?: string;
  warnings?: WarningCollector | Warning[];
  extras?: Record<string, string | number | boolean>;
}

/** Physically plausible ranges; a value outside is dropped (a gap) and counted. */
export const PLAUSIBLE: Readonly<Record<Channel, readonly [number, number]>> = {
  heartRateBpm: [20, 250],
  speedMetersPerSecond: [0, 100],
  cadencePerMinute: [0, 300],
  powerWatts: [0, 3000],
  altitudeMeters: [-500, 9000],
  latitudeDegrees: [-90, 90],
  longitudeDegrees: [-180, 180],
  distanceMeters: [0, 10_000_000],
  temperatureCelsius: [-60, 70],
};

/** Durations beyond this are not one workout (bogus 27-day sessions). */
export const MAX_WORKOUT_SECONDS = 7 * 24 * 3600;

/** Earliest plausible start: the FIT epoch (1989-12-31); nothing real starts before it. */
export const MIN_START_TIME = Date.UTC(1989, 11, 31);

export function emptySamples(): Samples {
  return { offsetSeconds: [] };
}

/** Checks, repairs and completes a parser's draft into a Workout. */
export function buildWorkout(draft: WorkoutDraft): Workout {
  const warnings = Array.isArray(draft.warnings) ? createWarnings(draft.warnings) : (draft.warnings ?? createWarnings());
  const samples = cleanSamples(draft.samples ?? emptySamples(), warnings);
  const n = samples.offsetSeconds.length;
  const lastOffset = n > 0 ? (samples.offsetSeconds[n - 1] as number) : 0;

  const laps = (draft.laps ?? []).slice().sort((a, b) => a.startTime - b.startTime);
  const lapsEnd = laps.reduce((end, l) => Math.max(end, (l.startTime - draft.startTime) / 1000 + l.elapsedSeconds), 0);

  let elapsedSeconds = draft.elapsedSeconds;
  if (elapsedSeconds === undefined || !Number.isFinite(elapsedSeconds) || elapsedSeconds <= 0) {
    const fromData = Math.max(lastOffset, lapsEnd);
    if (elapsedSeconds !== undefined && fromData > 0) {
      warnings.add('total-time-repaired', `the file's total time (${elapsedSeconds} s) was replaced by the time the samples and laps span`);
    }
    elapsedSeconds = fromData;
  }
  if (elapsedSeconds > MAX_WORKOUT_SECONDS) {
    warnings.add('implausible-duration', `elapsed time ${Math.round(elapsedSeconds)} s is longer than a week; kept as the file states`);
  }

  const pauses = (draft.pauses ?? []).filter((p) => p.durationSeconds > 0).sort((a, b) => a.startOffsetSeconds - b.startOffsetSeconds);
  let movingSeconds = draft.movingSeconds;
  if (movingSeconds === undefined && pauses.length > 0) {
    movingSeconds = Math.max(0, elapsedSeconds - pauses.reduce((s, p) => s + p.durationSeconds, 0));
  }
  if (movingSeconds !== undefined && movingSeconds > elapsedSeconds + 1) {
    warnings.add('moving-time-repaired', 'moving time was longer than elapsed time; capped at elapsed time');
    movingSeconds = elapsedSeconds;
  }

  let distanceMeters = draft.distanceMeters;
  if (distanceMeters === undefined && samples.distanceMeters) {
    distanceMeters = lastDefined(samples.distanceMeters);
  }

  const own = draft.summary && plausibleSummary({ ...draft.summary }, warnings);
  const summary = plausibleSummary(
    mergeSummary(own, summarizeSamples(samples, 0, n, { distanceMeters, movingSeconds: movingSeconds ?? elapsedSeconds, known: own })),
    warnings,
  );

  const builtLaps: Lap[] = laps.map((lap) => buildLap(lap, draft.startTime, samples, warnings));
  checkLaps(builtLaps, draft.startTime, elapsedSeconds, warnings);

  const externalId = externalIdOf({ recordingId: draft.recordingId, sha256: draft.sha256, index: draft.index, count: draft.count });
  const workout: Workout = {
    source: dropUndefined({
      format: draft.format,
      fileName: draft.fileName,
      sha256: draft.sha256,
      index: draft.index,
      count: draft.count,
      group: draft.group,
    }),
    sport: draft.sport,
    sourceSport: dropUndefined({ ...(draft.sourceSport ?? {}) }),
    name: draft.name,
    notes: draft.notes,
    startTime: draft.startTime,
    utcOffsetMinutes: draft.utcOffsetMinutes,
    utcOffsetSource: draft.utcOffsetSource ?? (draft.utcOffsetMinutes === undefined ? 'none' : 'file'),
    elapsedSeconds,
    movingSeconds,
    distanceMeters,
    energyKilocalories: draft.energyKilocalories,
    summary,
    laps: builtLaps,
    samples,
    pauses,
    device: dropUndefined({ ...(draft.device ?? {}) }),
    externalId,
    fingerprint: fingerprintOf(draft.startTime, elapsedSeconds),
    warnings: warnings.list(),
    extras: draft.extras,
  };
  return dropUndefined(workout);
}

function buildLap(lap: LapDraft, workoutStart: number, samples: Samples, warnings: WarningCollector): Lap {
  const startOffset = (lap.startTime - workoutStart) / 1000;
  const [from, to] = sampleRange(samples, startOffset, startOffset + lap.elapsedSeconds);
  let distanceMeters = lap.distanceMeters;
  if (distanceMeters === undefined && samples.distanceMeters && to > from) {
    const first = firstDefined(samples.distanceMeters, from, to);
    const last = lastDefined(samples.distanceMeters, from, to);
    const before = from > 0 ? lastDefined(samples.distanceMeters, 0, from) : undefined;
    if (last !== undefined) distanceMeters = Math.max(0, last - (before ?? first ?? 0));
  }
  const own = lap.summary && plausibleSummary({ ...lap.summary }, warnings);
  const computed = summarizeSamples(samples, from, to, {
    distanceMeters,
    movingSeconds: lap.movingSeconds ?? lap.elapsedSeconds,
    known: own,
  });
  return dropUndefined({
    startTime: lap.startTime,
    elapsedSeconds: lap.elapsedSeconds,
    movingSeconds: lap.movingSeconds,
    distanceMeters,
    energyKilocalories: lap.energyKilocalories,
    summary: plausibleSummary(mergeSummary(own, computed), warnings),
    trigger: lap.trigger,
    lengths: lap.lengths,
    intensity: lap.intensity,
    notes: lap.notes,
  });
}

/** The channel whose plausible range bounds each summary value. */
const SUMMARY_RANGE: Readonly<Record<keyof Summary, Channel | readonly [number, number]>> = {
  heartRateAvgBpm: 'heartRateBpm',
  heartRateMaxBpm: 'heartRateBpm',
  heartRateMinBpm: 'heartRateBpm',
  speedAvgMetersPerSecond: 'speedMetersPerSecond',
  speedMaxMetersPerSecond: 'speedMetersPerSecond',
  cadenceAvgPerMinute: 'cadencePerMinute',
  cadenceMaxPerMinute: 'cadencePerMinute',
  powerAvgWatts: 'powerWatts',
  powerMaxWatts: 'powerWatts',
  ascentMeters: [0, 100_000],
  descentMeters: [0, 100_000],
  temperatureAvgCelsius: 'temperatureCelsius',
};

/** Summary values outside physical ranges (a 1-s lap of 128 m: 128 m/s) are dropped and counted. */
function plausibleSummary(summary: Summary, warnings: WarningCollector): Summary {
  for (const key of Object.keys(summary) as (keyof Summary)[]) {
    const v = summary[key];
    if (v === undefined) continue;
    const range = SUMMARY_RANGE[key];
    const [lo, hi] = typeof range === 'string' ? PLAUSIBLE[range] : range;
    if (!(v >= lo && v <= hi)) {
      delete summary[key];
      warnings.add('implausible-summary', 'summary values outside physical ranges were left out', 1);
    }
  }
  return summary;
}

/** Laps inside the workout (with 1 s or 1% slack for rounding); outliers are kept and reported. */
function checkLaps(laps: Lap[], start: number, elapsed: number, warnings: WarningCollector): void {
  const slack = Math.max(1, elapsed * 0.01);
  let outside = 0;
  for (const lap of laps) {
    const s = (lap.startTime - start) / 1000;
    if (s < -slack || s + lap.elapsedSeconds > elapsed + slack) outside++;
  }
  if (outside > 0) warnings.add('lap-outside-workout', 'laps that reach outside the workout time were kept as the file states them', outside);
}

/**
 * Makes offsets strictly increasing (a sample stepping back in time or repeating one is
 * dropped), turns implausible values into gaps and drops channels that hold no value.
 * Columns that need no repair are taken over as they are (no copy): parsers hand their
 * columns to the model.
 */
export function cleanSamples(input: Samples, warnings: WarningCollector): Samples {
  const offsets = input.offsetSeconds;
  const n = offsets.length;
  let keep: number[] | undefined; // undefined: every sample is kept
  let last = -Infinity;
  let backwards = 0;
  let invalid = 0;
  for (let i = 0; i < n; i++) {
    const t = offsets[i] as number;
    const bad = !Number.isFinite(t);
    if (bad || t <= last) {
      if (bad) invalid++;
      else backwards++;
      keep ??= Array.from({ length: i }, (_, k) => k);
      continue;
    }
    keep?.push(i);
    last = t;
  }
  if (backwards > 0) warnings.add('time-not-increasing', 'samples whose time repeats or steps back were skipped', backwards);
  if (invalid > 0) warnings.add('sample-without-time', 'samples without a usable time were skipped', invalid);
  const length = keep ? keep.length : n;
  const out: Samples = { offsetSeconds: keep ? keep.map((i) => offsets[i] as number) : offsets };
  for (const channel of CHANNELS) {
    const column = input[channel];
    if (!column) continue;
    const [lo, hi] = PLAUSIBLE[channel];
    let present = 0;
    let dropped = 0;
    if (!keep) {
      // Fast path: scan; copy only when something must change.
      for (let i = 0; i < n; i++) {
        const v = column[i];
        if (v === undefined) continue;
        if (v >= lo && v <= hi) present++;
        else dropped++;
      }
      if (dropped === 0 && column.length === n) {
        if (present > 0) out[channel] = column;
        continue;
      }
    }
    const values: (number | undefined)[] = new Array<number | undefined>(length);
    present = 0;
    dropped = 0;
    for (let j = 0; j < length; j++) {
      const v = column[keep ? (keep[j] as number) : j];
      if (v === undefined || v === null) {
        values[j] = undefined;
      } else if (v >= lo && v <= hi) {
        values[j] = v;
        present++;
      } else {
        values[j] = undefined;
        dropped++;
      }
    }
    if (dropped > 0) warnings.add(`implausible-${channel}`, `${channel} values outside ${lo}..${hi} were treated as gaps`, dropped);
    if (present > 0) out[channel] = values;
  }
  cleanPositions(out, length, warnings);
  return out;
}

/** A position needs both halves; (0,0) is a device's "no fix", not the Gulf of Guinea. */
function cleanPositions(out: Samples, length: number, warnings: WarningCollector): void {
  let lat = out.latitudeDegrees;
  let lon = out.longitudeDegrees;
  if (!lat && !lon) return;
  let nulled = 0;
  let kept = 0;
  for (let j = 0; j < length; j++) {
    const a = lat?.[j];
    const b = lon?.[j];
    if (a === undefined || b === undefined || (a === 0 && b === 0)) {
      if (a === undefined && b === undefined) continue;
      nulled++;
      // Copy on first write: the columns may be the parser's own arrays.
      if (lat && nulled === 1) lat = out.latitudeDegrees = lat.slice();
      if (lon && nulled === 1) lon = out.longitudeDegrees = lon.slice();
      if (lat) lat[j] = undefined;
      if (lon) lon[j] = undefined;
    } else kept++;
  }
  if (nulled > 0) warnings.add('position-incomplete', 'positions with one coordinate missing or at (0,0) were treated as gaps', nulled);
  if (kept === 0) {
    delete out.latitudeDegrees;
    delete out.longitudeDegrees;
  }
}

/** Channels that hold at least one value. */
export function channelsOf(samples: Samples): Channel[] {
  return CHANNELS.filter((c) => samples[c] !== undefined);
}

function lastDefined(column: readonly (number | undefined)[], from = 0, to = column.length): number | undefined {
  for (let i = to - 1; i >= from; i--) {
    const v = column[i];
    if (v !== undefined) return v;
  }
  return undefined;
}

function firstDefined(column: readonly (number | undefined)[], from: number, to: number): number | undefined {
  for (let i = from; i < to; i++) {
    const v = column[i];
    if (v !== undefined) return v;
  }
  return undefined;
}
