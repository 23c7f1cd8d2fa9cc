import type { Sport } from './model.js';

/**
 * Free-text sport names (TCX `Sport`, GPX `<type>`, FIT enum names, Polar and PWX names)
 * to Optimo sports. Keys are lower-case with spaces, dashes and underscores removed.
 * Checked as whole words first, then as the first key contained in the name.
 */
const SPORT_WORDS: ReadonlyArray<readonly [string, Sport]> = [
  ['multisport', 'multisport'],
  ['triathlon', 'multisport'],
  ['duathlon', 'multisport'],
  ['transition', 'multisport'],
  ['running', 'running'],
  ['run', 'running'],
  ['jogging', 'running'],
  ['trailrunning', 'running'],
  ['treadmill', 'running'],
  ['cycling', 'cycling'],
  ['biking', 'cycling'],
  ['bike', 'cycling'],
  ['ride', 'cycling'],
  ['mtb', 'cycling'],
  ['ebiking', 'cycling'],
  ['swimming', 'swimming'],
  ['swim', 'swimming'],
  ['lapswimming', 'swimming'],
  ['openwater', 'swimming'],
  ['walking', 'walking'],
  ['walk', 'walking'],
  ['nordicwalking', 'walking'],
  ['hiking', 'hiking'],
  ['hike', 'hiking'],
  ['mountaineering', 'hiking'],
  ['rowing', 'rowing'],
  ['row', 'rowing'],
  ['indoorrowing', 'rowing'],
  ['paddling', 'rowing'],
  ['kayaking', 'rowing'],
  ['canoeing', 'rowing'],
  ['standuppaddleboarding', 'rowing'],
  ['skiing', 'skiing'],
  ['ski', 'skiing'],
  ['crosscountryskiing', 'skiing'],
  ['alpineskiing', 'skiing'],
  ['backcountryskiing', 'skiing'],
  ['snowboarding', 'skiing'],
  ['strength', 'strength'],
  ['strengthtraining', 'strength'],
  ['training', 'strength'],
  ['weighttraining', 'strength'],
  ['gym', 'strength'],
  ['fitnessequipment', 'other'],
  ['other', 'other'],
  ['generic', 'other'],
];

const EXACT = new Map(SPORT_WORDS);

/** Substrings tried in order when no whole word matches (e.g. `Cycling_sport`, `Mountain Bike`). */
const CONTAINS: ReadonlyArray<readonly [string, Sport]> = [
  ['triathlon', 'multisport'],
  ['multisport', 'multisport'],
  ['run', 'running'],
  ['jog', 'running'],
  ['cycl', 'cycling'],
  ['bik', 'cycling'],
  ['swim', 'swimming'],
  ['walk', 'walking'],
  ['hik', 'hiking'],
  ['trek', 'hiking'],
  ['row', 'rowing'],
  ['paddl', 'rowing'],
  ['kayak', 'rowing'],
  ['ski', 'skiing'],
  ['snowboard', 'skiing'],
  ['strength', 'strength'],
  ['weight', 'strength'],
];

/** Maps a sport name from a file to an Optimo sport, or undefined when nothing fits. */
export function sportFromName(name: string | undefined): Sport | undefined {
  if (!name) return undefined;
  const key = name.toLowerCase().replace(/[\s_\-./]+/g, '');
  if (key === '') return undefined;
  const exact = EXACT.get(key);
  if (exact) return exact;
  for (const [part, sport] of CONTAINS) if (key.includes(part)) return sport;
  return undefined;
}
