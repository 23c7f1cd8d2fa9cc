/**
 * Polar account-data sample streams onto one time base. Each stream (`heartRate`, `speed`,
 * `recordedRoute`…) is its own array of `{dateTime, …}` with its own times; they are aligned by
 * time, never by index:
 *
 * 1. every sample's time is read relative to the exercise start (same wall clock, or UTC when
 *    the text states an offset); a sample without a usable time is skipped and counted;
 * 2. a stream whose times all lie outside the exercise (a real export's route runs 80 minutes
 *    after its heart rate) was recorded on another clock: it is moved to start with the
 *    exercise (`stream-time-shifted`);
 * 3. times are rounded to the sampling grid — 1 s when every stream samples at 1 s or slower,
 *    else 0.1 s — so a route at x.801 s and heart rate at x.000 s share rows; a second sample
 *    of one stream in the same grid slot is dropped (`samples-merged`);
 * 4. the rows are the union of all slots; a stream without a sample in a row has a gap there.
 */
import { MIN_START_TIME } from '@optimo-import/workout';
import type { Channel, WarningCollector } from '@optimo-import/workout';
import { ParseError } from './errors.js';
import { parseIsoDateTime } from './time.js';
import type { ParseContext } from './types.js';

/** One stream as read: times (ms from the exercise start) and one column per channel it feeds. */
export interface SampleStream {
  name: string;
  times: number[];
  columns: Partial<Record<Channel, (number | undefined)[]>>;
}

/** Reads `dateTime` text relative to the exercise start: ms, or NaN. */
export interface RelativeClock {
  (text: unknown): number;
}

/**
 * A clock for one exercise: naive times are wall-clock times in the exercise's own frame
 * (`startLocalMs` is the start read as if UTC); a time with an offset is compared in UTC.
 */
export function createRelativeClock(startLocalMs: number, startUtcMs: number): RelativeClock {
  return (text) => {
    if (typeof text !== 'string' || text.length > 40) return NaN;
    const p = parseIsoDateTime(text);
    // Before 1990 is no time a device recorded (a sample of year 0024 would move the start back 2000 years).
    if (!p || p.localAsUtcMs < MIN_START_TIME) return NaN;
    return p.offsetMinutes === undefined ? p.localAsUtcMs - startLocalMs : p.localAsUtcMs - p.offsetMinutes * 60000 - startUtcMs;
  };
}

export interface AlignedSamples {
  /** Seconds from the (possibly earlier) start. */
  offsetSeconds: number[];
  columns: Partial<Record<Channel, (number | undefined)[]>>;
  /** ms before the exercise start of the first row (0 or negative). */
  baseMs: number;
}

/** Streams moved to start with the exercise when they lie wholly outside it, with this slack. */
const OUTSIDE_SLACK_MS = 60_000;

function sortStream(stream: SampleStream): boolean {
  const t = stream.times;
  let sorted = true;
  for (let i = 1; i < t.length; i++) {
    if ((t[i] as number) < (t[i - 1] as number)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return false;
  const order = t.map((_, i) => i).sort((a, b) => (t[a] as number) - (t[b] as number) || a - b);
  stream.times = order.map((i) => t[i] as number);
  for (const key of Object.keys(stream.columns) as Channel[]) {
    const column = stream.columns[key] as (number | undefined)[];
    stream.columns[key] = order.map((i) => column[i]);
  }
  return true;
}

function medianStep(times: readonly number[]): number {
  if (times.length < 2) return Infinity;
  const steps: number[] = [];
  const stride = Math.max(1, Math.floor(times.length / 512)); // a sample of the steps is enough
  for (let i = stride; i < times.length; i += stride) steps.push(((times[i] as number) - (times[i - stride] as number)) / stride);
  steps.sort((a, b) => a - b);
  return steps[steps.length >> 1] ?? Infinity;
}

/** Aligns the streams (see the file comment); `durationMs` is the exercise's length when known. */
export function alignStreams(streams: SampleStream[], durationMs: number | undefined, ctx: ParseContext, warnings: WarningCollector): AlignedSamples {
  const live = streams.filter((s) => s.times.length > 0);
  const outOfOrder = live.filter(sortStream).map((s) => s.name);
  if (outOfOrder.length > 0) warnings.add('samples-out-of-order', `samples of ${outOfOrder.join(', ')} were not in time order and were sorted`, outOfOrder.length);

  if (durationMs !== undefined && durationMs > 0) {
    for (const s of live) {
      const first = s.times[0] as number;
      const last = s.times[s.times.length - 1] as number;
      if (first > durationMs + OUTSIDE_SLACK_MS || last < -OUTSIDE_SLACK_MS) {
        for (let i = 0; i < s.times.length; i++) s.times[i] = (s.times[i] as number) - first;
        const how = first > 0 ? `${(first / 1000).toFixed(1)} s after the exercise start, past its end` : `${(-first / 1000).toFixed(1)} s before the exercise start`;
        warnings.add('stream-time-shifted', `${s.name} starts ${how}: recorded on another clock, it was moved to start with the exercise`);
      }
    }
  }

  const finest = live.reduce((m, s) => Math.min(m, medianStep(s.times)), Infinity);
  const grid = finest >= 1000 ? 1000 : 100;
  let merged = 0;
  const slotsOf: number[][] = [];
  let total = 0;
  for (const s of live) {
    const slots = new Array<number>(s.times.length);
    let kept = 0;
    let previous = NaN;
    const keepIndex: number[] = [];
    for (let i = 0; i < s.times.length; i++) {
      const slot = Math.round((s.times[i] as number) / grid);
      if (slot === previous) {
        merged++;
        continue;
      }
      previous = slot;
      slots[kept++] = slot;
      keepIndex.push(i);
    }
    slots.length = kept;
    if (kept !== s.times.length) {
      for (const key of Object.keys(s.columns) as Channel[]) {
        const column = s.columns[key] as (number | undefined)[];
        s.columns[key] = keepIndex.map((i) => column[i]);
      }
    }
    slotsOf.push(slots);
    total += kept;
  }
  if (merged > 0) warnings.add('samples-merged', `samples less than ${grid / 1000} s after another of the same stream were dropped`, merged);

  const all = new Array<number>(total);
  let k = 0;
  for (const slots of slotsOf) for (const slot of slots) all[k++] = slot;
  all.sort((a, b) => a - b);
  const rows: number[] = [];
  for (const slot of all) if (rows.length === 0 || rows[rows.length - 1] !== slot) rows.push(slot);
  if (rows.length > ctx.limits.maxSamples) {
    throw new ParseError({ code: 'too-large', format: 'polar-json', file: ctx.fileName, message: `an exercise holds more than ${ctx.limits.maxSamples} samples (the maxSamples limit)` });
  }
  const baseSlot = Math.min(0, rows[0] ?? 0);
  const offsetSeconds = rows.map((slot) => ((slot - baseSlot) * grid) / 1000);
  const columns: Partial<Record<Channel, (number | undefined)[]>> = {};
  live.forEach((s, si) => {
    const slots = slotsOf[si] as number[];
    for (const key of Object.keys(s.columns) as Channel[]) {
      if (columns[key]) continue; // the first stream feeding a channel wins
      const source = s.columns[key] as (number | undefined)[];
      const out = new Array<number | undefined>(rows.length).fill(undefined);
      let row = 0;
      for (let j = 0; j < slots.length; j++) {
        const slot = slots[j] as number;
        while ((rows[row] as number) < slot) row++;
        out[row] = source[j];
      }
      columns[key] = out;
    }
  });
  return { offsetSeconds, columns, baseMs: baseSlot * grid };
}
