import { DEVICE_FIELDS, LAP_FIELDS, MAX_SAMPLES, WORKOUT_ANSWER_ONLY, WORKOUT_FIELDS, WORKOUT_ORDER, readRecord } from './fields.js';
import type { ReadRecord } from './fields.js';
import { fieldsXml, localTimeText } from './method-kit.js';
import type { MethodContext } from './method-kit.js';
import type { Problems } from './problems.js';
import { readSamples, samplesXml } from './samples.js';
import type { Fields } from './store.js';
import type { SampleRow, WorkoutRow } from './store-records.js';
import { xmlContainer } from './xml-write.js';
import type { XmlElement } from './xml-read.js';

/** A `<workout>` element read for create or update, and a stored workout written back as XML. */
export interface WorkoutInput {
  record: ReadRecord;
  /** Device fields sent (`null` = clear); `'clear'` for an empty `<device/>`; undefined when not sent. */
  device: Map<string, string | null> | 'clear' | undefined;
  /** The laps, when `<laps>` was sent (an empty `<laps/>` is no laps). */
  laps: Fields[] | undefined;
  /** The samples, when `<samples>` was sent (create only). */
  samples: SampleRow[] | undefined;
}

const DEVICE_PREFIX = 'device.';

function readLaps(element: XmlElement, problems: Problems, timeZone: string): Fields[] {
  const laps: Fields[] = [];
  if (element.text.trim() !== '') problems.invalid.push('<laps> must hold <lap> elements, not text.');
  element.children.forEach((child, index) => {
    const label = `lap ${index + 1}: `;
    if (child.name !== 'lap') {
      problems.invalid.push(`${label}<${child.name}> is not a <lap>.`);
      return;
    }
    const record = readRecord(child, LAP_FIELDS, problems, { owner: 'lap', timeZone, label });
    const lap: Fields = {};
    for (const [name, value] of record.values) if (value !== null) lap[name] = value;
    laps.push(lap);
  });
  return laps;
}

export function readWorkout(element: XmlElement, mode: 'create' | 'update', problems: Problems, context: MethodContext): WorkoutInput {
  const timeZone = context.account.timeZone;
  const record = readRecord(element, WORKOUT_FIELDS, problems, {
    owner: 'workout',
    timeZone,
    answerOnly: mode === 'create' ? WORKOUT_ANSWER_ONLY : WORKOUT_ANSWER_ONLY.filter((name) => name !== 'workout_id'),
    nested: mode === 'create' ? ['device', 'laps', 'samples'] : ['device', 'laps', 'samples', 'workout_id'],
  });
  const input: WorkoutInput = { record, device: undefined, laps: undefined, samples: undefined };
  const device = record.nested.get('device');
  if (device !== undefined) {
    if (device.children.length === 0 && device.text.trim() === '') input.device = 'clear';
    else input.device = readRecord(device, DEVICE_FIELDS, problems, { owner: 'device', timeZone, label: 'device: ' }).values;
  }
  const laps = record.nested.get('laps');
  if (laps !== undefined) input.laps = readLaps(laps, problems, timeZone);
  const samples = record.nested.get('samples');
  if (samples !== undefined) {
    if (mode === 'update') problems.invalid.push(`'samples' cannot be sent to workout.update; use workout.samples.add.`);
    else input.samples = readSamples(samples, problems);
  }
  return input;
}

/** The stored fields after applying the input to `base` (create: `{}`): sent values set, empty ones cleared. */
export function applyWorkout(base: Fields, input: WorkoutInput): Fields {
  const fields: Fields = { ...base };
  for (const [name, value] of input.record.values) {
    if (value === null) delete fields[name];
    else fields[name] = value;
  }
  if (input.device === 'clear') {
    for (const name of Object.keys(fields)) if (name.startsWith(DEVICE_PREFIX)) delete fields[name];
  } else if (input.device !== undefined) {
    for (const [name, value] of input.device) {
      if (value === null) delete fields[DEVICE_PREFIX + name];
      else fields[DEVICE_PREFIX + name] = value;
    }
  }
  return fields;
}

function deviceXml(fields: Fields): string {
  let inner = '';
  for (const name of DEVICE_FIELDS.keys()) {
    const value = fields[DEVICE_PREFIX + name];
    if (value !== undefined) inner += fieldsXml({ [name]: value }, [name]);
  }
  return inner === '' ? '' : xmlContainer('device', inner);
}

export interface WorkoutXmlOptions {
  laps: boolean;
  samples?: readonly SampleRow[];
}

/** `<workout>` with its fields in contract order; laps and samples when asked for. */
export function workoutXml(workout: WorkoutRow, context: MethodContext, options: WorkoutXmlOptions): string {
  const fields: Fields = { ...workout.fields, workout_id: String(workout.id), folder: workout.folder, updated: localTimeText(context, workout.updated) };
  let inner = '';
  for (const name of WORKOUT_ORDER) {
    if (name === 'device') inner += deviceXml(fields);
    else inner += fieldsXml(fields, [name]);
  }
  if (options.laps && workout.laps.length > 0) {
    inner += xmlContainer('laps', workout.laps.map((lap) => xmlContainer('lap', fieldsXml(lap, [...LAP_FIELDS.keys()]))).join(''));
  }
  if (options.samples !== undefined && options.samples.length > 0) inner += samplesXml(options.samples);
  return xmlContainer('workout', inner);
}

export const SAMPLE_LIMIT_MESSAGE = (total: number): string =>
  `a workout holds at most ${MAX_SAMPLES} samples; this request would make ${total}, so nothing was stored.`;
