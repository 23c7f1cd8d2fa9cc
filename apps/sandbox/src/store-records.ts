import { MAX_SAMPLES, SAMPLE_CHANNELS } from './fields.js';
import { toAthlete } from './store.js';
import type { AthleteRow, Fields, Folder, SqliteDatabase } from './store.js';

/** Workouts, their samples and assessments; paged list queries for every record type. */
export interface WorkoutRow {
  id: number;
  accountId: number;
  athleteId: number;
  externalId: string | null;
  localDate: string;
  folder: Folder;
  updated: number;
  sampleCount: number;
  fields: Fields;
  laps: Fields[];
}

export interface AssessmentRow {
  id: number;
  accountId: number;
  athleteId: number;
  externalId: string | null;
  date: string;
  fields: Fields;
}

/** One sample: offset in milliseconds and the channels in SAMPLE_CHANNELS order (null = unknown). */
export interface SampleRow {
  offsetMs: number;
  values: Array<number | null>;
}

/** A list query: SQL conditions (joined with AND) with their parameters, and the page wanted. */
export interface ListQuery {
  where: string[];
  params: Array<string | number>;
  page: number;
  perPage: number;
}

export interface ListResult<T> {
  total: number;
  rows: T[];
}

interface WorkoutDbRow {
  id: number;
  account_id: number;
  athlete_id: number;
  external_id: string | null;
  local_date: string;
  folder: Folder;
  updated: number;
  sample_count: number;
  fields: string;
  laps: string;
}
interface AssessmentDbRow {
  id: number;
  account_id: number;
  athlete_id: number;
  external_id: string | null;
  date: string;
  fields: string;
}

function toWorkout(row: WorkoutDbRow): WorkoutRow {
  return {
    id: row.id,
    accountId: row.account_id,
    athleteId: row.athlete_id,
    externalId: row.external_id,
    localDate: row.local_date,
    folder: row.folder,
    updated: row.updated,
    sampleCount: row.sample_count,
    fields: JSON.parse(row.fields) as Fields,
    laps: JSON.parse(row.laps) as Fields[],
  };
}
function toAssessment(row: AssessmentDbRow): AssessmentRow {
  return { id: row.id, accountId: row.account_id, athleteId: row.athlete_id, externalId: row.external_id, date: row.date, fields: JSON.parse(row.fields) as Fields };
}

/** Thrown inside a transaction to undo it when a workout would pass MAX_SAMPLES. */
export class SampleLimitError extends Error {
  override readonly name = 'SampleLimitError';
  /** The count the workout would have reached. */
  readonly total: number;

  constructor(total: number) {
    super(`the workout would hold ${total} samples`);
    this.total = total;
  }
}

export function createRecordStore(db: SqliteDatabase) {
  const workoutById = db.prepare<[number], WorkoutDbRow>('SELECT * FROM workouts WHERE id = ?');
  const recentWorkouts = db.prepare<[number, number], WorkoutDbRow>('SELECT * FROM workouts WHERE account_id = ? ORDER BY id DESC LIMIT ?');
  const countWorkouts = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM workouts WHERE account_id = ?');
  const workoutByExternalId = db.prepare<[number, string], WorkoutDbRow>('SELECT * FROM workouts WHERE account_id = ? AND external_id = ?');
  const insertWorkout = db.prepare(
    'INSERT INTO workouts (account_id, athlete_id, external_id, local_date, updated, fields, laps) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const updateWorkout = db.prepare('UPDATE workouts SET athlete_id = ?, external_id = ?, local_date = ?, updated = ?, fields = ?, laps = ? WHERE id = ?');
  const setFolder = db.prepare('UPDATE workouts SET folder = ?, updated = ? WHERE id = ?');
  const setSampleCount = db.prepare('UPDATE workouts SET sample_count = ?, updated = ? WHERE id = ?');
  const columns = SAMPLE_CHANNELS.join(', ');
  const insertSample = db.prepare(
    `INSERT OR REPLACE INTO samples (workout_id, offset_ms, ${columns}) VALUES (?, ?, ${SAMPLE_CHANNELS.map(() => '?').join(', ')})`,
  );
  const countSamples = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM samples WHERE workout_id = ?');
  const samplesOf = db.prepare<[number]>(`SELECT offset_ms, ${columns} FROM samples WHERE workout_id = ? ORDER BY offset_ms`).raw(true);
  const assessmentByExternalId = db.prepare<[number, string], AssessmentDbRow>('SELECT * FROM assessments WHERE account_id = ? AND external_id = ?');
  const insertAssessment = db.prepare('INSERT INTO assessments (account_id, athlete_id, external_id, date, fields) VALUES (?, ?, ?, ?, ?)');

  const writeSamples = (workoutId: number, samples: readonly SampleRow[]): void => {
    for (const sample of samples) insertSample.run(workoutId, sample.offsetMs, ...sample.values);
  };

  /** Stores samples by offset (replacing), all or nothing; answers the workout's new total. */
  const addSamples = db.transaction((workoutId: number, samples: readonly SampleRow[], updated: number): number => {
    writeSamples(workoutId, samples);
    const total = countSamples.get(workoutId)?.n ?? 0;
    if (total > MAX_SAMPLES) throw new SampleLimitError(total);
    setSampleCount.run(total, updated, workoutId);
    return total;
  });

  const createWorkout = db.transaction(
    (accountId: number, athleteId: number, fields: Fields, laps: Fields[], samples: readonly SampleRow[], updated: number): number => {
      const id = Number(
        insertWorkout.run(accountId, athleteId, fields.external_id ?? null, (fields.start_time ?? '').slice(0, 10), updated, JSON.stringify(fields), JSON.stringify(laps))
          .lastInsertRowid,
      );
      if (samples.length > 0) {
        writeSamples(id, samples);
        setSampleCount.run(samples.length, updated, id);
      }
      return id;
    },
  );

  function listPage<Db, T>(table: string, query: ListQuery, convert: (row: Db) => T): ListResult<T> {
    const where = query.where.length === 0 ? '' : ` WHERE ${query.where.join(' AND ')}`;
    const total = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}${where}`).get(...query.params) as { n: number }).n;
    const rows = db
      .prepare(`SELECT * FROM ${table}${where} ORDER BY id LIMIT ? OFFSET ?`)
      .all(...query.params, query.perPage, (query.page - 1) * query.perPage) as Db[];
    return { total, rows: rows.map(convert) };
  }

  return {
    workout: (id: number): WorkoutRow | undefined => {
      const row = workoutById.get(id);
      return row === undefined ? undefined : toWorkout(row);
    },
    /** The newest workouts of an account, newest first (for the page). */
    recentWorkouts: (accountId: number, limit: number): { total: number; rows: WorkoutRow[] } => ({
      total: countWorkouts.get(accountId)?.n ?? 0,
      rows: recentWorkouts.all(accountId, limit).map(toWorkout),
    }),
    workoutByExternalId: (accountId: number, externalId: string): WorkoutRow | undefined => {
      const row = workoutByExternalId.get(accountId, externalId);
      return row === undefined ? undefined : toWorkout(row);
    },
    createWorkout: (accountId: number, athleteId: number, fields: Fields, laps: Fields[], samples: readonly SampleRow[], updated: number): number =>
      createWorkout(accountId, athleteId, fields, laps, samples, updated),
    updateWorkout: (id: number, fields: Fields, laps: Fields[], updated: number): void => {
      updateWorkout.run(Number(fields.athlete_id), fields.external_id ?? null, (fields.start_time ?? '').slice(0, 10), updated, JSON.stringify(fields), JSON.stringify(laps), id);
    },
    moveWorkout: (id: number, folder: Folder, updated: number): void => {
      setFolder.run(folder, updated, id);
    },
    addSamples: (workoutId: number, samples: readonly SampleRow[], updated: number): number => addSamples(workoutId, samples, updated),
    samples: (workoutId: number): SampleRow[] =>
      (samplesOf.all(workoutId) as Array<Array<number | null>>).map(([offsetMs, ...values]) => ({ offsetMs: offsetMs ?? 0, values })),
    assessmentByExternalId: (accountId: number, externalId: string): AssessmentRow | undefined => {
      const row = assessmentByExternalId.get(accountId, externalId);
      return row === undefined ? undefined : toAssessment(row);
    },
    insertAssessment: (accountId: number, fields: Fields): number =>
      Number(insertAssessment.run(accountId, Number(fields.athlete_id), fields.external_id ?? null, fields.date ?? '', JSON.stringify(fields)).lastInsertRowid),
    listAthletes: (query: ListQuery): ListResult<AthleteRow> => listPage('athletes', query, toAthlete),
    listWorkouts: (query: ListQuery): ListResult<WorkoutRow> => listPage('workouts', query, toWorkout),
    listAssessments: (query: ListQuery): ListResult<AssessmentRow> => listPage('assessments', query, toAssessment),
  };
}

export type RecordStore = ReturnType<typeof createRecordStore>;
