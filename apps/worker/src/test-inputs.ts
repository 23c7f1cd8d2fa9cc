/**
 * Files the worker's companion and CSV-mapping tests share (fixture builds, never real files):
 * a ProTrainer exercise (`24050101.hrm` + `24050101.gpx` + `20240501.pdd`) and a rowing machine's
 * CSV that only a column mapping can read.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildGpxBytes, buildHrmBytes, buildPddBytes } from '@optimo-import/fixtures';
import type { GpxBuildOptions, HrmBuildOptions } from '@optimo-import/fixtures';

/** The exercise's wall-clock start: 09:00 on 2024-05-01, which is 07:00Z in Berlin (CEST) and 08:00Z in Lisbon (WEST). */
export const HRM_START = '2024-05-01T09:00:00';

export interface PolarExerciseOptions {
  hrm?: HrmBuildOptions;
  /** The GPX's options (its default start is 07:00Z); `false`: no GPX. */
  gpx?: GpxBuildOptions | false;
  /** `false`: no day file. */
  pdd?: boolean;
  /** The GPX's name (default `24050101.gpx`). */
  gpxName?: string;
}

export interface PolarExercise {
  hrm: string;
  gpx?: string;
  pdd?: string;
}

/** Writes the exercise into `dir`; the day file names it "Hungerburg", cycling (sport id 2). */
export async function writePolarExercise(dir: string, options: PolarExerciseOptions = {}): Promise<PolarExercise> {
  const hrm = join(dir, '24050101.hrm');
  await writeFile(hrm, buildHrmBytes({ durationSeconds: 600, start: HRM_START, ...options.hrm }));
  const out: PolarExercise = { hrm };
  if (options.gpx !== false) {
    out.gpx = join(dir, options.gpxName ?? '24050101.gpx');
    await writeFile(out.gpx, buildGpxBytes({ durationSeconds: 600, sport: 'cycling', channels: { heartRate: false, cadence: false }, ...options.gpx }));
  }
  if (options.pdd !== false) {
    out.pdd = join(dir, '20240501.pdd');
    await writeFile(
      out.pdd,
      buildPddBytes({
        date: '2024-05-01',
        exercises: [{ name: 'Hungerburg', note: 'Gegenwind', sportId: 2, startSeconds: 9 * 3600, totalSeconds: 600, hrmFile: '24050101.hrm', gpxFile: '24050101.gpx' }],
      }),
    );
  }
  return out;
}

/** A rowing machine's export the detection cannot read: no header, `;`, elapsed s; HR; distance m. */
export function headerlessRowerCsv(rows = 60): Uint8Array {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) lines.push(`${i * 10};${120 + (i % 7)};${i * 35}`);
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

/** The mapping that reads `headerlessRowerCsv`: starts 2024-05-21 18:30 in its zone (16:30Z in Berlin). */
export const ROWER_MAPPING = {
  version: 1,
  delimiter: ';',
  headerRow: 0,
  sport: 'rowing',
  start: '2024-05-21T18:30:00',
  columns: { '#1': { field: 'elapsed', unit: 's' }, '#2': 'heartRate', '#3': { field: 'distance', unit: 'm' } },
};
