import type { Samples, Summary } from './model.js';

/** Altitude changes smaller than this are noise, not climbing (hysteresis for ascent/descent). */
export const ASCENT_THRESHOLD_METERS = 3;

/** Index range [from, to) of the samples whose offset lies in [startOffset, endOffset). */
export function sampleRange(samples: Samples, startOffset: number, endOffset: number): [number, number] {
  const offsets = samples.offsetSeconds;
  return [lowerBound(offsets, startOffset), lowerBound(offsets, endOffset)];
}

function lowerBound(values: readonly number[], target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Stats {
  avg?: number;
  max?: number;
  min?: number;
}

function stats(column: readonly (number | undefined)[] | undefined, from: number, to: number, skipZero: boolean): Stats {
  if (!column) return {};
  let sum = 0;
  let n = 0;
  let max = -Infinity;
  let min = Infinity;
  for (let i = from; i < to; i++) {
    const v = column[i];
    if (v === undefined || (skipZero && v === 0)) continue;
    sum += v;
    n++;
    if (v > max) max = v;
    if (v < min) min = v;
  }
  return n === 0 ? {} : { avg: sum / n, max, min };
}

/** Climb and descent with a hysteresis threshold, so GPS/baro noise does not add up. */
export function climb(altitude: readonly (number | undefined)[] | undefined, from: number, to: number): { ascent?: number; descent?: number } {
  if (!altitude) return {};
  let ref: number | undefined;
  let ascent = 0;
  let descent = 0;
  let seen = false;
  for (let i = from; i < to; i++) {
    const v = altitude[i];
    if (v === undefined) continue;
    seen = true;
    if (ref === undefined) {
      ref = v;
      continue;
    }
    const d = v - ref;
    if (d >= ASCENT_THRESHOLD_METERS) {
      ascent += d;
      ref = v;
    } else if (d <= -ASCENT_THRESHOLD_METERS) {
      descent -= d;
      ref = v;
    }
  }
  return seen ? { ascent, descent } : {};
}

/**
 * Summary of the samples in [from, to). `movingSeconds` and `distanceMeters`, when given,
 * make the average speed distance over moving time instead of a mean of speed samples.
 */
export function summarizeSamples(
  samples: Samples,
  from = 0,
  to = samples.offsetSeconds.length,
  context: { distanceMeters?: number; movingSeconds?: number; known?: Summary } = {},
): Summary {
  // Channels whose every summary value the file already states are not walked again.
  const k = context.known ?? {};
  const has = (...keys: (keyof Summary)[]): boolean => keys.every((key) => k[key] !== undefined);
  const hr = has('heartRateAvgBpm', 'heartRateMaxBpm', 'heartRateMinBpm') ? {} : stats(samples.heartRateBpm, from, to, false);
  const speed = has('speedAvgMetersPerSecond', 'speedMaxMetersPerSecond') ? {} : stats(samples.speedMetersPerSecond, from, to, false);
  const cadence = has('cadenceAvgPerMinute', 'cadenceMaxPerMinute') ? {} : stats(samples.cadencePerMinute, from, to, true);
  const power = has('powerAvgWatts', 'powerMaxWatts') ? {} : stats(samples.powerWatts, from, to, false);
  const temp = has('temperatureAvgCelsius') ? {} : stats(samples.temperatureCelsius, from, to, false);
  const { ascent, descent } = has('ascentMeters', 'descentMeters') ? {} : climb(samples.altitudeMeters, from, to);
  const summary: Summary = {
    heartRateAvgBpm: hr.avg,
    heartRateMaxBpm: hr.max,
    heartRateMinBpm: hr.min,
    speedAvgMetersPerSecond: speed.avg,
    speedMaxMetersPerSecond: speed.max,
    cadenceAvgPerMinute: cadence.avg,
    cadenceMaxPerMinute: cadence.max,
    powerAvgWatts: power.avg,
    powerMaxWatts: power.max,
    ascentMeters: ascent,
    descentMeters: descent,
    temperatureAvgCelsius: temp.avg,
  };
  const { distanceMeters, movingSeconds } = context;
  if (distanceMeters !== undefined && movingSeconds !== undefined && movingSeconds > 0) {
    summary.speedAvgMetersPerSecond = distanceMeters / movingSeconds;
  }
  return dropUndefined(summary);
}

/** The file's own values win; computed values fill only what the file lacks. */
export function mergeSummary(own: Summary | undefined, computed: Summary): Summary {
  const out: Summary = { ...computed };
  if (own) {
    for (const [k, v] of Object.entries(own) as [keyof Summary, number | undefined][]) {
      if (v !== undefined && Number.isFinite(v)) out[k] = v;
    }
  }
  return dropUndefined(out);
}

export function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
