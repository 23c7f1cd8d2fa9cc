/**
 * `hr` messages: heart rate an HRM-Pro/HRM-Swim stored while the watch had no link and sent
 * after the fact. Each message holds beats (filtered_bpm) at event times (1/1024 s, full 32-bit
 * values or 12-bit deltas that accumulate), anchored to a FIT timestamp by the message that has
 * one. They are expanded to a time series and merged into the records the way the Garmin SDK's
 * `mergeHeartRates` does: a record gets the rounded mean of the HR values since the record
 * before it; a value is carried forward over gaps for up to 5 s in 250 ms steps.
 */
import { readNumber } from './fields.js';
import type { FieldDef, MessageDef } from './fields.js';
import { HrField } from './profile.js';

export interface HrSeries {
  times: Float64Array;
  bpm: Uint8Array;
  length: number;
  /** Most values kept; the rest are counted in `dropped`. */
  max: number;
  dropped: number;
  /** Messages that could not be placed in time (no anchor yet, mismatched arrays). */
  unusable: number;
  anchorTime: number;
  anchorEvent: number;
  /** Accumulated event time in 1/1024 s, and the last 12-bit value seen. */
  event: number;
  eventLast: number;
}

const GAP_STEP_SECONDS = 0.25;
const GAP_MAX_STEPS = 20;
const EVENT_ROLLOVER_SECONDS = 0x400000;

export function createHrSeries(max: number): HrSeries {
  return {
    times: new Float64Array(64),
    bpm: new Uint8Array(64),
    length: 0,
    max,
    dropped: 0,
    unusable: 0,
    anchorTime: NaN,
    anchorEvent: NaN,
    event: NaN,
    eventLast: 0,
  };
}

/** Orders the series by time when it is not already (units written out of order). */
export function sortHrSeries(series: HrSeries): void {
  const n = series.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if ((series.times[i] as number) < (series.times[i - 1] as number)) sorted = false;
  if (sorted) return;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (series.times[a] as number) - (series.times[b] as number));
  const times = new Float64Array(n);
  const bpm = new Uint8Array(n);
  order.forEach((from, to) => {
    times[to] = series.times[from] as number;
    bpm[to] = series.bpm[from] as number;
  });
  series.times = times;
  series.bpm = bpm;
}

function push(series: HrSeries, time: number, bpm: number): void {
  if (series.length >= series.max) {
    series.dropped++;
    return;
  }
  if (series.length === series.times.length) {
    const size = Math.min(series.times.length * 2, series.max);
    const times = new Float64Array(size);
    times.set(series.times);
    const values = new Uint8Array(size);
    values.set(series.bpm);
    series.times = times;
    series.bpm = values;
  }
  series.times[series.length] = time;
  series.bpm[series.length] = bpm;
  series.length++;
}

interface HrPlan {
  fractional?: FieldDef;
  time256?: FieldDef;
  beats?: FieldDef;
  events?: FieldDef;
  events12?: FieldDef;
}

function compile(def: MessageDef): HrPlan {
  const plan: HrPlan = {};
  for (const f of def.fields) {
    if (f.num === HrField.fractionalTimestamp) plan.fractional = f;
    else if (f.num === HrField.time256) plan.time256 = f;
    else if (f.num === HrField.filteredBpm) plan.beats = f;
    else if (f.num === HrField.eventTimestamp && f.size >= 4) plan.events = f;
    else if (f.num === HrField.eventTimestamp12) plan.events12 = f;
  }
  return plan;
}

/** Event times of the current message, in seconds (at most 63 fit in a field). */
const EVENTS = new Float64Array(64);

/** Reads one `hr` message into the series. `timestamp` is NaN unless the message has field 253. */
export function addHrMessage(series: HrSeries, view: DataView, bytes: Uint8Array, def: MessageDef, start: number, timestamp: number): void {
  let plan = def.compiled as HrPlan | undefined;
  if (!plan) {
    plan = compile(def);
    def.compiled = plan;
  }
  const count = eventTimes(series, view, bytes, def, plan, start);
  if (timestamp === timestamp && def.timestampOffset >= 0) {
    let fraction = 0;
    const f = plan.fractional ?? plan.time256;
    if (f) {
      const v = readNumber(view, start + f.offset, f.size, f.baseType, def.little);
      if (v === v) fraction = v / (f === plan.fractional ? 32768 : 256);
    }
    if (count !== 1) {
      series.unusable++;
      return;
    }
    series.anchorTime = timestamp + fraction;
    series.anchorEvent = EVENTS[0] as number;
  }
  const beats = plan.beats;
  if (series.anchorTime !== series.anchorTime || !beats || beats.size !== count) {
    if (count > 0 || beats) series.unusable++;
    return;
  }
  for (let i = 0; i < count; i++) {
    const bpm = bytes[start + beats.offset + i] as number;
    if (bpm === 0xff) continue;
    let event = EVENTS[i] as number;
    if (event < series.anchorEvent) {
      if (series.anchorEvent - event <= EVENT_ROLLOVER_SECONDS) {
        series.unusable++;
        continue;
      }
      event += EVENT_ROLLOVER_SECONDS;
    }
    const time = series.anchorTime + (event - series.anchorEvent);
    if (series.length > 0) {
      const prevTime = series.times[series.length - 1] as number;
      const prevBpm = series.bpm[series.length - 1] as number;
      let gap = Math.abs(time - prevTime);
      for (let step = 1; gap > GAP_STEP_SECONDS && step <= GAP_MAX_STEPS; step++) {
        push(series, prevTime + GAP_STEP_SECONDS * step, prevBpm);
        gap -= GAP_STEP_SECONDS;
      }
    }
    push(series, time, bpm);
  }
}

/**
 * Event times (seconds) into EVENTS, returning how many: a uint32 array (1/1024 s), or packed
 * 12-bit values that accumulate onto the last full one.
 */
function eventTimes(series: HrSeries, view: DataView, bytes: Uint8Array, def: MessageDef, plan: HrPlan, start: number): number {
  let n = 0;
  const full = plan.events;
  if (full) {
    for (let k = 0; k + 4 <= full.size && n < EVENTS.length; k += 4) {
      const raw = readNumber(view, start + full.offset + k, 4, full.baseType, def.little);
      if (raw !== raw) continue;
      series.event = raw;
      series.eventLast = raw % 4096;
      EVENTS[n++] = raw / 1024;
    }
    return n;
  }
  const packed = plan.events12;
  if (!packed) return 0;
  const p = start + packed.offset;
  let allInvalid = true;
  for (let i = 0; i < packed.size; i++) if (bytes[p + i] !== 0xff) allInvalid = false;
  if (allInvalid) return 0;
  const count = Math.min(10, Math.floor((packed.size * 8) / 12));
  for (let j = 0; j < count; j++) {
    const k = p + (j >> 1) * 3;
    const v = j & 1 ? ((bytes[k + 1] as number) >> 4) | ((bytes[k + 2] as number) << 4) : (bytes[k] as number) | (((bytes[k + 1] as number) & 0x0f) << 8);
    if (series.event !== series.event) {
      series.event = v;
      series.eventLast = v;
    }
    series.event += (v - series.eventLast) & 0xfff;
    series.eventLast = v;
    EVENTS[n++] = series.event / 1024;
  }
  return n;
}

/**
 * Merges HR values `[hrFrom, hrTo)` into the heart-rate column over record rows
 * `[rowFrom, rowTo)` (in file order). Returns how many records received a value.
 */
export function mergeHeartRates(
  series: HrSeries,
  hrFrom: number,
  hrTo: number,
  times: Float64Array,
  heartRate: Float64Array,
  rowFrom: number,
  rowTo: number,
): number {
  let index = hrFrom;
  let rangeStart = NaN;
  let merged = 0;
  for (let row = rowFrom; row < rowTo; row++) {
    const rangeEnd = times[row] as number;
    if (rangeStart !== rangeStart) rangeStart = rangeEnd;
    if (rangeStart === rangeEnd) {
      rangeStart--;
      index = index > hrFrom ? index - 1 : hrFrom;
    }
    let sum = 0;
    let count = 0;
    while (index < hrTo) {
      const t = series.times[index] as number;
      if (t > rangeStart && t <= rangeEnd) {
        sum += series.bpm[index] as number;
        count++;
      } else if (t > rangeEnd) {
        if (count > 0) {
          heartRate[row] = Math.round(sum / count);
          merged++;
        }
        rangeStart = rangeEnd;
        break;
      }
      index++;
    }
  }
  return merged;
}
