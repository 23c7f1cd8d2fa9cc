/**
 * Whose file is it: the athlete (and account) of a file found in the watched folder, from its path.
 *
 * Precedence, most specific first (`<sub>` is the first folder of the file's path under the
 * watched folder; a file directly in the watched folder has none):
 *
 * | # | source                         | applies to                              | athlete              | account                  |
 * | - | ------------------------------ | --------------------------------------- | -------------------- | ------------------------ |
 * | 1 | the athlete map (`--map FILE`) | files under a `<sub>` the map names     | the map's            | the map's, else `account` |
 * | 2 | `--athlete ID`                 | every other file, the root's included   | `ID`                 | `account`                |
 * | 3 | per-athlete subfolders         | files under `<sub>`, when there is no map | `<sub>` itself       | `account`                |
 * | — | nothing                        | root files without `--athlete`; with a map, files under a `<sub>` it does not name (and no `--athlete`) | none: the file goes to `failed/` with code `no-athlete` |
 *
 * With a map, subfolder names are never taken as athlete ids themselves: a subfolder the map does
 * not name is a typo or a new athlete someone forgot to add, and guessing would upload workouts
 * to whoever happens to have that id. A `<sub>` that is not a valid athlete id (rule 3) fails with
 * `bad-athlete`.
 */
import { sep } from 'node:path';
import { importJobSchema } from '../jobs/job-data.js';
import type { AthleteMap } from './athlete-map.js';

export interface AthleteSources {
  /** The watcher's account. */
  account: string;
  /** `--athlete ID`. */
  athleteId?: string;
  /** `--map FILE`. */
  athleteMap?: AthleteMap;
}

export type AthleteResolution =
  | { ok: true; athleteId: string; account: string; via: 'map' | 'athlete' | 'subfolder'; subfolder?: string }
  | { ok: false; code: 'no-athlete' | 'bad-athlete'; reason: string; account: string; subfolder?: string };

const athleteIdSchema = importJobSchema.shape.athleteId;

/** The athlete of the file at `relativePath` (relative to the watched folder). */
export function resolveAthlete(relativePath: string, sources: AthleteSources): AthleteResolution {
  const segments = relativePath.split(sep === '/' ? '/' : /[\\/]/).filter((segment) => segment !== '');
  const subfolder = segments.length > 1 ? segments[0] : undefined;
  const { account, athleteId, athleteMap } = sources;
  const where = subfolder === undefined ? {} : { subfolder };

  if (subfolder !== undefined && athleteMap !== undefined) {
    const entry = athleteMap.entries.get(subfolder);
    if (entry !== undefined) return { ok: true, athleteId: entry.athleteId, account: entry.account ?? account, via: 'map', ...where };
  }
  if (athleteId !== undefined) return { ok: true, athleteId, account, via: 'athlete', ...where };
  if (subfolder === undefined) {
    const how = athleteMap === undefined ? 'start the watcher with --athlete ID, or put the file in a subfolder named after its athlete' : `start the watcher with --athlete ID, or put the file in a subfolder that the athlete map ${athleteMap.source} names`;
    return { ok: false, code: 'no-athlete', reason: `no athlete is known for a file directly in the watched folder: ${how}`, account };
  }
  if (athleteMap !== undefined) {
    return {
      ok: false,
      code: 'no-athlete',
      reason: `no athlete is known for the subfolder ${JSON.stringify(subfolder)}: the athlete map ${athleteMap.source} does not name it (add it to the map, or start the watcher with --athlete ID)`,
      account,
      subfolder,
    };
  }
  const parsed = athleteIdSchema.safeParse(subfolder);
  if (!parsed.success) {
    return { ok: false, code: 'bad-athlete', reason: `the subfolder name ${JSON.stringify(subfolder)} is not an athlete id (1 to 64 characters, not blank); rename it, or use --map FILE`, account, subfolder };
  }
  return { ok: true, athleteId: parsed.data, account, via: 'subfolder', subfolder };
}
