/**
 * Cuts a workout into the fewest requests whose bodies fit `maxBodyBytes`: `workout.create`
 * with the first samples, then `workout.samples.add` chunks in order. Greedy filling is optimal
 * here: every request takes the longest run of samples that still fits, and no later cut can
 * make up for a shorter one.
 */
import type { Warning, Workout } from '@optimo-import/workout';
import { createWarnings } from '@optimo-import/workout';
import { MappingError } from './errors.js';
import type { ApiId, WorkoutRequestOptions } from './options.js';
import { MAX_SAMPLES_PER_WORKOUT, resolveId, resolveWorkoutOptions } from './options.js';
import type { SampleRange } from './workout-requests.js';
import { ADD_OVERHEAD_BYTES, CREATE_HEAD, CREATE_TAIL, SAMPLES_CLOSE, SAMPLES_OPEN, checkBodySize, createBody, samplesAddBody } from './workout-requests.js';
import { SAMPLE_CHANNELS, prepareSamples, reportWarnings, workoutFieldsXml } from './workout-xml.js';
import { utf8Length } from './xml-write.js';

/** Bytes kept free for the workout id in a planned `workout.samples.add` (ids are short numbers). */
export const WORKOUT_ID_RESERVE_BYTES = 32;

export interface UploadChunk extends SampleRange {
  /** Samples sent by this request (skipped ones excluded). */
  sampleCount: number;
  /** The `workout.samples.add` body for the id `workout.create` answered. */
  build(workoutId: ApiId): string;
}

export interface WorkoutUploadPlan {
  /** The `workout.create` body, with the samples of `createRange`. */
  create: string;
  createRange: SampleRange;
  /** Samples sent by the create. */
  createSampleCount: number;
  /** In order; together with `createRange` they cover every sample index exactly once. */
  chunks: UploadChunk[];
  /** 1 + chunks. */
  requestCount: number;
  /** Samples sent in all: what `<sample_count>` reads after the last chunk. */
  sampleCount: number;
  /** Values left out and samples skipped while mapping (the workout's own warnings are not repeated). */
  warnings: Warning[];
}

interface Cut {
  createRange: SampleRange;
  createSampleCount: number;
  chunks: { range: SampleRange; sampleCount: number }[];
}

function cutSamples(xml: readonly string[], createBaseBytes: number, maxBodyBytes: number, method: string, externalId: string | undefined): Cut {
  const n = xml.length;
  const wrapper = SAMPLES_OPEN.length + SAMPLES_CLOSE.length;
  const tooLarge = (message: string): MappingError => new MappingError({ code: 'body-too-large', method, externalId, message });
  if (createBaseBytes > maxBodyBytes) throw tooLarge(`the workout without samples is ${createBaseBytes} bytes, over maxBodyBytes ${maxBodyBytes}`);
  let i = 0;
  let size = createBaseBytes + wrapper;
  let count = 0;
  while (i < n) {
    const bytes = (xml[i] as string).length; // samples are ASCII
    if (size + bytes > maxBodyBytes) break;
    size += bytes;
    if (bytes > 0) count++;
    i++;
  }
  const cut: Cut = { createRange: { fromIndex: 0, toIndex: i }, createSampleCount: count, chunks: [] };
  const addBase = ADD_OVERHEAD_BYTES + WORKOUT_ID_RESERVE_BYTES;
  while (i < n) {
    const from = i;
    size = addBase;
    count = 0;
    while (i < n) {
      const bytes = (xml[i] as string).length;
      if (size + bytes > maxBodyBytes) break;
      size += bytes;
      if (bytes > 0) count++;
      i++;
    }
    if (i === from) throw tooLarge(`sample ${from} alone does not fit a workout.samples.add body of ${maxBodyBytes} bytes`);
    cut.chunks.push({ range: { fromIndex: from, toIndex: i }, sampleCount: count });
  }
  return cut;
}

/**
 * The requests that upload a workout: a `workout.create` body, built now, and the
 * `workout.samples.add` chunks, built once the create has answered with the workout id.
 * Every body is at most `maxBodyBytes` (UTF-8) given an id of up to 32 bytes; `build` throws
 * `body-too-large` for a longer id that would pass the cap.
 */
export function planWorkoutUpload(workout: Workout, options: WorkoutRequestOptions): WorkoutUploadPlan {
  const method = 'workout.create';
  const resolved = resolveWorkoutOptions(options);
  const warnings = createWarnings();
  const fields = workoutFieldsXml(workout, resolved, warnings, method);
  const samples = prepareSamples(workout, warnings, method);
  const baseBytes = utf8Length(CREATE_HEAD) + utf8Length(fields) + utf8Length(CREATE_TAIL);
  const cut = cutSamples(samples.xml, baseBytes, resolved.maxBodyBytes, method, workout.externalId);
  const create = createBody(fields, samples, cut.createRange).body;
  const chunks: UploadChunk[] = cut.chunks.map(({ range, sampleCount }) => ({
    fromIndex: range.fromIndex,
    toIndex: range.toIndex,
    sampleCount,
    build: (workoutId: ApiId): string =>
      checkBodySize(samplesAddBody(resolveId(workoutId, 'workoutId'), samples, range), resolved.maxBodyBytes, 'workout.samples.add', workout.externalId),
  }));
  return {
    create,
    createRange: cut.createRange,
    createSampleCount: cut.createSampleCount,
    chunks,
    requestCount: 1 + chunks.length,
    sampleCount: samples.sentCount,
    warnings: reportWarnings(warnings, resolved.onWarning),
  };
}

/** Characters a formatted value can take at most, given the largest magnitude in its column. */
function maxFormattedLength(maxAbs: number, decimals: number, negative: boolean): number {
  const integerDigits = maxAbs < 1 ? 1 : Math.floor(Math.log10(maxAbs)) + 2; // +1 for a carry when rounding up
  return (negative ? 1 : 0) + integerDigits + (decimals > 0 ? 1 + decimals : 0);
}

/** An upper bound of the create body with every sample, from column magnitudes only (no formatting). */
function createBytesBound(workout: Workout, fieldsBytes: number): number {
  const samples = workout.samples;
  const offsets = samples?.offsetSeconds ?? [];
  let maxOffset = 0;
  for (const offset of offsets) {
    if (offset > maxOffset) maxOffset = offset; // NaN and negatives are skipped samples
  }
  if (!(maxOffset < 1e12)) return Infinity;
  // + 1 s: the start's milliseconds are added to every offset.
  let perSample = '<sample><offset></offset></sample>'.length + maxFormattedLength(maxOffset + 1, 3, false);
  for (const [element, channel, decimals] of SAMPLE_CHANNELS) {
    const column = samples?.[channel];
    if (!column) continue;
    let maxAbs = 0;
    let negative = false;
    for (const value of column) {
      if (value === undefined) continue;
      const abs = Math.abs(value);
      if (!(abs < 1e15)) return Infinity; // not finite or huge: measure for real
      if (abs > maxAbs) maxAbs = abs;
      if (value < 0) negative = true;
    }
    perSample += 2 * element.length + 5 + maxFormattedLength(maxAbs, decimals, negative);
  }
  return fieldsBytes + SAMPLES_OPEN.length + SAMPLES_CLOSE.length + perSample * offsets.length;
}

/**
 * How many requests `planWorkoutUpload` will make, without building bodies when a bound on
 * the size shows the workout fits one request; otherwise the samples are formatted (not
 * joined) and cut exactly as the plan cuts them. Throws what the plan throws.
 */
export function countWorkoutRequests(workout: Workout, options: WorkoutRequestOptions): number {
  const method = 'workout.create';
  const resolved = resolveWorkoutOptions({ ...options, onWarning: undefined });
  const warnings = createWarnings();
  const fields = workoutFieldsXml(workout, resolved, warnings, method);
  const baseBytes = utf8Length(CREATE_HEAD) + utf8Length(fields) + utf8Length(CREATE_TAIL);
  const offsets = workout.samples?.offsetSeconds ?? [];
  if (offsets.length <= MAX_SAMPLES_PER_WORKOUT && createBytesBound(workout, baseBytes) <= resolved.maxBodyBytes) return 1;
  const samples = prepareSamples(workout, warnings, method);
  return 1 + cutSamples(samples.xml, baseBytes, resolved.maxBodyBytes, method, workout.externalId).chunks.length;
}
