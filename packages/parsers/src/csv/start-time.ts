/**
 * UTC instants of the times a CSV gives: a stated offset is kept; a naive wall-clock time is
 * local time, resolved by `resolveLocalStart` in the zone given (else the machine's zone), with
 * its DST or assumed-zone warning added to the workout's warnings.
 */
import { MIN_START_TIME } from '@optimo-import/workout';
import type { OffsetSource, WarningCollector } from '@optimo-import/workout';
import { machineTimeZone, resolveLocalStart } from '../local-time.js';
import { localToUtc, offsetMinutesAt } from '../time.js';
import type { WallTime } from './datetime.js';

export interface StartFields {
  startTime: number;
  utcOffsetMinutes?: number;
  utcOffsetSource: OffsetSource;
}

/** The start of a workout from a wall time; `what` names it in warnings ("the start time"). */
export function startOf(wall: WallTime, timeZone: string | undefined, warnings: WarningCollector, what = 'the start time'): StartFields {
  if (wall.offsetMinutes !== undefined) {
    const startTime = wall.wallMs - wall.offsetMinutes * 60000;
    // `Z` or `UTC` states the instant, not the local offset.
    if (wall.offsetMinutes === 0) return timeZone === undefined ? { startTime, utcOffsetSource: 'none' } : { startTime, utcOffsetMinutes: offsetMinutesAt(startTime, timeZone), utcOffsetSource: 'time-zone-option' };
    return { startTime, utcOffsetMinutes: wall.offsetMinutes, utcOffsetSource: 'file' };
  }
  const local = resolveLocalStart(wall.wallMs, timeZone, what);
  if (local.warning) warnings.add(local.warning.code, local.warning.message);
  return { startTime: local.utcMs, utcOffsetMinutes: local.offsetMinutes, utcOffsetSource: local.zoneSource === 'configured' ? 'time-zone-option' : 'machine-zone' };
}

/** The start of a workout from an epoch instant: the offset only when a zone was given. */
export function startOfInstant(utcMs: number, timeZone: string | undefined): StartFields {
  return timeZone === undefined ? { startTime: utcMs, utcOffsetSource: 'none' } : { startTime: utcMs, utcOffsetMinutes: offsetMinutesAt(utcMs, timeZone), utcOffsetSource: 'time-zone-option' };
}

/**
 * UTC of naive wall times row by row in one zone (a DST change inside a workout is followed);
 * the zone's shift is looked up once per local hour.
 */
export function createWallConverter(timeZone: string | undefined): (wallMs: number) => number {
  const zone = timeZone ?? machineTimeZone();
  if (zone === 'UTC' || zone === 'Etc/UTC') return (wallMs) => wallMs;
  const shiftByHour = new Map<number, number>();
  return (wallMs) => {
    const hour = Math.floor(wallMs / 3_600_000);
    let shift = shiftByHour.get(hour);
    if (shift === undefined) {
      const hourStart = hour * 3_600_000;
      shift = hourStart - localToUtc(hourStart, zone);
      if (shiftByHour.size > 10_000) shiftByHour.clear();
      shiftByHour.set(hour, shift);
    }
    return wallMs - shift;
  };
}

/** The latest instant read as a workout time (anything later is a broken value). */
export const MAX_START_TIME = Date.UTC(2200, 0, 1);

/** Whether an instant can be a workout time: from the FIT epoch (1989-12-31) to 2200. */
export function isPlausibleInstant(ms: number): boolean {
  return ms >= MIN_START_TIME && ms <= MAX_START_TIME;
}
