/**
 * The file set of a run, drawn from the seed: FIT, TCX and GPX rides, zips of several rides, the
 * FIT and the TCX export of one ride (the second to arrive must be reported a duplicate, not
 * uploaded), byte-for-byte copies in another folder (one job), bad files that must fail with a
 * reason, and zips of a good and a bad entry (partial). Every ride starts three hours after the
 * previous one, so no two rides are one recording by accident and a workout on the server is
 * matched to its ride by its start time alone.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildFitActivity, buildGpxBytes, buildTcxBytes, buildZip } from '@optimo-import/fixtures';
import type { Random } from './random.js';

export type FileKind = 'single' | 'zip' | 'pair' | 'copy' | 'bad' | 'mixed-zip';
export type RideFormat = 'fit' | 'tcx' | 'gpx';

/**
 * What the pipeline must make of a file: `imported`; `failed` (a bad file, with a reason);
 * `partial` (a zip with a bad entry: its good entries imported, a reason given); `pair` (one of
 * the two files of a ride imported, the other a duplicate of it).
 */
export type ExpectedOutcome = 'imported' | 'failed' | 'partial' | 'pair';

export interface Ride {
  id: number;
  /** Epoch ms. */
  startTime: number;
  durationSeconds: number;
  sport: 'running' | 'cycling';
}

export interface PlannedFile {
  /** Relative to the files folder, `/`-separated. */
  path: string;
  bytes: Uint8Array;
  kind: FileKind;
  expect: ExpectedOutcome;
  /** The rides of its good workouts. */
  rides: number[];
  /** The file of the same ride in the other format (`pair`). */
  pairWith?: string;
  /** The file it is a byte-for-byte copy of (`copy`). */
  copyOf?: string;
  /** How a bad file (or a zip's bad entry) is bad. */
  badCase?: BadCase;
  /** sha256 of the bytes, hex. */
  sha256: string;
}

export interface FilePlan {
  files: PlannedFile[];
  rides: Ride[];
}

export type BadCase = 'truncated-fit' | 'garbage-fit' | 'empty-gpx' | 'not-a-workout' | 'truncated-tcx';
const BAD_CASES: readonly BadCase[] = ['truncated-fit', 'garbage-fit', 'empty-gpx', 'not-a-workout', 'truncated-tcx'];

/** How often each kind is drawn after the first one of each (a pair adds two files). */
const WEIGHTS: ReadonlyArray<[FileKind, number]> = [
  ['single', 0.6],
  ['zip', 0.1],
  ['pair', 0.12],
  ['bad', 0.08],
  ['mixed-zip', 0.04],
  ['copy', 0.06],
];

const HOUR_MS = 3_600_000;

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function rideBytes(ride: Ride, format: RideFormat): Uint8Array {
  const { startTime, durationSeconds } = ride;
  if (format === 'fit') return buildFitActivity({ sport: ride.sport, startTime, durationSeconds, serialNumber: 3_000_000 + ride.id });
  if (format === 'tcx') return buildTcxBytes({ sport: ride.sport === 'running' ? 'Running' : 'Biking', startTime, durationSeconds, seed: ride.id + 1 });
  return buildGpxBytes({ sport: ride.sport, startTime, durationSeconds, seed: ride.id + 1 });
}

function badBytes(badCase: BadCase, random: Random): { bytes: Uint8Array; ext: string } {
  const start = Date.UTC(2020, 0, 1, 6) + random.int(0, 1000) * HOUR_MS;
  switch (badCase) {
    case 'truncated-fit':
      return { bytes: buildFitActivity({ startTime: start, durationSeconds: 120 }).subarray(0, 40 + random.int(0, 20)), ext: 'fit' };
    case 'garbage-fit':
      return { bytes: Uint8Array.from({ length: 200 + random.int(0, 300) }, () => random.int(0, 255)), ext: 'fit' };
    case 'empty-gpx':
      return { bytes: new TextEncoder().encode(`<?xml version="1.0"?>\n<gpx version="1.1" creator="chaos" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>nothing ${random.int(0, 1e6)}</name></trk></gpx>\n`), ext: 'gpx' };
    case 'not-a-workout':
      return { bytes: new TextEncoder().encode(`shopping list ${random.int(0, 1e6)}: eggs, flour\n`), ext: 'tcx' };
    case 'truncated-tcx': {
      const whole = buildTcxBytes({ startTime: start, durationSeconds: 120, seed: random.int(1, 1e6) });
      return { bytes: whole.subarray(0, Math.floor(whole.length * (0.3 + random.next() * 0.4))), ext: 'tcx' };
    }
  }
}

/** Draws `count` files (at least one of each kind when count ≥ 8). */
export function planFiles(count: number, random: Random): FilePlan {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`[chaos] files must be a whole number ≥ 1, got ${count}`);
  const base = Date.UTC(2022, 0, 1, 5) + random.int(0, 364) * 24 * HOUR_MS;
  const rides: Ride[] = [];
  const files: PlannedFile[] = [];
  const folders = ['garmin', 'strava', 'old-phone'];
  const newRide = (): Ride => {
    const ride: Ride = { id: rides.length, startTime: base + rides.length * 3 * HOUR_MS, durationSeconds: random.int(120, 360), sport: random.chance(0.5) ? 'running' : 'cycling' };
    rides.push(ride);
    return ride;
  };
  const add = (file: Omit<PlannedFile, 'sha256'>): PlannedFile => {
    const planned = { ...file, sha256: sha256Hex(file.bytes) };
    files.push(planned);
    return planned;
  };
  const label = (): string => String(files.length).padStart(4, '0');
  const folder = (): string => random.pick(folders);
  const formats: readonly RideFormat[] = ['fit', 'tcx', 'gpx'];

  const drawKind = (): FileKind => {
    let roll = random.next();
    for (const [kind, weight] of WEIGHTS) {
      if (roll < weight) return kind;
      roll -= weight;
    }
    return 'single';
  };
  const firsts: FileKind[] = count >= 8 ? ['single', 'zip', 'pair', 'bad', 'mixed-zip', 'copy'] : [];
  while (files.length < count) {
    let kind = firsts.shift() ?? drawKind();
    const singles = files.filter((file) => file.kind === 'single');
    if (kind === 'pair' && files.length + 2 > count) kind = 'single';
    if (kind === 'copy' && singles.length === 0) kind = 'single';
    switch (kind) {
      case 'single': {
        const ride = newRide();
        const format = random.pick(formats);
        add({ path: `${folder()}/single-${label()}.${format}`, bytes: rideBytes(ride, format), kind, expect: 'imported', rides: [ride.id] });
        break;
      }
      case 'zip': {
        const entries = Array.from({ length: random.int(2, 3) }, (_, i) => {
          const ride = newRide();
          const format = random.pick(formats);
          return { ride, entry: { name: `ride-${i + 1}.${format}`, bytes: rideBytes(ride, format) } };
        });
        add({ path: `${folder()}/zip-${label()}.zip`, bytes: buildZip(entries.map((item) => item.entry)), kind, expect: 'imported', rides: entries.map((item) => item.ride.id) });
        break;
      }
      case 'pair': {
        const ride = newRide();
        const other: RideFormat = random.chance(0.5) ? 'tcx' : 'gpx';
        const name = label();
        const a = `${folder()}/pair-${name}-a.fit`;
        const b = `${folder()}/pair-${name}-b.${other}`;
        add({ path: a, bytes: rideBytes(ride, 'fit'), kind, expect: 'pair', rides: [ride.id], pairWith: b });
        add({ path: b, bytes: rideBytes(ride, other), kind, expect: 'pair', rides: [ride.id], pairWith: a });
        break;
      }
      case 'bad': {
        const badCase = random.pick(BAD_CASES);
        const { bytes, ext } = badBytes(badCase, random);
        add({ path: `${folder()}/bad-${label()}-${badCase}.${ext}`, bytes, kind, expect: 'failed', rides: [], badCase });
        break;
      }
      case 'mixed-zip': {
        const ride = newRide();
        const format = random.pick(formats);
        // Not garbage: an entry no parser detects is skipped in a zip (archives hold read-me files), not failed.
        const badCase = random.pick(['truncated-fit', 'truncated-tcx'] as const);
        const bad = badBytes(badCase, random);
        const bytes = buildZip([
          { name: `good.${format}`, bytes: rideBytes(ride, format) },
          { name: `broken.${bad.ext}`, bytes: bad.bytes },
        ]);
        add({ path: `${folder()}/mixed-${label()}.zip`, bytes, kind, expect: 'partial', rides: [ride.id], badCase });
        break;
      }
      case 'copy': {
        const original = random.pick(singles);
        const name = original.path.split('/').pop() as string;
        add({ path: `copies/${label()}-${name}`, bytes: original.bytes, kind, expect: 'imported', rides: original.rides, copyOf: original.path });
        break;
      }
    }
  }
  return { files, rides };
}

/** Writes the files under `folder`. */
export async function writePlannedFiles(plan: FilePlan, folder: string): Promise<void> {
  for (const file of plan.files) {
    const path = join(folder, ...file.path.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.bytes);
  }
}

/** One line per kind: how many files, for the report. */
export function describePlan(plan: FilePlan): Record<FileKind, number> {
  const counts: Record<FileKind, number> = { single: 0, zip: 0, pair: 0, copy: 0, bad: 0, 'mixed-zip': 0 };
  for (const file of plan.files) counts[file.kind] += 1;
  return counts;
}
