/**
 * Sport names as localized exports write them (Garmin Connect in German, French training logs…)
 * → the English word the shared sport table (`sportFromName`) knows. Keys are folded: lower
 * case, no diacritics.
 */
import { sportFromName } from '@optimo-import/workout';
import type { Sport } from '@optimo-import/workout';
import { foldText } from './datetime.js';

const LOCAL_SPORTS: ReadonlyArray<readonly [string, string]> = [
  // German
  ['laufen', 'running'], ['joggen', 'running'], ['traillauf', 'running'], ['radfahren', 'cycling'], ['rennrad', 'cycling'], ['radsport', 'cycling'],
  ['mountainbiken', 'cycling'], ['schwimmen', 'swimming'], ['gehen', 'walking'], ['spazieren', 'walking'], ['wandern', 'hiking'], ['rudern', 'rowing'],
  ['langlauf', 'skiing'], ['skifahren', 'skiing'], ['krafttraining', 'strength'],
  // French
  ['course a pied', 'running'], ['course', 'running'], ['cyclisme', 'cycling'], ['velo', 'cycling'], ['natation', 'swimming'], ['marche', 'walking'],
  ['randonnee', 'hiking'], ['aviron', 'rowing'], ['ski de fond', 'skiing'], ['musculation', 'strength'],
  // Spanish
  ['carrera', 'running'], ['correr', 'running'], ['ciclismo', 'cycling'], ['natacion', 'swimming'], ['caminata', 'walking'], ['caminar', 'walking'],
  ['senderismo', 'hiking'], ['remo', 'rowing'], ['esqui', 'skiing'], ['fuerza', 'strength'],
  // Italian
  ['corsa', 'running'], ['nuoto', 'swimming'], ['camminata', 'walking'], ['escursionismo', 'hiking'], ['canottaggio', 'rowing'], ['sci', 'skiing'],
  // Dutch
  ['hardlopen', 'running'], ['fietsen', 'cycling'], ['wielrennen', 'cycling'], ['zwemmen', 'swimming'], ['wandelen', 'walking'], ['roeien', 'rowing'], ['schaatsen', 'other'],
  // Portuguese
  ['corrida', 'running'], ['natacao', 'swimming'], ['caminhada', 'walking'], ['trilha', 'hiking'],
];

const BY_NAME: ReadonlyMap<string, string> = new Map(LOCAL_SPORTS);

/** The sport of a name in any of the seven languages; undefined when nothing fits. */
export function sportOfName(name: string | undefined): Sport | undefined {
  if (!name) return undefined;
  const folded = foldText(name).replace(/[\s_\-./]+/g, ' ').trim();
  const local = BY_NAME.get(folded) ?? BY_NAME.get(folded.split(' ')[0] ?? '');
  return sportFromName(name) ?? (local ? sportFromName(local) : undefined);
}
