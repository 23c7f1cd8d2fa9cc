/**
 * Polar companions: ProTrainer writes an exercise's heart rate and bike data to `x.hrm`, its GPS
 * track to `x.gpx` next to it, and the day's index to `YYYYMMDD.pdd`. These pure functions let a
 * caller that has all the files (a folder, a zip) make one workout of them:
 *
 * ```ts
 * for (const group of findCompanions(names)) {
 *   let workout = parsePolarHrm(read(group.hrm), ctx);
 *   if (group.gpx) workout = mergeHrmWithGpx(workout, gpxParser.parse(read(group.gpx), ctx)[0]);
 *   const day = group.pdd ? readPdd(read(group.pdd), group.pdd) : undefined;
 *   const exercise = day && findPddExercise(day, group.hrm, workout);
 *   if (exercise) workout = applyPddExercise(workout, exercise, day);
 * }
 * ```
 *
 * (A `.gpx` that findCompanions pairs with an `.hrm` is part of that workout, not one of its own.)
 */
import { buildWorkout } from '@optimo-import/workout';
import type { Channel, LapDraft, Samples, Summary, Warning, Workout } from '@optimo-import/workout';
import { baseNameOf, folderOf } from './polar-text.js';

export interface PolarCompanions {
  /** The HRM file, as given. */
  hrm: string;
  /** The GPX of the same exercise: same folder, same base name, `.gpx` (any case). */
  gpx?: string;
  /** The day file in the same folder: `20YYMMDD.pdd` (or `19YYMMDD.pdd`) for an HRM named `…YYMMDDNN.hrm`. */
  pdd?: string;
}

/** Groups each `.hrm` with its `.gpx` and its day's `.pdd` by name; one entry per `.hrm`, in input order. */
export function findCompanions(fileNames: readonly string[]): PolarCompanions[] {
  const byKey = new Map<string, string>();
  for (const name of fileNames) {
    const key = name.toLowerCase();
    if (!byKey.has(key)) byKey.set(key, name);
  }
  const groups: PolarCompanions[] = [];
  for (const name of fileNames) {
    const base = baseNameOf(name);
    if (!/\.hrm$/i.test(base)) continue;
    const folder = folderOf(name).toLowerCase();
    const stem = base.slice(0, -4).toLowerCase();
    const group: PolarCompanions = { hrm: name };
    const gpx = byKey.get(`${folder}${stem}.gpx`);
    if (gpx) group.gpx = gpx;
    const m = /(\d{2})(\d{2})(\d{2})\d{2}$/.exec(stem);
    if (m) {
      const [, yy, mm, dd] = m;
      const centuries = Number(yy) >= 80 ? ['19', '20'] : ['20', '19'];
      for (const c of centuries) {
        const pdd = byKey.get(`${folder}${c}${yy}${mm}${dd}.pdd`);
        if (pdd) {
          group.pdd = pdd;
          break;
        }
      }
    }
    groups.push(group);
  }
  return groups;
}

/** GPX points further apart than this are a gap: no position is interpolated across it. */
const MAX_GAP_MS = 30_000;
/** An HRM sample this close outside the GPX track (or a gap's edge) takes the nearest point. */
const EDGE_MS = 2_000;
/** The HRM's zone may be off by this many whole hours either way. */
const MAX_SHIFT_HOURS = 14;

/** Which summary values come from which channel (kept when the HRM recorded the channel). */
const SUMMARY_CHANNEL: Readonly<Record<keyof Summary, Channel>> = {
  heartRateAvgBpm: 'heartRateBpm',
  heartRateMaxBpm: 'heartRateBpm',
  heartRateMinBpm: 'heartRateBpm',
  speedAvgMetersPerSecond: 'speedMetersPerSecond',
  speedMaxMetersPerSecond: 'speedMetersPerSecond',
  cadenceAvgPerMinute: 'cadencePerMinute',
  cadenceMaxPerMinute: 'cadencePerMinute',
  powerAvgWatts: 'powerWatts',
  powerMaxWatts: 'powerWatts',
  ascentMeters: 'altitudeMeters',
  descentMeters: 'altitudeMeters',
  temperatureAvgCelsius: 'temperatureCelsius',
};

/** Warnings buildWorkout makes again from the laps and totals; kept once. */
const REBUILT_WARNINGS = new Set(['lap-outside-workout', 'implausible-duration', 'moving-time-repaired']);
/** Warnings about the HRM's zone, moot once the GPX's UTC times have placed the workout. */
const ZONE_WARNINGS = new Set(['zone-assumed', 'dst-gap', 'dst-overlap']);

/**
 * One workout of an HRM and the GPX ProTrainer wrote beside it. The HRM's samples are the time
 * base; each gets the GPX's position (interpolated between the points around it, none across a
 * gap of more than 30 s or outside the track) and every channel the HRM lacks (altitude,
 * distance, …); the HRM's own channels, laps, totals and ids stay.
 *
 * Alignment: the HRM's start is its local time read in a zone (the `timeZone` option or the
 * machine's), the GPX's times are UTC. When that zone was wrong the two are whole hours apart;
 * the offset (−14..+14 h) that gives the most overlap is chosen (ties: none, then the closest
 * starts) and the HRM's start moves by it — GPS time is the better clock — with a
 * `companion-time-shifted` warning and the UTC offset this implies (source `file`). Without
 * any overlap the HRM comes back as it was, with a `companion-no-overlap` warning.
 */
export function mergeHrmWithGpx(hrm: Workout, gpx: Workout): Workout {
  const gpxName = gpx.source.fileName === undefined ? 'the GPX' : baseNameOf(gpx.source.fileName);
  const g = gpx.samples;
  const m = g.offsetSeconds.length;
  if (m === 0) return withWarning(hrm, 'companion-no-overlap', `${gpxName} holds no points; nothing was merged`);
  const gpxFirst = gpx.startTime + (g.offsetSeconds[0] as number) * 1000;
  const gpxLast = gpx.startTime + (g.offsetSeconds[m - 1] as number) * 1000;
  const hrmEndOffset = Math.max(hrm.elapsedSeconds, hrm.samples.offsetSeconds[hrm.samples.offsetSeconds.length - 1] ?? 0);
  const shiftMs = bestShift(hrm, hrmEndOffset, gpxFirst, gpxLast);
  if (shiftMs === undefined) {
    return withWarning(hrm, 'companion-no-overlap', `${gpxName} (${iso(gpxFirst)} to ${iso(gpxLast)}) does not overlap the HRM's recording, not even a whole number of hours apart; nothing was merged`);
  }
  const start = hrm.startTime + shiftMs;
  const merged = mergeSamples(hrm.samples, g, start, gpx.startTime);

  let warnings: Warning[] = hrm.warnings.filter((w) => !REBUILT_WARNINGS.has(w.code));
  let utcOffsetMinutes = hrm.utcOffsetMinutes;
  let utcOffsetSource = hrm.utcOffsetSource;
  if (shiftMs !== 0) {
    const hours = shiftMs / 3_600_000;
    utcOffsetMinutes = (hrm.utcOffsetMinutes ?? 0) - hours * 60;
    utcOffsetSource = 'file';
    warnings = warnings.filter((w) => !ZONE_WARNINGS.has(w.code));
    warnings.push({
      code: 'companion-time-shifted',
      message: `${gpxName}'s UTC times are ${Math.abs(hours)} h ${hours > 0 ? 'after' : 'before'} the HRM's start as read in its zone; the start was moved by ${hours > 0 ? '+' : ''}${hours} h to the GPS time (UTC offset ${offsetText(utcOffsetMinutes)})`,
      count: 1,
    });
  }
  if (merged.unplaced > 0 && merged.placed > 0) {
    warnings.push({ code: 'companion-position-gap', message: `HRM samples outside ${gpxName}'s track or in its gaps have no position`, count: merged.unplaced });
  }
  if (merged.placed === 0) warnings.push({ code: 'companion-no-position', message: `${gpxName} gave no position to any HRM sample`, count: 1 });
  if (merged.unused > 0) warnings.push({ code: 'companion-points-outside', message: `points of ${gpxName} outside the HRM's recording were not used`, count: merged.unused });

  const gpxSportKnown = gpx.sport !== 'other' && !gpx.warnings.some((w) => w.code === 'sport-unknown');
  const hrmSportWeak = hrm.warnings.some((w) => w.code === 'sport-unknown' || w.code === 'sport-inferred');
  const takeGpxSport = gpxSportKnown && hrmSportWeak;
  if (takeGpxSport) warnings = warnings.filter((w) => w.code !== 'sport-unknown' && w.code !== 'sport-inferred');

  const had = (channel: Channel): boolean => hrm.samples[channel] !== undefined;
  const keep = (summary: Summary): Summary => {
    const out: Summary = {};
    for (const key of Object.keys(summary) as (keyof Summary)[]) {
      const channel = SUMMARY_CHANNEL[key];
      if (had(channel) || (channel === 'temperatureCelsius' && !merged.samples.temperatureCelsius)) out[key] = summary[key];
    }
    return out;
  };
  const laps: LapDraft[] = hrm.laps.map((lap) => ({
    startTime: lap.startTime + shiftMs,
    elapsedSeconds: lap.elapsedSeconds,
    movingSeconds: lap.movingSeconds,
    distanceMeters: had('distanceMeters') ? lap.distanceMeters : undefined,
    energyKilocalories: lap.energyKilocalories,
    summary: keep(lap.summary),
    trigger: lap.trigger,
    lengths: lap.lengths,
    intensity: lap.intensity,
    notes: lap.notes,
  }));
  const workout = buildWorkout({
    format: hrm.source.format,
    fileName: hrm.source.fileName,
    sha256: hrm.source.sha256,
    index: hrm.source.index,
    count: hrm.source.count,
    group: hrm.source.group,
    sport: takeGpxSport ? gpx.sport : hrm.sport,
    sourceSport: takeGpxSport ? gpx.sourceSport : hrm.sourceSport,
    name: hrm.name ?? gpx.name,
    notes: hrm.notes ?? gpx.notes,
    startTime: start,
    utcOffsetMinutes,
    utcOffsetSource,
    elapsedSeconds: hrm.elapsedSeconds,
    movingSeconds: hrm.movingSeconds,
    distanceMeters: had('distanceMeters') ? hrm.distanceMeters : undefined,
    energyKilocalories: hrm.energyKilocalories,
    summary: keep(hrm.summary),
    laps,
    samples: merged.samples,
    pauses: hrm.pauses,
    device: hrm.device,
    warnings,
    extras: { ...hrm.extras, 'companion-gpx': gpxName },
  });
  return { ...workout, externalId: hrm.externalId };
}

/** The whole-hour shift of the HRM with the most overlap with the GPX, or undefined when none overlaps. */
function bestShift(hrm: Workout, hrmEndOffset: number, gpxFirst: number, gpxLast: number): number | undefined {
  const hrmFirst = hrm.startTime + (hrm.samples.offsetSeconds[0] ?? 0) * 1000;
  const hrmLast = hrm.startTime + hrmEndOffset * 1000;
  const tolerance = Math.max(1000, 0.005 * Math.min(hrmLast - hrmFirst, gpxLast - gpxFirst));
  let best: { shift: number; overlap: number; startDiff: number } | undefined;
  for (let k = -MAX_SHIFT_HOURS; k <= MAX_SHIFT_HOURS; k++) {
    const shift = k * 3_600_000;
    const offset = (hrm.utcOffsetMinutes ?? 0) - k * 60;
    if (k !== 0 && (offset < -12 * 60 || offset > 14 * 60)) continue; // no zone is that far from UTC
    const overlap = Math.min(hrmLast + shift, gpxLast) - Math.max(hrmFirst + shift, gpxFirst);
    if (overlap < 0 || (overlap === 0 && hrmLast > hrmFirst)) continue;
    const candidate = { shift, overlap, startDiff: Math.abs(hrmFirst + shift - gpxFirst) };
    if (!best || better(candidate, best, tolerance)) best = candidate;
  }
  return best?.shift;
}

function better(a: { shift: number; overlap: number; startDiff: number }, b: typeof a, tolerance: number): boolean {
  if (Math.abs(a.overlap - b.overlap) > tolerance) return a.overlap > b.overlap;
  if ((a.shift === 0) !== (b.shift === 0)) return a.shift === 0;
  if (a.startDiff !== b.startDiff) return a.startDiff < b.startDiff;
  return Math.abs(a.shift) < Math.abs(b.shift);
}

interface Merged {
  samples: Samples;
  /** HRM samples that got a position. */
  placed: number;
  /** HRM samples without one. */
  unplaced: number;
  /** GPX points outside the HRM's time. */
  unused: number;
}

/** The HRM's samples with the GPX's position and the channels the HRM lacks, on the HRM's times. */
function mergeSamples(h: Samples, g: Samples, hrmStart: number, gpxStart: number): Merged {
  const n = h.offsetSeconds.length;
  const m = g.offsetSeconds.length;
  const at = (j: number): number => gpxStart + (g.offsetSeconds[j] as number) * 1000;
  // For each HRM sample: the GPX point before it and the fraction of the way to the next (-1: none).
  const index = new Int32Array(n).fill(-1);
  const fraction = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const t = hrmStart + (h.offsetSeconds[i] as number) * 1000;
    while (j + 1 < m && at(j + 1) <= t) j++;
    const t0 = at(j);
    if (t < t0) {
      if (t0 - t <= EDGE_MS) index[i] = j;
    } else if (j + 1 >= m || t === t0) {
      if (t - t0 <= EDGE_MS) index[i] = j;
    } else {
      const t1 = at(j + 1);
      if (t1 - t0 <= MAX_GAP_MS) {
        index[i] = j;
        fraction[i] = (t - t0) / (t1 - t0);
      } else if (t - t0 <= EDGE_MS) index[i] = j;
      else if (t1 - t <= EDGE_MS) index[i] = j + 1;
    }
  }
  const interpolate = (column: readonly (number | undefined)[]): (number | undefined)[] => {
    const out = new Array<number | undefined>(n);
    for (let i = 0; i < n; i++) {
      const k = index[i] as number;
      if (k < 0) continue;
      const f = fraction[i] as number;
      const a = column[k];
      const b = f > 0 ? column[k + 1] : a;
      out[i] = a !== undefined && b !== undefined ? a + (b - a) * f : f <= 0.5 ? a : b;
    }
    return out;
  };
  const samples: Samples = { ...h };
  const gpxChannels = (Object.keys(g) as (keyof Samples)[]).filter((c): c is Channel => c !== 'offsetSeconds');
  for (const channel of gpxChannels) {
    const column = g[channel];
    if (!column) continue;
    const own = channel !== 'latitudeDegrees' && channel !== 'longitudeDegrees' && h[channel] !== undefined;
    if (own) continue;
    const values = interpolate(column);
    samples[channel] = channel === 'distanceMeters' ? rebase(values) : values;
  }
  let placed = 0;
  const lat = samples.latitudeDegrees;
  if (lat && g.latitudeDegrees) for (let i = 0; i < n; i++) if (lat[i] !== undefined) placed++;
  const hrmFirst = hrmStart + (h.offsetSeconds[0] ?? 0) * 1000;
  const hrmLast = hrmStart + (h.offsetSeconds[n - 1] ?? 0) * 1000;
  let unused = 0;
  for (let k = 0; k < m; k++) if (at(k) < hrmFirst - EDGE_MS || at(k) > hrmLast + EDGE_MS) unused++;
  return { samples, placed, unplaced: g.latitudeDegrees ? n - placed : 0, unused };
}

/** A cumulative distance taken from the middle of a track starts at 0 where it is first known. */
function rebase(values: (number | undefined)[]): (number | undefined)[] {
  const first = values.find((v) => v !== undefined);
  return first === undefined || first === 0 ? values : values.map((v) => (v === undefined ? undefined : Math.max(0, v - first)));
}

function withWarning(workout: Workout, code: string, message: string): Workout {
  return { ...workout, warnings: [...workout.warnings, { code, message, count: 1 }] };
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function offsetText(minutes: number | undefined): string {
  if (minutes === undefined) return 'unknown';
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}
