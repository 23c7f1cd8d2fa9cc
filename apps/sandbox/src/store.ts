import Database from 'better-sqlite3';
import { SandboxError } from './errors.js';

/**
 * The sandbox's state in SQLite (better-sqlite3 12): a file given with `--data`, or memory.
 * Records keep their fields as canonical text in a JSON column (what the API answers) and copy
 * the few that lists filter on into indexed columns.
 */
export type Role = 'admin' | 'coach';
export type Folder = 'active' | 'deleted';
export type Fields = Record<string, string>;

export interface AccountRow {
  id: number;
  name: string;
  timeZone: string;
  requestLimit: number;
}

export interface StaffRow {
  id: number;
  accountId: number;
  username: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  role: Role;
  token: string;
}

export interface AthleteRow {
  id: number;
  accountId: number;
  coachId: number | null;
  folder: Folder;
  updated: number;
  fields: Fields;
}

export type SqliteDatabase = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, time_zone TEXT NOT NULL,
  request_limit INTEGER NOT NULL, period_start INTEGER NOT NULL DEFAULT 0, requests INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS staff (
  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), username TEXT NOT NULL,
  first_name TEXT, last_name TEXT, email TEXT, role TEXT NOT NULL CHECK (role IN ('admin', 'coach')),
  token TEXT NOT NULL UNIQUE, UNIQUE (account_id, username)
);
CREATE TABLE IF NOT EXISTS athletes (
  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), coach_id INTEGER REFERENCES staff(id),
  email TEXT, folder TEXT NOT NULL DEFAULT 'active', updated INTEGER NOT NULL, fields TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS athletes_account ON athletes (account_id, coach_id);
CREATE TABLE IF NOT EXISTS workouts (
  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), athlete_id INTEGER NOT NULL REFERENCES athletes(id),
  external_id TEXT, local_date TEXT NOT NULL, folder TEXT NOT NULL DEFAULT 'active', updated INTEGER NOT NULL,
  sample_count INTEGER NOT NULL DEFAULT 0, fields TEXT NOT NULL, laps TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS workouts_external_id ON workouts (account_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS workouts_athlete ON workouts (account_id, athlete_id);
CREATE TABLE IF NOT EXISTS samples (
  workout_id INTEGER NOT NULL REFERENCES workouts(id), offset_ms INTEGER NOT NULL,
  heart_rate REAL, speed REAL, cadence REAL, power REAL, altitude REAL, lat REAL, lon REAL, distance REAL, temperature REAL,
  PRIMARY KEY (workout_id, offset_ms)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS assessments (
  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), athlete_id INTEGER NOT NULL REFERENCES athletes(id),
  external_id TEXT, date TEXT NOT NULL, fields TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS assessments_external_id ON assessments (account_id, external_id) WHERE external_id IS NOT NULL;
`;

/** Opens (creating if needed) the database: a file path, or `:memory:`. */
export function openDatabase(file: string | undefined): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(file ?? ':memory:');
    if (file !== undefined) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
  } catch (cause) {
    throw new SandboxError('bad-data-file', `[sandbox] cannot open the data file ${file ?? ':memory:'}: ${String(cause)}`, { where: file, cause });
  }
  return db;
}

interface AccountDbRow {
  id: number;
  name: string;
  time_zone: string;
  request_limit: number;
  period_start: number;
  requests: number;
}
interface StaffDbRow {
  id: number;
  account_id: number;
  username: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  role: Role;
  token: string;
}
interface AthleteDbRow {
  id: number;
  account_id: number;
  coach_id: number | null;
  folder: Folder;
  updated: number;
  fields: string;
}

function toAccount(row: AccountDbRow): AccountRow {
  return { id: row.id, name: row.name, timeZone: row.time_zone, requestLimit: row.request_limit };
}
function toStaff(row: StaffDbRow): StaffRow {
  return { id: row.id, accountId: row.account_id, username: row.username, firstName: row.first_name, lastName: row.last_name, email: row.email, role: row.role, token: row.token };
}
export function toAthlete(row: AthleteDbRow): AthleteRow {
  return { id: row.id, accountId: row.account_id, coachId: row.coach_id, folder: row.folder, updated: row.updated, fields: JSON.parse(row.fields) as Fields };
}

export interface NewStaff {
  username: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
  email?: string | undefined;
  role: Role;
  token: string;
}

/** Accounts, staff, athletes and the quota counters. */
export function createAccountStore(db: SqliteDatabase) {
  const accountByName = db.prepare<[string], AccountDbRow>('SELECT * FROM accounts WHERE name = ?');
  const accountById = db.prepare<[number], AccountDbRow>('SELECT * FROM accounts WHERE id = ?');
  const allAccounts = db.prepare<[], AccountDbRow>('SELECT * FROM accounts ORDER BY id');
  const insertAccount = db.prepare('INSERT INTO accounts (name, time_zone, request_limit) VALUES (?, ?, ?)');
  const updateAccount = db.prepare('UPDATE accounts SET time_zone = ?, request_limit = ? WHERE id = ?');
  const allStaff = db.prepare<[], StaffDbRow>('SELECT * FROM staff ORDER BY id');
  const staffOfAccount = db.prepare<[number], StaffDbRow>('SELECT * FROM staff WHERE account_id = ? ORDER BY id');
  const insertStaff = db.prepare('INSERT INTO staff (account_id, username, first_name, last_name, email, role, token) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const setStaffToken = db.prepare('UPDATE staff SET token = ? WHERE account_id = ? AND username = ?');
  const athleteById = db.prepare<[number], AthleteDbRow>('SELECT * FROM athletes WHERE id = ?');
  const insertAthlete = db.prepare('INSERT INTO athletes (account_id, coach_id, email, updated, fields) VALUES (?, ?, ?, ?, ?)');
  const athletesOfAccount = db.prepare<[number], AthleteDbRow>('SELECT * FROM athletes WHERE account_id = ? ORDER BY id');
  const quotaRow = db.prepare<[number], AccountDbRow>('SELECT * FROM accounts WHERE id = ?');
  const setQuota = db.prepare('UPDATE accounts SET period_start = ?, requests = ? WHERE id = ?');

  return {
    accountByName: (name: string): AccountRow | undefined => {
      const row = accountByName.get(name);
      return row === undefined ? undefined : toAccount(row);
    },
    accountById: (id: number): AccountRow | undefined => {
      const row = accountById.get(id);
      return row === undefined ? undefined : toAccount(row);
    },
    accounts: (): AccountRow[] => allAccounts.all().map(toAccount),
    insertAccount: (name: string, timeZone: string, requestLimit: number): number => Number(insertAccount.run(name, timeZone, requestLimit).lastInsertRowid),
    updateAccount: (id: number, timeZone: string, requestLimit: number): void => {
      updateAccount.run(timeZone, requestLimit, id);
    },
    staff: (): StaffRow[] => allStaff.all().map(toStaff),
    staffOfAccount: (accountId: number): StaffRow[] => staffOfAccount.all(accountId).map(toStaff),
    /** Gives a staff member a new token (the owner changed their password); false when there is no such member. */
    setStaffToken: (accountId: number, username: string, token: string): boolean => setStaffToken.run(token, accountId, username).changes === 1,
    insertStaff: (accountId: number, staff: NewStaff): number =>
      Number(insertStaff.run(accountId, staff.username, staff.firstName ?? null, staff.lastName ?? null, staff.email ?? null, staff.role, staff.token).lastInsertRowid),
    athlete: (id: number): AthleteRow | undefined => {
      const row = athleteById.get(id);
      return row === undefined ? undefined : toAthlete(row);
    },
    athletesOfAccount: (accountId: number): AthleteRow[] => athletesOfAccount.all(accountId).map(toAthlete),
    insertAthlete: (accountId: number, coachId: number | null, fields: Fields, updated: number): number =>
      Number(insertAthlete.run(accountId, coachId, fields.email ?? null, updated, JSON.stringify(fields)).lastInsertRowid),
    /** Requests counted in the window that starts at `periodStart` (0 when the stored count is of an older window). */
    requestsUsed: (accountId: number, periodStart: number): number => {
      const row = quotaRow.get(accountId);
      return row !== undefined && row.period_start === periodStart ? row.requests : 0;
    },
    setRequestsUsed: (accountId: number, periodStart: number, requests: number): void => {
      setQuota.run(periodStart, requests, accountId);
    },
  };
}

export type AccountStore = ReturnType<typeof createAccountStore>;
