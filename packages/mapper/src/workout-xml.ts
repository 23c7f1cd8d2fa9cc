/**
 * A Workout as the contract's `<workout>` element: the fields as tables (element, model field,
 * decimals), laps, device, and the samples as one string per sample so that a body can be
 * measured and cut without being built twice.
 */
import type { Channel, Lap, Samples, Sport, Summary, Warning, WarningCollector, Workout } from '@optimo-import/workout';
import { SPORTS, sportFromName } from '@optimo-import/workout';
import { MappingError } from './errors.js';
import { MAX_EXTERNAL_ID_LENGTH, MAX_SAMPLES_PER_WORKOUT, codePointLength } from './options.js';
import type { ResolvedWorkoutRequestOptions } from './options.js';
import { MAX_EPOCH_MS, MIN_EPOCH_MS, formatLocalDateTime } from '@optimo-import/workout';
import { booleanElement, escapeXml, formatNumber, hasForbiddenCharacters, removeForbiddenCharacters } from './xml-write.js';

/** Decimals by kind of value (the README's precision table). */
export const DECIMALS = {
  coordinate: 7,
  speed: 3,
  distance: 2,
  altitude: 2,
  climb: 1,
  heartRate: 1,
  cadence: 1,
  power: 1,
  temperature: 1,
  seconds: 3,
  energy: 0,
  weight: 2,
  vo2max: 1,
  percent: 0,
} as const;

/** `[element, summary field, decimals]` of a workout, in the contract's order. */
export const WORKOUT_SUMMARY_FIELDS: ReadonlyArray<readonly [string, keyof Summary, number]> = [
  ['avg_heart_rate', 'heartRateAvgBpm', DECIMALS.heartRate],
  ['max_heart_rate', 'heartRateMaxBpm', DECIMALS.heartRate],
  ['min_heart_rate', 'heartRateMinBpm', DECIMALS.heartRate],
  ['avg_speed', 'speedAvgMetersPerSecond', DECIMALS.speed],
  ['max_speed', 'speedMaxMetersPerSecond', DECIMALS.speed],
  ['avg_cadence', 'cadenceAvgPerMinute', DECIMALS.cadence],
  ['max_cadence', 'cadenceMaxPerMinute', DECIMALS.cadence],
  ['avg_power', 'powerAvgWatts', DECIMALS.power],
  ['max_power', 'powerMaxWatts', DECIMALS.power],
  ['ascent', 'ascentMeters', DECIMALS.climb],
  ['descent', 'descentMeters', DECIMALS.climb],
  ['avg_temperature', 'temperatureAvgCelsius', DECIMALS.temperature],
];

const LAP_SUMMARY_ELEMENTS = new Set(['avg_heart_rate', 'max_heart_rate', 'avg_speed', 'max_speed', 'avg_cadence', 'avg_power', 'max_power', 'ascent', 'descent']);
/** `[element, summary field, decimals]` of a lap, in the contract's order. */
export const LAP_SUMMARY_FIELDS = WORKOUT_SUMMARY_FIELDS.filter(([element]) => LAP_SUMMARY_ELEMENTS.has(element));

/** `[element, channel, decimals]` of a sample, in the contract's order. */
export const SAMPLE_CHANNELS: ReadonlyArray<readonly [string, Channel, number]> = [
  ['heart_rate', 'heartRateBpm', DECIMALS.heartRate],
  ['speed', 'speedMetersPerSecond', DECIMALS.speed],
  ['cadence', 'cadencePerMinute', DECIMALS.cadence],
  ['power', 'powerWatts', DECIMALS.power],
  ['altitude', 'altitudeMeters', DECIMALS.altitude],
  ['lat', 'latitudeDegrees', DECIMALS.coordinate],
  ['lon', 'longitudeDegrees', DECIMALS.coordinate],
  ['distance', 'distanceMeters', DECIMALS.distance],
  ['temperature', 'temperatureCelsius', DECIMALS.temperature],
];

/** The only elements that may be negative (../shared/optimo-api.md 2.5). */
export const MAY_BE_NEGATIVE = new Set(['lat', 'lon', 'altitude', 'temperature', 'avg_temperature']);

/** `lap.trigger` values of the contract. */
const LAP_TRIGGERS = new Set<string>(['manual', 'distance', 'time', 'position', 'session_end', 'auto']);

/** FIT's "no sub-sport" value; not worth sending. */
const NO_SUB_SPORT = new Set(['generic', 'all', 'invalid']);

/** Formats a value for an element: undefined (left out, with a warning) when it cannot be sent. */
export function numberText(element: string, value: number | undefined, decimals: number, warnings: WarningCollector): string | undefined {
  if (value === undefined) return undefined;
  const text = formatNumber(value, decimals);
  if (text === undefined || (text.charCodeAt(0) === 45 /* - */ && !MAY_BE_NEGATIVE.has(element))) {
    warnings.add('value-left-out', `a value the API cannot take (not finite, or negative where only lat, lon, altitude and temperature may be) was left out`);
    return undefined;
  }
  return text;
}

export function numberField(element: string, value: number | undefined, decimals: number, warnings: WarningCollector): string {
  const text = numberText(element, value, decimals, warnings);
  return text === undefined ? '' : `<${element}>${text}</${element}>`;
}

/** Trimmed text for an element, forbidden characters removed; '' (left out) when blank. */
export function textField(element: string, value: string | undefined, warnings: WarningCollector): string {
  if (value === undefined) return '';
  if (hasForbiddenCharacters(value)) warnings.add('control-characters-removed', 'characters XML 1.0 cannot carry were removed from text');
  const text = removeForbiddenCharacters(value).trim();
  return text === '' ? '' : `<${element}>${escapeXml(text)}</${element}>`;
}

export function summaryFields(summary: Summary, fields: ReadonlyArray<readonly [string, keyof Summary, number]>, warnings: WarningCollector): string {
  let xml = '';
  for (const [element, key, decimals] of fields) xml += numberField(element, summary[key], decimals, warnings);
  return xml;
}

/** The sport to send: the model's, else what its names map to, else `other` with a warning. */
export function sportOf(workout: Workout, warnings: WarningCollector): Sport {
  const sport: string = workout.sport;
  if ((SPORTS as readonly string[]).includes(sport)) return sport as Sport;
  const mapped = sportFromName(sport) ?? sportFromName(workout.sourceSport?.sport) ?? sportFromName(workout.sourceSport?.subSport);
  if (mapped) return mapped;
  warnings.add('sport-unmapped', `sport ${JSON.stringify(sport)} maps to no Optimo sport; sent as other`);
  return 'other';
}

/** A start time as local wall-clock text, or the MappingError that says why not. */
export function localTimeText(epochMs: number | undefined, timeZone: string, method: string, field: string, externalId?: string): string {
  if (typeof epochMs !== 'number' || !Number.isFinite(epochMs)) {
    throw new MappingError({ code: 'no-start-time', method, field, externalId, message: `no usable start time (${String(epochMs)})` });
  }
  // A day of margin on each side keeps the local year within 0001-9999 in every zone.
  if (epochMs < MIN_EPOCH_MS + 86_400_000 || epochMs > MAX_EPOCH_MS - 86_400_000) {
    throw new MappingError({ code: 'no-start-time', method, field, externalId, message: `start time ${epochMs} is outside the years 0001-9999` });
  }
  return formatLocalDateTime(epochMs, timeZone);
}

export function lapXml(lap: Lap, timeZone: string, warnings: WarningCollector, method: string, externalId?: string): string {
  let xml = `<start_time>${localTimeText(lap.startTime, timeZone, method, 'laps/lap/start_time', externalId)}</start_time>`;
  xml += numberField('duration', lap.elapsedSeconds, DECIMALS.seconds, warnings);
  xml += numberField('moving_time', lap.movingSeconds, DECIMALS.seconds, warnings);
  xml += numberField('distance', lap.distanceMeters, DECIMALS.distance, warnings);
  xml += numberField('calories', lap.energyKilocalories, DECIMALS.energy, warnings);
  xml += summaryFields(lap.summary ?? {}, LAP_SUMMARY_FIELDS, warnings);
  if (lap.trigger !== undefined) {
    if (LAP_TRIGGERS.has(lap.trigger)) xml += `<trigger>${lap.trigger}</trigger>`;
    else warnings.add('value-left-out', 'a lap trigger the contract does not know was left out');
  }
  return `<lap>${xml}</lap>`;
}

export function deviceXml(device: Workout['device'] | undefined, warnings: WarningCollector): string {
  if (!device) return '';
  const inner =
    textField('manufacturer', device.manufacturer, warnings) +
    textField('product', device.product, warnings) +
    textField('serial', device.serial, warnings) +
    textField('software', device.software, warnings);
  return inner === '' ? '' : `<device>${inner}</device>`;
}

/** The external id to send: the option, else the workout's; checked against the contract. */
export function externalIdOfWorkout(workout: Workout, options: ResolvedWorkoutRequestOptions, method: string): string | undefined {
  const id = options.externalId ?? workout.externalId?.trim();
  if (id === undefined || id === '') return undefined;
  if (codePointLength(id) > MAX_EXTERNAL_ID_LENGTH || hasForbiddenCharacters(id)) {
    throw new MappingError({ code: 'invalid-value', method, field: 'external_id', message: `external id ${JSON.stringify(id.slice(0, 40))}… is longer than ${MAX_EXTERNAL_ID_LENGTH} characters or holds control characters` });
  }
  return id;
}

/** Everything inside `<workout>` before `<samples>`: the fields, device, source format and laps. */
export function workoutFieldsXml(workout: Workout, options: ResolvedWorkoutRequestOptions, warnings: WarningCollector, method: string): string {
  const externalId = externalIdOfWorkout(workout, options, method);
  const startTime = localTimeText(workout.startTime, options.timeZone, method, 'start_time', externalId);
  if (typeof workout.elapsedSeconds !== 'number' || !Number.isFinite(workout.elapsedSeconds) || workout.elapsedSeconds < 0) {
    throw new MappingError({ code: 'no-duration', method, field: 'duration', externalId, message: `no usable elapsed time (${String(workout.elapsedSeconds)})` });
  }
  const subSport = workout.sourceSport?.subSport?.trim();
  let xml = `<athlete_id>${escapeXml(options.athleteId)}</athlete_id>`;
  if (externalId !== undefined) xml += `<external_id>${escapeXml(externalId)}</external_id>`;
  xml += `<sport>${sportOf(workout, warnings)}</sport>`;
  if (subSport && !NO_SUB_SPORT.has(subSport.toLowerCase())) xml += textField('sub_sport', subSport, warnings);
  xml += textField('name', options.name ?? workout.name, warnings);
  xml += textField('notes', options.notes ?? workout.notes, warnings);
  xml += `<start_time>${startTime}</start_time>`;
  xml += numberField('duration', workout.elapsedSeconds, DECIMALS.seconds, warnings);
  xml += numberField('moving_time', workout.movingSeconds, DECIMALS.seconds, warnings);
  xml += numberField('distance', workout.distanceMeters, DECIMALS.distance, warnings);
  xml += numberField('calories', workout.energyKilocalories, DECIMALS.energy, warnings);
  xml += summaryFields(workout.summary ?? {}, WORKOUT_SUMMARY_FIELDS, warnings);
  xml += booleanElement('private', options.private);
  xml += deviceXml(workout.device, warnings);
  if (workout.source?.format) xml += `<source_format>${escapeXml(workout.source.format)}</source_format>`;
  if (workout.laps && workout.laps.length > 0) {
    xml += '<laps>';
    for (const lap of workout.laps) xml += lapXml(lap, options.timeZone, warnings, method, externalId);
    xml += '</laps>';
  }
  return xml;
}

/** The samples of a workout as one string per sample ('' for a sample that cannot be sent). */
export interface PreparedSamples {
  /** `samples.offsetSeconds.length`: indexes of ranges and chunks are the model's. */
  length: number;
  /** `<sample>…</sample>` per index; '' when the sample is skipped (see warnings). */
  xml: string[];
  /** Samples that will be sent (non-empty strings). */
  sentCount: number;
}

/**
 * One string per sample. Offsets are counted from `start_time` as sent, i.e. from the start
 * floored to the whole second: the start's milliseconds are added to every offset, so each
 * sample keeps its instant. An offset that is not finite, negative, or not above the previous
 * one after rounding to 3 decimals skips its sample (`sample-skipped`). A channel value that
 * cannot be sent is left out (`value-left-out`); a sample keeps its offset even when it has no
 * value at all, so the stored sample count matches the model's.
 */
export function prepareSamples(workout: Workout, warnings: WarningCollector, method: string): PreparedSamples {
  const samples: Samples = workout.samples ?? { offsetSeconds: [] };
  const offsets = samples.offsetSeconds ?? [];
  const length = offsets.length;
  const startMs = Number.isFinite(workout.startTime) ? workout.startTime : 0;
  const shiftMs = startMs - Math.floor(startMs / 1000) * 1000;
  const channels: { open: string; close: string; element: string; column: (number | undefined)[]; decimals: number }[] = [];
  for (const [element, channel, decimals] of SAMPLE_CHANNELS) {
    const column = samples[channel];
    if (column) channels.push({ open: `<${element}>`, close: `</${element}>`, element, column, decimals });
  }
  // First pass: which samples are sent (cheap), so that a workout over the limit fails before any formatting.
  const offsetsMs = new Float64Array(length);
  let previousMs = -1;
  let sentCount = 0;
  for (let i = 0; i < length; i++) {
    const offsetMs = Math.round((offsets[i] as number) * 1000) + shiftMs;
    if (!Number.isFinite(offsetMs) || offsetMs < 0 || offsetMs <= previousMs) {
      offsetsMs[i] = -1;
      continue;
    }
    offsetsMs[i] = offsetMs;
    previousMs = offsetMs;
    sentCount++;
  }
  if (sentCount < length) warnings.add('sample-skipped', 'samples whose offset is not finite, negative, or not after the previous one (to the millisecond) were not sent', length - sentCount);
  if (sentCount > MAX_SAMPLES_PER_WORKOUT) {
    throw new MappingError({
      code: 'too-many-samples',
      method,
      field: 'samples',
      externalId: workout.externalId,
      message: `${sentCount} samples; a workout holds at most ${MAX_SAMPLES_PER_WORKOUT}`,
    });
  }
  const xml = new Array<string>(length);
  for (let i = 0; i < length; i++) {
    const offsetMs = offsetsMs[i] as number;
    if (offsetMs < 0) {
      xml[i] = '';
      continue;
    }
    let text = `<sample><offset>${formatNumber(offsetMs / 1000, 3) as string}</offset>`;
    for (const channel of channels) {
      const value = channel.column[i];
      if (value === undefined) continue;
      const formatted = numberText(channel.element, value, channel.decimals, warnings);
      if (formatted !== undefined) text += channel.open + formatted + channel.close;
    }
    xml[i] = `${text}</sample>`;
  }
  return { length, xml, sentCount };
}

/** Passes the collected warnings on, one call per code. */
export function reportWarnings(warnings: WarningCollector, onWarning: ((warning: Warning) => void) | undefined): Warning[] {
  const list = warnings.list();
  if (onWarning) for (const warning of list) onWarning(warning);
  return list;
}
