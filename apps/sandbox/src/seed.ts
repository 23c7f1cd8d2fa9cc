import { randomBytes } from 'node:crypto';
import { formatDecimal } from './decimal.js';
import { SandboxError } from './errors.js';
import { parseLocalDate, isValidTimeZone } from './local-time.js';
import type { AccountStore, Fields, Role, SqliteDatabase } from './store.js';

/**
 * The seed file (`--seed FILE`, JSON): accounts with their zone and quota, staff with roles and
 * tokens, athletes and which coach each is assigned to; optionally faults. See README.md for a
 * full example. Without one, the sandbox starts with DEMO: one account, an admin, a coach and
 * three athletes (two assigned to the coach).
 */
export interface SeedStaff {
  username: string;
  role: Role;
  /** Random (32 hex digits) when left out. Unique across all accounts. */
  token?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
}

export interface SeedAthlete {
  firstName: string;
  lastName: string;
  email?: string;
  /** Username of the coach the athlete is assigned to. */
  coach?: string;
  birthDate?: string;
  sex?: 'F' | 'M' | 'X';
  weight?: number;
  maxHeartRate?: number;
  restingHeartRate?: number;
}

export interface SeedAccount {
  name: string;
  /** IANA zone; default `UTC`. */
  timeZone?: string;
  /** Requests per day; default 5000. */
  quota?: number;
  staff: SeedStaff[];
  athletes?: SeedAthlete[];
}

export interface SeedFile {
  /** Same syntax as `--faults`; the flag wins when both are given. */
  faults?: string;
  faultsSeed?: number;
  accounts: SeedAccount[];
}

export const DEFAULT_QUOTA = 5000;

function bad(where: string, message: string): never {
  throw new SandboxError('bad-seed', `[seed] ${where}: ${message}`, { where });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) bad(where, `unknown key '${key}' (allowed: ${allowed.join(', ')})`);
}

function optionalString(value: Record<string, unknown>, key: string, where: string): string | undefined {
  const field = value[key];
  if (field === undefined) return undefined;
  if (typeof field !== 'string' || field.trim() === '') bad(`${where}.${key}`, 'must be a non-empty string');
  return field.trim();
}

function requiredString(value: Record<string, unknown>, key: string, where: string): string {
  const field = optionalString(value, key, where);
  if (field === undefined) bad(`${where}.${key}`, 'is required');
  return field;
}

function optionalNumber(value: Record<string, unknown>, key: string, where: string, whole = false): number | undefined {
  const field = value[key];
  if (field === undefined) return undefined;
  if (typeof field !== 'number' || !Number.isFinite(field) || field < 0 || (whole && !Number.isInteger(field))) {
    bad(`${where}.${key}`, whole ? 'must be a whole number, not negative' : 'must be a number, not negative');
  }
  return field;
}

function readStaff(value: unknown, where: string): SeedStaff {
  if (!isObject(value)) bad(where, 'must be an object');
  checkKeys(value, ['username', 'role', 'token', 'firstName', 'lastName', 'email'], where);
  const role = value.role;
  if (role !== 'admin' && role !== 'coach') bad(`${where}.role`, "must be 'admin' or 'coach'");
  const staff: SeedStaff = { username: requiredString(value, 'username', where), role };
  for (const key of ['token', 'firstName', 'lastName', 'email'] as const) {
    const field = optionalString(value, key, where);
    if (field !== undefined) staff[key] = field;
  }
  return staff;
}

function readAthlete(value: unknown, where: string): SeedAthlete {
  if (!isObject(value)) bad(where, 'must be an object');
  checkKeys(value, ['firstName', 'lastName', 'email', 'coach', 'birthDate', 'sex', 'weight', 'maxHeartRate', 'restingHeartRate'], where);
  const athlete: SeedAthlete = { firstName: requiredString(value, 'firstName', where), lastName: requiredString(value, 'lastName', where) };
  for (const key of ['email', 'coach', 'birthDate'] as const) {
    const field = optionalString(value, key, where);
    if (field !== undefined) athlete[key] = field;
  }
  if (athlete.birthDate !== undefined && parseLocalDate(athlete.birthDate) === undefined) bad(`${where}.birthDate`, 'must be a date, YYYY-MM-DD');
  if (value.sex !== undefined) {
    if (value.sex !== 'F' && value.sex !== 'M' && value.sex !== 'X') bad(`${where}.sex`, "must be 'F', 'M' or 'X'");
    athlete.sex = value.sex;
  }
  for (const key of ['weight', 'maxHeartRate', 'restingHeartRate'] as const) {
    const field = optionalNumber(value, key, where);
    if (field !== undefined) athlete[key] = field;
  }
  return athlete;
}

function readAccount(value: unknown, where: string): SeedAccount {
  if (!isObject(value)) bad(where, 'must be an object');
  checkKeys(value, ['name', 'timeZone', 'quota', 'staff', 'athletes'], where);
  const account: SeedAccount = { name: requiredString(value, 'name', where), staff: [] };
  const timeZone = optionalString(value, 'timeZone', where);
  if (timeZone !== undefined) {
    if (!isValidTimeZone(timeZone)) bad(`${where}.timeZone`, `'${timeZone}' is not an IANA time zone`);
    account.timeZone = timeZone;
  }
  const quota = optionalNumber(value, 'quota', where, true);
  if (quota !== undefined) account.quota = quota;
  if (!Array.isArray(value.staff) || value.staff.length === 0) bad(`${where}.staff`, 'must be a non-empty array');
  account.staff = value.staff.map((staff, index) => readStaff(staff, `${where}.staff[${index}]`));
  const usernames = new Set<string>();
  account.staff.forEach((staff, index) => {
    if (usernames.has(staff.username)) bad(`${where}.staff[${index}].username`, `'${staff.username}' is used twice in this account`);
    usernames.add(staff.username);
  });
  if (value.athletes !== undefined) {
    if (!Array.isArray(value.athletes)) bad(`${where}.athletes`, 'must be an array');
    account.athletes = value.athletes.map((athlete, index) => readAthlete(athlete, `${where}.athletes[${index}]`));
    account.athletes.forEach((athlete, index) => {
      if (athlete.coach !== undefined && !account.staff.some((staff) => staff.username === athlete.coach && staff.role === 'coach')) {
        bad(`${where}.athletes[${index}].coach`, `'${athlete.coach}' is not a coach of this account`);
      }
    });
  }
  return account;
}

/** Checks a parsed seed file; throws SandboxError('bad-seed') naming the first bad place. */
export function validateSeed(value: unknown): SeedFile {
  if (!isObject(value)) bad('seed', 'must be a JSON object');
  checkKeys(value, ['faults', 'faultsSeed', 'accounts'], 'seed');
  if (!Array.isArray(value.accounts) || value.accounts.length === 0) bad('accounts', 'must be a non-empty array');
  const seed: SeedFile = { accounts: value.accounts.map((account, index) => readAccount(account, `accounts[${index}]`)) };
  const faults = optionalString(value, 'faults', 'seed');
  if (faults !== undefined) seed.faults = faults;
  const faultsSeed = optionalNumber(value, 'faultsSeed', 'seed', true);
  if (faultsSeed !== undefined) seed.faultsSeed = faultsSeed;
  const names = new Set<string>();
  const tokens = new Set<string>();
  seed.accounts.forEach((account, index) => {
    if (names.has(account.name)) bad(`accounts[${index}].name`, `'${account.name}' is used twice`);
    names.add(account.name);
    account.staff.forEach((staff, staffIndex) => {
      if (staff.token === undefined) return;
      if (tokens.has(staff.token)) bad(`accounts[${index}].staff[${staffIndex}].token`, 'is already the token of another staff member (tokens are unique across accounts)');
      tokens.add(staff.token);
    });
  });
  return seed;
}

export function randomToken(): string {
  return randomBytes(16).toString('hex');
}

/** The built-in demo: account `demo`, admin `admin`, coach `coach`, three athletes (two coached). */
export function demoSeed(timeZone: string, quota: number): SeedFile {
  return {
    accounts: [
      {
        name: 'demo',
        timeZone,
        quota,
        staff: [
          { username: 'admin', role: 'admin', firstName: 'Ana', lastName: 'Admin', email: 'admin@demo.example' },
          { username: 'coach', role: 'coach', firstName: 'Carlos', lastName: 'Coach', email: 'coach@demo.example' },
        ],
        athletes: [
          { firstName: 'Rita', lastName: 'Runner', email: 'rita@demo.example', coach: 'coach', sex: 'F', birthDate: '1991-04-12', weight: 58, maxHeartRate: 192, restingHeartRate: 46 },
          { firstName: 'Bruno', lastName: 'Bike', email: 'bruno@demo.example', coach: 'coach', sex: 'M', birthDate: '1986-09-30', weight: 74.5, maxHeartRate: 184 },
          { firstName: 'Sara', lastName: 'Swim', email: 'sara@demo.example', sex: 'X', birthDate: '1999-01-05' },
        ],
      },
    ],
  };
}

function athleteFields(athlete: SeedAthlete): Fields {
  const fields: Fields = { first_name: athlete.firstName, last_name: athlete.lastName };
  if (athlete.email !== undefined) fields.email = athlete.email;
  if (athlete.birthDate !== undefined) fields.birth_date = athlete.birthDate;
  if (athlete.sex !== undefined) fields.sex = athlete.sex;
  if (athlete.weight !== undefined) fields.weight = formatDecimal(athlete.weight);
  if (athlete.maxHeartRate !== undefined) fields.max_heart_rate = formatDecimal(athlete.maxHeartRate);
  if (athlete.restingHeartRate !== undefined) fields.resting_heart_rate = formatDecimal(athlete.restingHeartRate);
  return fields;
}

/**
 * Puts the seed into the database. An account that the data file already holds (same name) keeps
 * its staff, athletes and records; only its zone and quota follow the seed.
 */
export function applySeed(db: SqliteDatabase, accounts: AccountStore, seed: SeedFile, now: number): void {
  const apply = db.transaction(() => {
    seed.accounts.forEach((account, index) => {
      const timeZone = account.timeZone ?? 'UTC';
      const quota = account.quota ?? DEFAULT_QUOTA;
      const existing = accounts.accountByName(account.name);
      if (existing !== undefined) {
        accounts.updateAccount(existing.id, timeZone, quota);
        return;
      }
      const accountId = accounts.insertAccount(account.name, timeZone, quota);
      const staffIds = new Map<string, number>();
      account.staff.forEach((staff, staffIndex) => {
        try {
          staffIds.set(staff.username, accounts.insertStaff(accountId, { ...staff, token: staff.token ?? randomToken() }));
        } catch (cause) {
          throw new SandboxError('bad-seed', `[seed] accounts[${index}].staff[${staffIndex}].token: already used by staff of another account in the data file`, {
            where: `accounts[${index}].staff[${staffIndex}].token`,
            cause,
          });
        }
      });
      for (const athlete of account.athletes ?? []) {
        accounts.insertAthlete(accountId, athlete.coach === undefined ? null : (staffIds.get(athlete.coach) ?? null), athleteFields(athlete), now);
      }
    });
  });
  apply();
}
