/**
 * Polar `.pdd` day files (ProTrainer / Precision Performance): the day's exercises with their
 * name, note, sport and the files that hold their recordings (`YYMMDDNN.hrm`, a `.gpx`, an R-R file).
 *
 * ```
 * [DayInfo]
 * 100  1  7  6  1  512        row 0: version, info rows, number rows, number columns, text rows, text size
 * 20230321  1  17  0  8000  0 number row 1: date, exercise count, …
 * …                           more number rows, then the text rows (the day's note)
 * [ExerciseInfo1]
 * 101  1  25  6  12  512      row 0, as above (version 101)
 * 0  0  0  19700  58744  4950 number row 1: …, start (s after midnight), total time (s)
 * 2  197  0  2  0  832        number row 2: sport id, …, energy (kcal)
 * 19700  …                    number row 3: distance (m)
 * …
 * Arzler Alm Trail            text row 0: name; 1: note; 2: HRM file; 3, 4: link and its text;
 * …                           5: location (GPX) file; 6: R-R file
 * ```
 *
 * Strict on structure: the file starts with `[DayInfo]` version 100 and a real date; an
 * `[ExerciseInfoN]` that is not version 101 is skipped with a warning. Lenient on values: a
 * number that is missing or out of range leaves its field out. Text is Latin-1 (or UTF-8).
 */
import { createWarnings } from '@optimo-import/workout';
import type { Sport, Warning, Workout } from '@optimo-import/workout';
import { ParseError } from '../errors.js';
import { readDate } from './hrm-params.js';
import { baseNameOf, decodePolarText, fieldsOf, intOf, readPolarSections } from './polar-text.js';
import type { PolarSection } from './polar-text.js';
import { sportFromPolarId } from './polar-sports.js';

export interface PddExercise {
  /** N of `[ExerciseInfoN]`. */
  number: number;
  name?: string;
  note?: string;
  /** The sport id as written (the user's sport list in Polar's software). */
  sportId?: number;
  /** Our sport for the id, when it is one of Polar's defaults (1 running, 2 cycling, 3 swimming). */
  sport?: Sport;
  /** Local wall-clock start, `YYYY-MM-DD HH:MM:SS` (no zone: Polar writes local time). */
  startTime?: string;
  /** Seconds after local midnight. */
  startSeconds?: number;
  totalSeconds?: number;
  distanceMeters?: number;
  energyKilocalories?: number;
  /** File names as written (no folder when the file sits next to the .pdd). */
  hrmFile?: string;
  gpxFile?: string;
  rrFile?: string;
}

export interface PddDay {
  fileName?: string;
  /** `YYYY-MM-DD`. */
  date: string;
  note?: string;
  exercises: PddExercise[];
  warnings: Warning[];
}

/** Number row → field, as `[row, column]` (1-based rows after row 0, 0-based columns). */
const EXERCISE_NUMBERS = {
  startSeconds: [1, 4],
  totalSeconds: [1, 5],
  sportId: [2, 0],
  energyKilocalories: [2, 5],
  distanceMeters: [3, 0],
} as const;

/** Text row → field. */
const EXERCISE_TEXTS = {
  name: 0,
  note: 1,
  hrmFile: 2,
  gpxFile: 5,
  rrFile: 6,
} as const;

interface Table {
  version?: number;
  numbers: string[][];
  texts: string[];
}

/** A `.pdd` section's row 0 counts, its number rows and its text rows. */
function tableOf(section: PolarSection): Table {
  const header = fieldsOf(section.lines[0] ?? '').map((f) => intOf(f));
  const [version, infoRows, numberRows, , textRows] = header;
  const info = Math.max(1, Math.min(infoRows ?? 1, section.lines.length));
  const rows = Math.max(0, Math.min(numberRows ?? 0, section.lines.length));
  const texts = Math.max(0, Math.min(textRows ?? 0, section.lines.length));
  return {
    version,
    numbers: section.lines.slice(info, info + rows).map(fieldsOf),
    texts: section.lines.slice(info + rows, info + rows + texts).map((t) => t.trim()),
  };
}

function pddError(message: string, fileName: string | undefined): ParseError {
  return new ParseError({ code: 'corrupt', format: 'polar-hrm', file: fileName, message: `not a readable Polar day file (.pdd): ${message}` });
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Day files are a few kilobytes; one this large is not one (and is not read line by line). */
export const PDD_MAX_BYTES = 1024 * 1024;

/** Reads a `.pdd` day file; throws ParseError (`corrupt`, or `too-large` past PDD_MAX_BYTES) when it is not one. */
export function readPdd(bytes: Uint8Array, fileName?: string): PddDay {
  if (bytes.length > PDD_MAX_BYTES) {
    throw new ParseError({ code: 'too-large', format: 'polar-hrm', file: fileName, message: `a .pdd day file of ${bytes.length} bytes; day files are a few kilobytes (at most ${PDD_MAX_BYTES} read)` });
  }
  const { sections } = readPolarSections(decodePolarText(bytes));
  const dayInfo = sections.get('DayInfo');
  if (!dayInfo) throw pddError('it has no [DayInfo] section', fileName);
  const day = tableOf(dayInfo);
  if (day.version !== 100) throw pddError(`[DayInfo] is version ${day.version ?? '(none)'}, not 100`, fileName);
  const ymd = readDate(day.numbers[0]?.[0]);
  if (!ymd) throw pddError(`[DayInfo] date "${day.numbers[0]?.[0] ?? ''}" is not a date (YYYYMMDD)`, fileName);
  const date = `${ymd[0]}-${pad(ymd[1])}-${pad(ymd[2])}`;
  const warnings = createWarnings();
  const exercises: PddExercise[] = [];
  for (const section of sections.values()) {
    const m = /^ExerciseInfo(\d{1,3})$/.exec(section.name);
    if (!m) continue;
    const table = tableOf(section);
    if (table.version !== 101) {
      warnings.add('pdd-exercise-skipped', `[${section.name}] is version ${table.version ?? '(none)'}, not 101; it was skipped`);
      continue;
    }
    exercises.push(exerciseOf(Number(m[1]), table, date));
  }
  exercises.sort((a, b) => a.number - b.number);
  const result: PddDay = { date, exercises, warnings: warnings.list() };
  if (fileName !== undefined) result.fileName = fileName;
  const note = day.texts[0];
  if (note) result.note = note;
  return result;
}

function exerciseOf(number: number, table: Table, date: string): PddExercise {
  const exercise: PddExercise = { number };
  const num = (key: keyof typeof EXERCISE_NUMBERS): number | undefined => {
    const [row, column] = EXERCISE_NUMBERS[key];
    return intOf(table.numbers[row - 1]?.[column]);
  };
  const start = num('startSeconds');
  if (start !== undefined && start >= 0 && start < 86_400) {
    exercise.startSeconds = start;
    exercise.startTime = `${date} ${pad(Math.floor(start / 3600))}:${pad(Math.floor(start / 60) % 60)}:${pad(start % 60)}`;
  }
  const total = num('totalSeconds');
  if (total !== undefined && total > 0) exercise.totalSeconds = total;
  const sportId = num('sportId');
  if (sportId !== undefined && sportId > 0) {
    exercise.sportId = sportId;
    const sport = sportFromPolarId(sportId);
    if (sport) exercise.sport = sport;
  }
  const energy = num('energyKilocalories');
  if (energy !== undefined && energy > 0) exercise.energyKilocalories = energy;
  const distance = num('distanceMeters');
  if (distance !== undefined && distance > 0) exercise.distanceMeters = distance;
  for (const [key, row] of Object.entries(EXERCISE_TEXTS) as [keyof typeof EXERCISE_TEXTS, number][]) {
    const text = table.texts[row];
    if (text) exercise[key] = text;
  }
  return exercise;
}

/**
 * The exercise of a day that belongs to an HRM file: the one whose HRM (or R-R) link names the
 * file; else, given the parsed workout, the only one that starts within a minute of it (local
 * time) on the same day.
 */
export function findPddExercise(day: PddDay, hrmFileName: string, workout?: Workout): PddExercise | undefined {
  const base = baseNameOf(hrmFileName).toLowerCase();
  const linked = day.exercises.find((e) => [e.hrmFile, e.rrFile].some((f) => f !== undefined && baseNameOf(f).toLowerCase() === base));
  if (linked || !workout) return linked;
  const wall = new Date(workout.startTime + (workout.utcOffsetMinutes ?? 0) * 60_000);
  if (wall.toISOString().slice(0, 10) !== day.date) return undefined;
  const seconds = wall.getUTCHours() * 3600 + wall.getUTCMinutes() * 60 + wall.getUTCSeconds();
  const near = day.exercises.filter((e) => e.startSeconds !== undefined && Math.abs(e.startSeconds - seconds) <= 60);
  return near.length === 1 ? near[0] : undefined;
}

/**
 * The workout with what the day file knows: the exercise's name, its note (after the HRM's own
 * note when both differ), its sport when the id is one of Polar's defaults (replacing an
 * inferred or unknown sport), its energy when the workout has none.
 */
export function applyPddExercise(workout: Workout, exercise: PddExercise, day?: PddDay): Workout {
  const extras: Record<string, string | number | boolean> = { ...workout.extras, 'pdd-exercise': exercise.number };
  if (day?.fileName !== undefined) extras['companion-pdd'] = baseNameOf(day.fileName);
  const out: Workout = { ...workout, sourceSport: { ...workout.sourceSport }, extras };
  if (exercise.name) out.name = exercise.name;
  if (exercise.note && exercise.note !== workout.notes) out.notes = workout.notes ? `${workout.notes}\n${exercise.note}` : exercise.note;
  let warnings = workout.warnings;
  if (exercise.sportId !== undefined) {
    out.sourceSport.sport = String(exercise.sportId);
    if (exercise.sport) {
      out.sport = exercise.sport;
      warnings = warnings.filter((w) => w.code !== 'sport-unknown' && w.code !== 'sport-inferred');
    } else {
      warnings = [
        ...warnings.filter((w) => w.code !== 'sport-unknown'),
        { code: 'sport-unknown', message: `the .pdd names sport id ${exercise.sportId}, one of the user's own sports in Polar's software; kept as ${workout.sport}`, count: 1 },
      ];
    }
  }
  if (out.energyKilocalories === undefined && exercise.energyKilocalories !== undefined) out.energyKilocalories = exercise.energyKilocalories;
  out.warnings = warnings;
  return out;
}
