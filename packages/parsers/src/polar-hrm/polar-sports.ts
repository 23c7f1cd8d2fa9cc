import type { Sport } from '@optimo-import/workout';

/**
 * Polar ProTrainer / Precision Performance sport ids (`.pdd` exercise row 2, column 1). They are
 * the user's own sport list, but the first three are the software's defaults and stay so for
 * almost everyone (GoldenCheetah reads them the same way). Other ids are not guessed.
 */
const POLAR_SPORT_IDS: ReadonlyMap<number, Sport> = new Map<number, Sport>([
  [1, 'running'],
  [2, 'cycling'],
  [3, 'swimming'],
]);

/** The sport of a Polar sport id, or undefined when the id is the user's own. */
export function sportFromPolarId(id: number): Sport | undefined {
  return POLAR_SPORT_IDS.get(id);
}
