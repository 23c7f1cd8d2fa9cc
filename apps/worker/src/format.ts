import type { Workout } from '@optimo-import/workout';
import { offsetMinutesAt } from '@optimo-import/parsers';

/** `1:02:05` for seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`;
}

export function formatDistance(meters: number | undefined): string {
  if (meters === undefined) return '-';
  return meters >= 1000 ? `${(meters / 1000).toFixed(2)} km` : `${Math.round(meters)} m`;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** The offset used to show local time: the file's own, else the --time-zone's at that instant. */
export function localOffsetOf(workout: Workout, timeZone: string | undefined): number | undefined {
  if (workout.utcOffsetMinutes !== undefined) return workout.utcOffsetMinutes;
  return timeZone ? offsetMinutesAt(workout.startTime, timeZone) : undefined;
}

/** ISO local time with its offset, `2024-05-01T09:00:05+02:00`, or undefined when unknown. */
export function formatLocal(epochMs: number, offsetMinutes: number | undefined): string | undefined {
  if (offsetMinutes === undefined) return undefined;
  const local = new Date(Math.floor(epochMs / 1000) * 1000 + offsetMinutes * 60000).toISOString().slice(0, 19);
  return `${local}${formatOffset(offsetMinutes)}`;
}

export function formatUtc(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
