/**
 * Shared by both Polar XML dialects (polarpersonaltrainer.com exports and RS200sd sessions):
 * clock durations (`00:52:36`, `00:50`, `02:09:.100`), the UTC start of a local wall-clock
 * time, and sport names that are free text in the account's language.
 */
import { sportFromName } from '@optimo-import/workout';
import type { OffsetSource, Sport, WarningCollector, WorkoutDraft } from '@optimo-import/workout';
import { resolveLocalStart } from './local-time.js';

/**
 * Seconds of a Polar clock duration, NaN when unreadable:
 *
 * | text          | seconds  | note                                                      |
 * | ------------- | -------- | --------------------------------------------------------- |
 * | `00:52:36`    | 3156     | HH:MM:SS                                                  |
 * | `00:05:50.700`| 350.7    | fractions with `.` or `,`                                 |
 * | `02:09:.100`  | 7740.1   | empty seconds (a real export): 0 s and the fraction       |
 * | `00:50`       | 3000     | two parts are HH:MM (a real export: 12.3 km in "00:50")   |
 * | `01`          | 3600     | one or two digits alone are hours                          |
 */
export function parseClockDuration(text: string | undefined): number {
  if (text === undefined) return NaN;
  const parts = text.trim().split(':');
  if (parts.length > 3 || parts.some((p) => p.length > 12)) return NaN;
  const whole = (p: string): number => (/^\d+$/.test(p) ? Number(p) : NaN);
  if (parts.length === 1) return /^\d{1,2}$/.test(parts[0] as string) ? Number(parts[0]) * 3600 : NaN;
  const hours = whole(parts[0] as string);
  const minutes = whole(parts[1] as string);
  let seconds = 0;
  if (parts.length === 3) {
    const s = (parts[2] as string).replace(',', '.');
    seconds = s === '' ? 0 : /^\d*(\.\d*)?$/.test(s) && s !== '.' ? Number(s.startsWith('.') ? `0${s}` : s) : NaN;
  }
  const total = hours * 3600 + minutes * 60 + seconds;
  return Number.isFinite(total) ? total : NaN;
}

/** A workout draft whose warnings are still being collected. */
export type PolarDraft = WorkoutDraft & { warnings: WarningCollector };

export interface ResolvedStart {
  startTime: number;
  utcOffsetMinutes?: number;
  utcOffsetSource: OffsetSource;
}

/**
 * The UTC start of a wall-clock time (epoch ms read as if UTC) that the file gives without a
 * zone: the `timeZone` option, else this machine's zone (`resolveLocalStart`); daylight-saving
 * gaps and overlaps, and the machine-zone assumption, become warnings.
 */
export function startFromWallClock(wallMs: number, timeZone: string | undefined, warnings: WarningCollector): ResolvedStart {
  const start = resolveLocalStart(wallMs, timeZone);
  if (start.warning) warnings.add(start.warning.code, start.warning.message);
  return {
    startTime: start.utcMs,
    utcOffsetMinutes: start.offsetMinutes,
    utcOffsetSource: start.zoneSource === 'configured' ? 'time-zone-option' : 'machine-zone',
  };
}

/**
 * polarpersonaltrainer.com writes the sport in the account's language. Stems of the languages
 * Polar's web service offered, tried in order (skiing before running: `Skilanglauf`), on the
 * name lower-cased without accents, spaces, dashes and dots. English names go through
 * `sportFromName` first.
 */
const LOCALIZED_STEMS: ReadonlyArray<readonly [string, Sport]> = [
  ['triathlon', 'multisport'],
  ['ski', 'skiing'],
  ['langlauf', 'skiing'],
  ['hiiht', 'skiing'], // fi: hiihto
  ['lauf', 'running'], // de: Laufen, Dauerlauf
  ['jogg', 'running'],
  ['juoks', 'running'], // fi: juoksu
  ['lopning', 'running'], // sv: löpning
  ['hardlop', 'running'], // nl: hardlopen
  ['courseapied', 'running'], // fr
  ['correr', 'running'], // es
  ['carrera', 'running'],
  ['corsa', 'running'], // it
  ['radfahr', 'cycling'], // de: Radfahren
  ['radsport', 'cycling'],
  ['rennrad', 'cycling'],
  ['fahrrad', 'cycling'],
  ['velo', 'cycling'], // fr: vélo
  ['ciclis', 'cycling'], // es/it: ciclismo
  ['fiets', 'cycling'], // nl: fietsen
  ['wielren', 'cycling'],
  ['pyorail', 'cycling'], // fi: pyöräily
  ['spinning', 'cycling'],
  ['schwimm', 'swimming'], // de
  ['natation', 'swimming'], // fr
  ['natacion', 'swimming'], // es
  ['nuoto', 'swimming'], // it
  ['zwem', 'swimming'], // nl
  ['uinti', 'swimming'], // fi
  ['simning', 'swimming'], // sv
  ['wander', 'hiking'], // de: Wandern
  ['randonn', 'hiking'], // fr
  ['senderis', 'hiking'], // es
  ['escursion', 'hiking'], // it
  ['vaell', 'hiking'], // fi
  ['wandel', 'walking'], // nl
  ['spazier', 'walking'], // de
  ['gehen', 'walking'],
  ['marche', 'walking'], // fr
  ['camin', 'walking'], // es/it
  ['kavel', 'walking'], // fi: kävely
  ['rudern', 'rowing'], // de
  ['aviron', 'rowing'], // fr
  ['remo', 'rowing'], // es/it
  ['roei', 'rowing'], // nl
  ['soutu', 'rowing'], // fi
  ['kraft', 'strength'], // de: Krafttraining
  ['muscu', 'strength'], // fr: musculation
  ['voima', 'strength'], // fi: voimaharjoittelu
];

function normalizeName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\s_\-./]+/g, '');
}

/** An Optimo sport for Polar's free-text sport name (English or localized), or undefined. */
export function polarSportFromName(name: string | undefined): Sport | undefined {
  if (!name) return undefined;
  const english = sportFromName(name);
  if (english) return english;
  const key = normalizeName(name);
  if (key === '') return undefined;
  for (const [stem, sport] of LOCALIZED_STEMS) if (key.includes(stem)) return sport;
  return undefined;
}

/** The sport of an exercise from the names it gives, in order of trust; `other` with a warning when none fits. */
export function polarSport(names: readonly (string | undefined)[], warnings: WarningCollector): Sport {
  for (const name of names) {
    const sport = polarSportFromName(name);
    if (sport) return sport;
  }
  const named = names.find((n) => n !== undefined && n.trim() !== '');
  warnings.add('sport-unknown', named ? `sport "${named.trim()}" is not one we know; imported as other` : 'the exercise names no sport; imported as other');
  return 'other';
}

/** Reasons for skipped exercises, for one message: the first five and how many more. */
export function listReasons(reasons: readonly string[]): string {
  const shown = reasons.slice(0, 5).join('; ');
  return reasons.length > 5 ? `${shown}; and ${reasons.length - 5} more` : shown;
}

/** A number from text: NaN when empty, unreadable or not finite (a decimal comma is read as a point). */
export function numberOf(text: string | undefined): number {
  if (text === undefined) return NaN;
  const t = text.trim();
  if (t === '') return NaN;
  let v = Number(t);
  if (v !== v && t.indexOf(',') >= 0) v = Number(t.replace(',', '.'));
  return Number.isFinite(v) ? v : NaN;
}
