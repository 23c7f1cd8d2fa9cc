/**
 * `[IntTimes]` (lap times) and `[IntNotes]` (lap notes) of a Polar HRM file → lap drafts.
 *
 * A lap is 5 lines in HRM 1.06/1.07 and 3 lines in 1.02/1.05. Its first line holds the split
 * time (from the start, `h:mm:ss.t`) and heart rate at the split, minimum, average, maximum;
 * a lap runs from the previous split (or the start) to its own. The fields we use:
 *
 * | line | field | meaning                                              | kept as                 |
 * | ---- | ----- | ---------------------------------------------------- | ----------------------- |
 * | 1    | 1     | split time                                           | start and duration      |
 * | 1    | 3-5   | HR min, avg, max (bpm)                                | summary (when 0<min≤avg≤max) |
 * | 4    | 4     | temperature at the split, 0.1 °C or 0.1 °F            | summary temperature (when altitude is recorded: the sensor sits in the altimeter) |
 * | 5    | 2     | automatic lap (1)                                    | trigger `auto`, else `manual` |
 *
 * Not used: the momentary speed, cadence and altitude at the split (the samples give better
 * values), the "lap distance" of line 4 (a manually given value that contradicts the speed
 * record in real files; lap distances come from the samples), recovery, extra data.
 *
 * When the section is not whole laps (line count not a multiple of the lap size, or a split
 * time unreadable or going back), every lap is dropped with a `laps-unreadable` warning and the
 * workout is imported without laps. Time after the last split becomes one more lap.
 */
import type { LapDraft, Summary } from '@optimo-import/workout';
import { readDuration } from './hrm-params.js';
import type { HrmVersion } from './hrm-params.js';
import type { PolarSection } from './polar-text.js';
import { fieldsOf, intOf } from './polar-text.js';

/** Most laps read; Polar monitors store at most 99. */
export const MAX_LAPS = 10_000;

export interface LapRead {
  laps: LapDraft[];
  /** Why the laps were dropped, when they were. */
  problem?: string;
  /** Lap notes that name no lap of the file. */
  orphanNotes: number;
  /** Laps whose HR values contradict each other (min > avg, avg > max): left to the samples. */
  inconsistent: number;
}

export interface LapReadOptions {
  version: HrmVersion;
  us: boolean;
  /** Epoch ms UTC of the workout start. */
  startMs: number;
  /** The recording's length in seconds, when known: the time after the last split is a lap. */
  lengthSeconds?: number;
  /** Whether altitude (and so the altimeter's temperature) is recorded. */
  altitude: boolean;
}

export function readLaps(intTimes: PolarSection | undefined, intNotes: PolarSection | undefined, options: LapReadOptions): LapRead {
  const result: LapRead = { laps: [], orphanNotes: 0, inconsistent: 0 };
  const lines = (intTimes?.lines ?? []).filter((l) => l.trim() !== '');
  if (lines.length === 0) return result;
  const size = options.version >= 106 ? 5 : 3;
  if (lines.length % size !== 0) {
    result.problem = `[IntTimes] has ${lines.length} lines, not a whole number of ${size}-line laps`;
    return result;
  }
  if (lines.length / size > MAX_LAPS) {
    result.problem = `[IntTimes] holds ${lines.length / size} laps, more than ${MAX_LAPS}`;
    return result;
  }
  const notes = readLapNotes(intNotes);
  let previous = 0;
  for (let k = 0; k * size < lines.length; k++) {
    const first = fieldsOf(lines[k * size] as string);
    const split = readDuration(first[0]);
    if (split === undefined || split < previous) {
      result.problem = `lap ${k + 1} of [IntTimes] has ${split === undefined ? `an unreadable split time "${first[0] ?? ''}"` : 'a split time before the previous one'}`;
      result.laps = [];
      return result;
    }
    const summary: Summary = {};
    const [min, avg, max] = [intOf(first[2]), intOf(first[3]), intOf(first[4])];
    if (min !== undefined && avg !== undefined && max !== undefined && max > 0) {
      if (min > 0 && min <= avg && avg <= max) {
        summary.heartRateMinBpm = min;
        summary.heartRateAvgBpm = avg;
        summary.heartRateMaxBpm = max;
      } else result.inconsistent++;
    }
    if (size === 5 && options.altitude) {
      const temperature = intOf(fieldsOf(lines[k * size + 3] as string)[3]);
      if (temperature !== undefined) summary.temperatureAvgCelsius = options.us ? round1(((temperature / 10 - 32) * 5) / 9) : temperature / 10;
    }
    const auto = size === 5 && intOf(fieldsOf(lines[k * size + 4] as string)[1]) === 1;
    const lap: LapDraft = {
      startTime: options.startMs + Math.round(previous * 1000),
      elapsedSeconds: round1(split - previous),
      summary,
      trigger: auto ? 'auto' : 'manual',
    };
    const note = notes.get(k + 1);
    if (note !== undefined) lap.notes = note;
    result.laps.push(lap);
    previous = split;
  }
  for (const index of notes.keys()) if (index < 1 || index > result.laps.length) result.orphanNotes++;
  const rest = options.lengthSeconds === undefined ? 0 : options.lengthSeconds - previous;
  if (rest >= 1) {
    result.laps.push({ startTime: options.startMs + Math.round(previous * 1000), elapsedSeconds: round1(rest), trigger: 'session_end' });
  }
  return result;
}

/** `[IntNotes]`: `<lap number><tab><text>` per line. */
function readLapNotes(section: PolarSection | undefined): Map<number, string> {
  const notes = new Map<number, string>();
  for (const line of section?.lines ?? []) {
    const m = /^\s*(\d{1,6})[\t ]+(.*)$/.exec(line);
    const text = m?.[2]?.trim();
    if (m && text) notes.set(Number(m[1]), text);
  }
  return notes;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
