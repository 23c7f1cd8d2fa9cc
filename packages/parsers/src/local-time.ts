/**
 * Formats that record only local wall-clock time (Polar HRM, Polar XML, Polar Flow CSV, PWX,
 * spreadsheet CSV, Timex FIT that stores local time as UTC) get their UTC start here, one way for
 * all: the `timeZone` option, else the machine's zone. A wall-clock start in a daylight-saving gap
 * (a skipped hour) is moved forward by the gap; one in an overlap (a repeated hour) is read as the
 * first occurrence; both add a warning naming the zone and the time, so the result is the same
 * every time and the user can see it.
 */
import { offsetAt, wallToUtc } from '@optimo-import/workout';

export interface LocalStart {
  /** The UTC instant, epoch ms. */
  utcMs: number;
  /** Minutes east of UTC at that instant in the zone used. */
  offsetMinutes: number;
  /** The zone used. */
  timeZone: string;
  /** `configured`: the caller's zone; `machine`: this machine's zone (no zone was given). */
  zoneSource: 'configured' | 'machine';
  /** A daylight-saving gap or overlap at the start, with the text of its warning. */
  warning?: { code: 'dst-gap' | 'dst-overlap' | 'zone-assumed'; message: string };
}

/** The last answer of `machineTimeZone`, for the `TZ` it was asked under (Node follows a changed `TZ`). */
let machineZone: { tz: string | undefined; zone: string } | undefined;

/**
 * The machine's IANA zone (`UTC` when the runtime cannot say). Asked of Intl once per value of
 * `TZ`: making a `DateTimeFormat` costs about a millisecond, as much as parsing a small file.
 */
export function machineTimeZone(): string {
  const tz = process.env.TZ;
  if (machineZone !== undefined && machineZone.tz === tz) return machineZone.zone;
  let zone: string;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    zone = 'UTC';
  }
  machineZone = { tz, zone };
  return zone;
}

function wallText(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * UTC of a wall-clock time (given as epoch ms read as if it were UTC) in `timeZone`, else the
 * machine's zone. `what` names the time in warnings ("the start time").
 */
export function resolveLocalStart(wallMs: number, timeZone: string | undefined, what = 'the start time'): LocalStart {
  const zone = timeZone ?? machineTimeZone();
  const zoneSource = timeZone === undefined ? 'machine' : 'configured';
  const utcMs = wallToUtc(wallMs, zone);
  const offsetMinutes = Math.round(offsetAt(utcMs, zone) / 60000);
  const start: LocalStart = { utcMs, offsetMinutes, timeZone: zone, zoneSource };
  const roundTrip = utcMs + offsetAt(utcMs, zone);
  if (roundTrip !== wallMs) {
    start.warning = {
      code: 'dst-gap',
      message: `${what} ${wallText(wallMs)} does not exist in ${zone} (a daylight-saving change skips it); read as ${wallText(roundTrip)} local time`,
    };
    return start;
  }
  // An overlap: the same wall-clock time also exists one offset change later.
  const later = offsetAt(utcMs + 3 * 3600_000, zone);
  const current = offsetAt(utcMs, zone);
  if (later < current) {
    const second = wallMs - later;
    if (second !== utcMs && second + offsetAt(second, zone) === wallMs) {
      start.warning = {
        code: 'dst-overlap',
        message: `${what} ${wallText(wallMs)} happens twice in ${zone} (a daylight-saving change repeats the hour); read as the first, ${new Date(utcMs).toISOString()}`,
      };
      return start;
    }
  }
  if (zoneSource === 'machine') {
    start.warning = { code: 'zone-assumed', message: `the file records local time without a zone; read in this machine's zone ${zone} (give --time-zone to choose)` };
  }
  return start;
}
