/**
 * Polar HRM (Polar Precision Performance / ProTrainer text files, HRM 1.02 to 1.07) → one workout.
 *
 * - Detection: a `[Params]` section first and a `Version=`, `SMode=` or `Mode=` line right after.
 * - Structure (strict): `[Params]` with a real `Date=`, `StartTime=`, `Interval=` and a recording
 *   mode (`SMode=`/`Mode=`, see hrm-params.ts); samples in `[HRData]` (see hrm-samples.ts) or, for
 *   `Interval=204`, lap times only. A file with neither samples nor laps is `no-data`.
 * - Samples (lenient, hrm-samples.ts): heart rate, speed, cadence, altitude, power in our units
 *   whatever the unit bit says (0.1 mph, ft → m/s, m); R-R files give one heart rate per beat on
 *   the beats' own time base. Distance is the speed integrated over time (HRM has no distance
 *   column); without speed, the `[Trip]` distance (0.1 km or mi) is the workout's distance.
 * - Time: `Date` + `StartTime` are naive local wall-clock time, read in the `timeZone` option,
 *   else this machine's zone (resolveLocalStart), with `utcOffsetSource` `time-zone-option` or
 *   `machine-zone` and the zone or daylight-saving warning it gives. Elapsed time is `Length`
 *   (the samples may end up to one interval past it); longer samples win with a warning.
 * - Laps from `[IntTimes]` and `[IntNotes]` (hrm-laps.ts); `[Note]` is the workout's notes.
 * - `[Trip]`: ascent (when altitude is recorded) and odometer. Its average and maximum speeds are
 *   not used: real files write them in 1/128 or in 1/10 units depending on the monitor.
 * - Sport: HRM names none. `ExerciseType=`/`Sport=` in `[Params]` when a converter wrote one; else
 *   `cycling` when the mode says "HR + cycling data" (`sport-inferred` warning); else `other`
 *   (`sport-unknown`). A `.pdd` day file can name it (pdd.ts, `applyPddExercise`).
 * - Device: manufacturer Polar, the product from `Monitor=`. Extras: version, recording mode,
 *   the athlete's max/rest HR, VO2max, weight (as written: kg even in US-unit files), odometer
 *   (km), L/R balance and pedalling index averages.
 * - Bounds: at most `limits.maxSamples` samples and no section of more lines than that (plus
 *   10,000 for blank and junk lines): `too-large`; at most MAX_LAPS laps.
 */
import { buildWorkout, createWarnings, sportFromName } from '@optimo-import/workout';
import type { Samples, Sport, Summary, WarningCollector, Workout } from '@optimo-import/workout';
import { ParseError } from '../errors.js';
import { resolveLocalStart } from '../local-time.js';
import type { FormatParser, ParseContext } from '../types.js';
import { readLaps } from './hrm-laps.js';
import { MONITORS, readDate, readDuration, readInterval, readMode, readParams, readVersion } from './hrm-params.js';
import type { HrmVersion, Params, RecordingMode } from './hrm-params.js';
import { readSamples } from './hrm-samples.js';
import type { HrmSamples } from './hrm-samples.js';
import { decodePolarText, fieldsOf, intOf, readPolarSections } from './polar-text.js';
import type { PolarSection } from './polar-text.js';
import { sportFromPolarId } from './polar-sports.js';

/** The first bytes looked at by `detect`. */
const DETECT_BYTES = 1024;

/** Whether the bytes start like an HRM file: `[Params]`, then `Version=`/`SMode=`/`Mode=` within a few lines. */
export function isPolarHrm(input: Uint8Array): boolean {
  const n = Math.min(input.length, DETECT_BYTES);
  let head = '';
  for (let i = 0; i < n; i++) head += String.fromCharCode(input[i] as number);
  head = head.replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '').replace(/\r\n?/g, '\n').trimStart();
  if (!/^\[params\][ \t]*\n/i.test(head)) return false;
  const lines = head.split('\n', 12).slice(1);
  return lines.some((l) => /^\s*(version|smode|mode)\s*=\s*\d/i.test(l));
}

export const polarHrmParser: FormatParser = {
  format: 'polar-hrm',
  extensions: ['hrm'],
  detect: isPolarHrm,
  parse: (input, ctx) => [parsePolarHrm(input, ctx)],
};

function hrmError(code: ParseError['code'], message: string, ctx: ParseContext, line?: number): ParseError {
  return new ParseError({ code, message, format: 'polar-hrm', file: ctx.fileName, line });
}

/** Parses one HRM file into its workout; throws ParseError when no usable workout can be made. */
export function parsePolarHrm(input: Uint8Array, ctx: ParseContext): Workout {
  // Room for blank and junk lines beyond the samples; past it the file is too large, not read on.
  const maxLines = ctx.limits.maxSamples + 10_000;
  const { sections, repeated, overflow } = readPolarSections(decodePolarText(input), maxLines);
  if (overflow) {
    throw hrmError('too-large', `[${overflow.name}] has more than ${maxLines} lines (the maxSamples limit is ${ctx.limits.maxSamples})`, ctx, overflow.line);
  }
  const paramsSection = sections.get('Params');
  if (!paramsSection) throw hrmError('corrupt', 'the file has no [Params] section', ctx);
  const params = readParams(paramsSection);
  const warnings = createWarnings();
  for (const name of new Set(repeated)) warnings.add('section-repeated', `the [${name}] section occurs more than once; the first was read`, repeated.filter((r) => r === name).length);

  const modeResult = readMode(params.get('SMode'), params.get('Mode'));
  if ('problem' in modeResult) throw hrmError('corrupt', `[Params]: ${modeResult.problem}`, ctx, params.lineOf('SMode') ?? params.lineOf('Mode') ?? paramsSection.line);
  const mode = modeResult.mode;
  const version = versionOf(params, mode, warnings);

  const date = readDate(params.get('Date'));
  if (!date) throw hrmError('corrupt', `[Params] Date=${params.get('Date') ?? ''} is not a date (YYYYMMDD)`, ctx, params.lineOf('Date') ?? paramsSection.line);
  const startOfDay = readDuration(params.get('StartTime'), 23);
  if (startOfDay === undefined) throw hrmError('corrupt', `[Params] StartTime=${params.get('StartTime') ?? ''} is not a time of day (h:mm:ss.t)`, ctx, params.lineOf('StartTime') ?? paramsSection.line);
  const wallMs = Date.UTC(date[0], date[1] - 1, date[2]) + Math.round(startOfDay * 1000);
  if (wallMs < Date.UTC(1990, 0, 1)) throw hrmError('corrupt', `[Params] Date=${params.get('Date')} is before 1990, when no Polar monitor wrote HRM files`, ctx, params.lineOf('Date'));
  const interval = readInterval(params.get('Interval'));
  if (!interval) throw hrmError('corrupt', `[Params] Interval=${params.get('Interval') ?? ''} is not a recording interval (1 to 60 s, 238 for R-R, 204 for lap times only)`, ctx, params.lineOf('Interval') ?? paramsSection.line);

  const start = resolveLocalStart(wallMs, ctx.timeZone);
  if (start.warning) warnings.add(start.warning.code, start.warning.message);

  const hrData = sections.get('HRData');
  let samples: HrmSamples | undefined;
  if (interval.kind === 'laps-only') {
    const lines = hrData?.lines.filter((l) => l.trim() !== '').length ?? 0;
    warnings.add('samples-ignored', 'Interval=204 means lap times only; the lines of [HRData] were not read', lines);
  } else if (hrData) {
    const timing = interval.kind === 'rr' ? { kind: 'rr' as const, startDelaySeconds: Math.max(0, intOf(params.get('StartDelay')) ?? 0) / 1000 } : interval;
    samples = readSamples(hrData.lines, {
      columns: mode.columns,
      us: mode.us,
      version,
      timing,
      maxSamples: ctx.limits.maxSamples,
      tooMany: () => {
        throw hrmError('too-large', `[HRData] holds more than ${ctx.limits.maxSamples} samples (the maxSamples limit)`, ctx, hrData.line);
      },
    });
    addSampleWarnings(samples, mode, warnings);
  }

  const lengthSeconds = readDuration(params.get('Length'));
  if (params.get('Length') !== undefined && lengthSeconds === undefined) warnings.add('length-unreadable', `[Params] Length=${params.get('Length')} is not a duration; the samples give the elapsed time`);
  const n = samples?.offsets.length ?? 0;
  const lastOffset = n > 0 ? (samples?.offsets[n - 1] as number) : 0;
  const step = interval.kind === 'seconds' ? interval.seconds : 1;
  let elapsedSeconds = lengthSeconds !== undefined && lengthSeconds > 0 ? lengthSeconds : undefined;
  if (elapsedSeconds !== undefined && lastOffset > elapsedSeconds + step) {
    warnings.add('length-shorter-than-samples', `[Params] Length=${params.get('Length')} ends before the samples do; the samples give the elapsed time`);
    elapsedSeconds = lastOffset;
  }

  const laps = readLaps(sections.get('IntTimes'), sections.get('IntNotes'), {
    version,
    us: mode.us,
    startMs: start.utcMs,
    lengthSeconds: elapsedSeconds ?? (n > 0 ? lastOffset : undefined),
    altitude: mode.columns.includes('altitude'),
  });
  if (laps.problem) warnings.add('laps-unreadable', `${laps.problem}; the workout is imported without laps`);
  if (laps.orphanNotes > 0) warnings.add('lap-note-without-lap', '[IntNotes] names laps the file does not have; those notes were left out', laps.orphanNotes);
  if (laps.inconsistent > 0) warnings.add('lap-values-inconsistent', 'lap heart rates in [IntTimes] contradict each other (minimum above average or average above maximum); those laps take theirs from the samples', laps.inconsistent);
  if (n === 0 && laps.laps.length === 0) {
    throw hrmError('no-data', hrData || interval.kind === 'laps-only' ? 'the file holds no readable samples in [HRData] and no lap times' : 'the file has no [HRData] section and no lap times', ctx);
  }

  const trip = readTrip(sections.get('Trip'), version, mode.us);
  const summary: Summary = {};
  if (trip.ascentMeters !== undefined && mode.columns.includes('altitude')) summary.ascentMeters = trip.ascentMeters;
  const sport = sportOf(params, mode, warnings);

  return buildWorkout({
    format: 'polar-hrm',
    fileName: ctx.fileName,
    sha256: ctx.sha256,
    index: 0,
    count: 1,
    sport: sport.sport,
    sourceSport: { sport: sport.name },
    notes: noteOf(sections.get('Note')),
    startTime: start.utcMs,
    utcOffsetMinutes: start.offsetMinutes,
    utcOffsetSource: start.zoneSource === 'configured' ? 'time-zone-option' : 'machine-zone',
    elapsedSeconds,
    distanceMeters: samples?.distance ? undefined : trip.distanceMeters,
    summary,
    laps: laps.laps,
    samples: samples ? toSamples(samples) : undefined,
    device: deviceOf(params),
    warnings,
    extras: extrasOf(params, mode, version, samples, trip, interval.kind === 'rr'),
  });
}

function versionOf(params: Params, mode: RecordingMode, warnings: WarningCollector): HrmVersion {
  const version = readVersion(params.get('Version'));
  if (version !== undefined) return version;
  const guess: HrmVersion = mode.text.startsWith('SMode') && mode.text.length > 9 ? 106 : 105;
  warnings.add('version-unknown', `[Params] Version=${params.get('Version') ?? '(none)'} is not one of 102, 105, 106, 107; read as ${guess} by its recording mode`);
  return guess;
}

function addSampleWarnings(samples: HrmSamples, mode: RecordingMode, warnings: WarningCollector): void {
  const c = samples.counts;
  warnings.add('sample-unreadable', '[HRData] lines with a field that is not a number were kept as gaps', c.unreadable);
  warnings.add('trailing-garbage', 'unreadable lines at the end of [HRData] were dropped', c.trailingGarbage);
  warnings.add('sample-short', `[HRData] lines with fewer fields than ${mode.text} gives (heart rate + ${mode.columns.length}) kept the fields they have`, c.short);
  warnings.add('sample-extra-fields', `[HRData] lines with more fields than ${mode.text} gives; the extra fields were ignored`, c.extra);
  warnings.add('rr-invalid', 'R-R values of 0, negative or over 6 s are no beat; those lines were skipped', c.rrInvalid);
  warnings.add('rr-artifact', 'R-R values giving a heart rate outside 20..250 bpm kept their time but no heart rate', c.rrArtifact);
}

function toSamples(s: HrmSamples): Samples {
  const samples: Samples = { offsetSeconds: s.offsets, heartRateBpm: s.heartRate };
  if (s.speed) samples.speedMetersPerSecond = s.speed;
  if (s.cadence) samples.cadencePerMinute = s.cadence;
  if (s.altitude) samples.altitudeMeters = s.altitude;
  if (s.power) samples.powerWatts = s.power;
  if (s.distance) samples.distanceMeters = s.distance;
  return samples;
}

interface Trip {
  distanceMeters?: number;
  ascentMeters?: number;
  odometerKm?: number;
}

const MILE = 1609.344;
const FOOT = 0.3048;

/**
 * `[Trip]`, one value per line:
 *
 * | line | value               | unit                                   |
 * | ---- | ------------------- | -------------------------------------- |
 * | 1    | distance            | 0.1 km or 0.1 mi                       |
 * | 2    | ascent              | m or ft (HRM 1.02: 10 m or 10 ft)      |
 * | 3    | total time          | s                                      |
 * | 4, 5 | avg, max altitude   | m or ft (1.02: ×10)                    |
 * | 6, 7 | avg, max speed      | 1/128 or 1/10 km/h or mph (by monitor) |
 * | 8    | odometer            | km or mi                               |
 */
function readTrip(section: PolarSection | undefined, version: HrmVersion, us: boolean): Trip {
  if (!section) return {};
  const values = section.lines.map((l) => intOf(fieldsOf(l)[0])).filter((v) => v !== undefined);
  const trip: Trip = {};
  const [distance, ascent] = values;
  const odometer = values[7];
  if (distance !== undefined && distance > 0) trip.distanceMeters = us ? (distance * MILE) / 10 : distance * 100;
  if (ascent !== undefined && ascent > 0) trip.ascentMeters = (version === 102 ? ascent * 10 : ascent) * (us ? FOOT : 1);
  if (odometer !== undefined && odometer > 0) trip.odometerKm = us ? Math.round(odometer * MILE) / 1000 : odometer;
  return trip;
}

function noteOf(section: PolarSection | undefined): string | undefined {
  const text = section?.lines.map((l) => l.trimEnd()).join('\n').trim();
  return text ? text : undefined;
}

function sportOf(params: Params, mode: RecordingMode, warnings: WarningCollector): { sport: Sport; name?: string } {
  const name = params.get('ExerciseType') ?? params.get('Sport');
  if (name) {
    const sport = /^\d+$/.test(name) ? sportFromPolarId(Number(name)) : sportFromName(name);
    if (sport) return { sport, name };
  }
  if (mode.cycling) {
    warnings.add('sport-inferred', `the file names no sport; its recording mode (${mode.text}) says "HR + cycling data", so imported as cycling`);
    return { sport: 'cycling', name };
  }
  warnings.add('sport-unknown', name ? `sport "${name}" is not one we know; imported as other` : 'the file names no sport (HRM files do not); imported as other');
  return { sport: 'other', name };
}

function deviceOf(params: Params): Workout['device'] {
  const monitor = intOf(params.get('Monitor'));
  if (monitor === undefined) return { manufacturer: 'Polar' };
  return { manufacturer: 'Polar', product: MONITORS.get(monitor) ?? `monitor ${monitor}` };
}

function extrasOf(params: Params, mode: RecordingMode, version: HrmVersion, samples: HrmSamples | undefined, trip: Trip, rr: boolean): Record<string, string | number | boolean> {
  const extras: Record<string, string | number | boolean> = { 'hrm-version': version, 'recording-mode': mode.text };
  if (rr) extras['rr-recording'] = true;
  const positive = (key: string): number | undefined => {
    const v = intOf(params.get(key));
    return v !== undefined && v > 0 ? v : undefined;
  };
  const maxHr = positive('MaxHR');
  const restHr = positive('RestHR');
  const vo2max = positive('VO2max');
  const weight = positive('Weight');
  if (maxHr !== undefined) extras['max-heart-rate-bpm'] = maxHr;
  if (restHr !== undefined) extras['resting-heart-rate-bpm'] = restHr;
  if (vo2max !== undefined) extras.vo2max = vo2max;
  // Weight is kg whatever the unit bit: the US-unit files we have hold 73 and 83 (adults, not 33 and 38 kg).
  if (weight !== undefined) extras['weight-kg'] = weight;
  if (trip.odometerKm !== undefined) extras['odometer-km'] = trip.odometerKm;
  if (samples?.balance?.leftPercentAvg !== undefined) extras['power-balance-left-percent'] = samples.balance.leftPercentAvg;
  if (samples?.balance?.pedallingIndexAvg !== undefined) extras['pedalling-index-percent'] = samples.balance.pedallingIndexAvg;
  return extras;
}
