/**
 * Polar companions inside one zip: ProTrainer's export folder zipped whole holds `x.hrm`, the
 * `x.gpx` of the same exercise and the day's `YYYYMMDD.pdd`. Entry by entry they would be two
 * workouts (the HRM's heart rate, the GPX's track) and a skipped day file; here they become one:
 *
 * | entry | result |
 * | --- | --- |
 * | `a.zip!x.hrm` | `ok`: one workout, merged with the GPX and named, sported from the day file (join-companions.ts) |
 * | `a.zip!x.gpx` | `skipped`: `a Polar companion: merged into x.hrm` (when merged; else its own workout, as before) |
 * | `a.zip!20240501.pdd` | `skipped`: `a Polar day file: read for x.hrm` (a day file no HRM pairs with keeps its reason) |
 *
 * Pairing is by name within one folder of the zip (`findCompanions`); only an HRM that parsed
 * (one workout) and a GPX that parsed are joined. A `.hrm` alone is left as it was.
 */
import type { Workout } from '@optimo-import/workout';
import type { ContainerEntry } from '../containers.js';
import { isParseError } from '../errors.js';
import type { EntryResult } from '../types.js';
import { findCompanions } from './companions.js';
import { joinHrmCompanions, mergedGpxReason, readPddReason } from './join-companions.js';
import { readPdd } from './pdd.js';
import type { PddDay } from './pdd.js';

/** The results of one zip's entries, with Polar companions joined (the input is not changed). */
export function joinArchiveCompanions(results: readonly EntryResult[], entries: readonly ContainerEntry[]): EntryResult[] {
  if (!results.some((r) => r.status === 'ok' && r.format === 'polar-hrm')) return [...results];
  const byName = new Map(results.map((r, i) => [r.name, i]));
  const out = [...results];
  const days = new Map<string, DayRead>();
  const usedGpx = new Set<string>();
  for (const group of findCompanions(results.map((r) => r.name))) {
    const hrmIndex = byName.get(group.hrm) as number;
    const hrm = out[hrmIndex];
    if (hrm?.status !== 'ok' || hrm.format !== 'polar-hrm' || hrm.workouts.length !== 1) continue;
    const gpxIndex = group.gpx === undefined || usedGpx.has(group.gpx) ? undefined : byName.get(group.gpx);
    const gpx = gpxIndex === undefined ? undefined : out[gpxIndex];
    const gpxOk = gpx?.status === 'ok' && gpx.format === 'gpx' ? gpx : undefined;
    const day = group.pdd === undefined ? undefined : dayOf(group.pdd, entries, days);
    if (!gpxOk && !day) continue;
    const pdd = day === undefined || group.pdd === undefined ? undefined : day.day ? { fileName: group.pdd, day: day.day } : { fileName: group.pdd, bytes: day.bytes };
    const joined = joinHrmCompanions(hrm.workouts[0] as Workout, hrm.name, {
      ...(gpxOk ? { gpx: { fileName: gpxOk.name, workouts: gpxOk.workouts } } : {}),
      ...(pdd === undefined ? {} : { pdd }),
    });
    out[hrmIndex] = { ...hrm, workouts: [joined.workout] };
    if (gpxOk && joined.gpxMerged && gpxIndex !== undefined) {
      usedGpx.add(gpxOk.name);
      out[gpxIndex] = { name: gpxOk.name, status: 'skipped', reason: mergedGpxReason(hrm.name) };
    }
    if (day?.day) day.readFor.push(hrm.name);
  }
  for (const [pdd, day] of days) {
    const index = byName.get(pdd);
    if (index === undefined) continue;
    if (day.readFor.length > 0) out[index] = { name: pdd, status: 'skipped', reason: readPddReason(day.readFor) };
    else if (day.error !== undefined) out[index] = { name: pdd, status: 'skipped', reason: `a Polar day file (.pdd) that could not be read: ${day.error}` };
  }
  return out;
}

interface DayRead {
  bytes: Uint8Array;
  day?: PddDay;
  error?: string;
  /** The HRMs it was read for. */
  readFor: string[];
}

/** The day file of an entry name, read once per zip. */
function dayOf(name: string, entries: readonly ContainerEntry[], days: Map<string, DayRead>): DayRead | undefined {
  const known = days.get(name);
  if (known) return known;
  const bytes = entries.find((entry) => entry.name === name)?.bytes;
  if (bytes === undefined) return undefined;
  let read: DayRead;
  try {
    read = { bytes, day: readPdd(bytes, name), readFor: [] };
  } catch (error) {
    read = { bytes, error: isParseError(error) ? error.detail : String(error), readFor: [] };
  }
  days.set(name, read);
  return read;
}
