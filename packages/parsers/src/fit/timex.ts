/**
 * Timex FIT files (Ironman Run Trainer 2.0, manufacturer 16 `timex`) store local wall-clock time
 * as if it were UTC (imgrant/fit2tcx README). When such a file gives no usable
 * `activity.local_timestamp` offset (absent, implausible, or 0 — which is what a clock that
 * believes local time is UTC writes), every timestamp is read as local time in the `timeZone`
 * option, else this machine's zone, and the workout says so in a `timex-local-time` warning.
 * Samples, pauses and laps are offsets from the start or shifted with it, so one shift fixes all.
 */
import type { OffsetSource } from '@optimo-import/workout';
import { resolveLocalStart } from '../local-time.js';
import { FIT_EPOCH_OFFSET_SECONDS } from './profile.js';

/** FIT `manufacturer` 16. */
export const TIMEX_MANUFACTURER = 16;

export interface LocalClockFix {
  /** Seconds to add to every FIT timestamp of the unit. */
  shiftSeconds: number;
  utcOffsetMinutes: number;
  utcOffsetSource: Extract<OffsetSource, 'time-zone-option' | 'machine-zone'>;
  /** `timex-local-time`, and a daylight-saving warning when the start falls in a gap or overlap. */
  warnings: { code: string; message: string }[];
}

/**
 * Whether a unit's times are local wall-clock time written as UTC: made by Timex, and the file
 * states no offset other than 0 (a real, non-zero local_timestamp offset means the clock knew UTC).
 */
export function storesLocalTimeAsUtc(manufacturer: number | undefined, fileOffsetMinutes: number | undefined): boolean {
  return manufacturer === TIMEX_MANUFACTURER && !fileOffsetMinutes;
}

/** The shift that turns a Timex unit's start (FIT seconds, really local time) into UTC. */
export function timexLocalTime(startFitSeconds: number, timeZone: string | undefined): LocalClockFix {
  const wallMs = (startFitSeconds + FIT_EPOCH_OFFSET_SECONDS) * 1000;
  const start = resolveLocalStart(wallMs, timeZone);
  const where = start.zoneSource === 'configured' ? start.timeZone : `this machine's zone ${start.timeZone} (give --time-zone to choose)`;
  const warnings = [{ code: 'timex-local-time', message: `Timex devices store local time as if it were UTC; read as local time in ${where}` }];
  if (start.warning && start.warning.code !== 'zone-assumed') warnings.push({ code: start.warning.code, message: start.warning.message });
  return {
    shiftSeconds: (start.utcMs - wallMs) / 1000,
    utcOffsetMinutes: start.offsetMinutes,
    utcOffsetSource: start.zoneSource === 'configured' ? 'time-zone-option' : 'machine-zone',
    warnings,
  };
}
