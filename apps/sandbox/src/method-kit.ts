import { readRecord } from './fields.js';
import type { FieldSpec, ReadRecord } from './fields.js';
import { formatLocal, nextLocalMidnight, parseLocalDate, parseLocalDateTime, resolveLocal } from './local-time.js';
import { firstFailure, hasInputProblems } from './problems.js';
import type { Failure, Problems } from './problems.js';
import type { AccountRow, AccountStore, Fields, StaffRow } from './store.js';
import type { ListQuery, RecordStore } from './store-records.js';
import { xmlContainer, xmlElement } from './xml-write.js';
import type { XmlElement } from './xml-read.js';

/** What every method handler gets and gives back, and the helpers they share. */
export interface MethodContext {
  accounts: AccountStore;
  records: RecordStore;
  account: AccountRow;
  staff: StaffRow;
  /** Epoch milliseconds of this request (the injected clock). */
  now: number;
  /** The quota after this request was counted. */
  quota: { used: number; limit: number; resetsIn: number };
}

export type MethodOutcome = { ok: true; xml: string } | { ok: false; failure: Failure };
export type MethodHandler = (request: XmlElement, context: MethodContext) => MethodOutcome;

export const MAX_PER_PAGE = 100;
export const DEFAULT_PER_PAGE = 25;

export function ok(xml = ''): MethodOutcome {
  return { ok: true, xml };
}

/** The first failing class's answer, or `success()` when nothing failed. */
export function failOr(problems: Problems, success: () => MethodOutcome): MethodOutcome {
  const failure = firstFailure(problems);
  return failure === undefined ? success() : { ok: false, failure };
}

/** Reads a method's arguments (the children of `<request>`). */
export function readArguments(request: XmlElement, fields: ReadonlyMap<string, FieldSpec>, problems: Problems, context: MethodContext, nested: string[] = []): ReadRecord {
  return readRecord(request, fields, problems, { owner: request.attributes.method ?? 'the request', timeZone: context.account.timeZone, nested });
}

/** The single `<name>` child of `<request>` holding a record (`<workout>`, `<athlete>`), or undefined (missing recorded). */
export function recordArgument(request: XmlElement, name: string, problems: Problems): XmlElement | undefined {
  const matches = request.children.filter((child) => child.name === name);
  const others = request.children.filter((child) => child.name !== name);
  for (const other of others) problems.invalid.push(`'${other.name}' is not an argument of ${request.attributes.method ?? 'this method'}.`);
  if (matches.length > 1) problems.invalid.push(`'${name}' is given more than once.`);
  const first = matches[0];
  if (first === undefined || (first.children.length === 0 && first.text.trim() === '')) {
    problems.missing.push(`'${name}' is required.`);
    return undefined;
  }
  return first;
}

/** Value of a read field as text, or undefined when absent, empty or invalid. */
export function textOf(record: ReadRecord, name: string): string | undefined {
  return record.values.get(name) ?? undefined;
}

export function idOf(record: ReadRecord, name: string): number | undefined {
  const text = textOf(record, name);
  return text === undefined ? undefined : Number(text);
}

/**
 * Access to an athlete (optimo-api.md 2.5): an admin reaches every athlete of the account; a coach
 * only those assigned to them, and naming any other id (existing or not) is 40300.
 */
export function canReachAthlete(context: MethodContext, athleteId: number): boolean {
  if (context.staff.role === 'admin') return true;
  const athlete = context.accounts.athlete(athleteId);
  return athlete !== undefined && athlete.accountId === context.account.id && athlete.coachId === context.staff.id;
}

/** Records 40300 for a coach naming an athlete not assigned to them. */
export function checkAthleteAccess(context: MethodContext, athleteId: number | undefined, problems: Problems): void {
  if (athleteId !== undefined && !canReachAthlete(context, athleteId)) problems.access.push(`athlete ${athleteId} is not assigned to you.`);
}

/** True when the athlete exists in this account. */
export function athleteExists(context: MethodContext, athleteId: number): boolean {
  return context.accounts.athlete(athleteId)?.accountId === context.account.id;
}

/** Restricts a list to the coach's athletes (`column` holds an athlete id). */
export function restrictToCoach(context: MethodContext, query: ListQuery, column: string): void {
  if (context.staff.role === 'coach') {
    query.where.push(`${column} IN (SELECT id FROM athletes WHERE coach_id = ?)`);
    query.params.push(context.staff.id);
  }
}

/** Reads `page` and `per_page` (whole numbers ≥ 1; per_page capped at 100). */
export function readPaging(record: ReadRecord, problems: Problems): { page: number; perPage: number } {
  const read = (name: string, fallback: number): number => {
    const text = textOf(record, name);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
      problems.invalid.push(`'${name}' must be a whole number of at least 1.`);
      return fallback;
    }
    return Number(text);
  };
  return { page: read('page', 1), perPage: Math.min(MAX_PER_PAGE, read('per_page', DEFAULT_PER_PAGE)) };
}

export const PAGING_FIELDS: FieldSpec[] = [
  { name: 'page', kind: 'text' },
  { name: 'per_page', kind: 'text' },
];

/** Adds `updated_from` / `updated_to` (a date or a date-time, local, inclusive) to a list query. */
export function addUpdatedFilter(record: ReadRecord, query: ListQuery, problems: Problems, timeZone: string): void {
  for (const name of ['updated_from', 'updated_to'] as const) {
    const text = textOf(record, name);
    if (text === undefined) continue;
    const dateTime = parseLocalDateTime(text);
    const date = parseLocalDate(text);
    if (dateTime !== undefined) {
      const at = resolveLocal(timeZone, dateTime).utcMs;
      // Inclusive: up to the end of the named second.
      query.where.push(name === 'updated_from' ? 'updated >= ?' : 'updated < ?');
      query.params.push(name === 'updated_from' ? at : at + 1000);
    } else if (date !== undefined) {
      const dayStart = resolveLocal(timeZone, date).utcMs;
      // Inclusive: from the first instant of the named day, or up to the first instant of the next.
      query.where.push(name === 'updated_from' ? 'updated >= ?' : 'updated < ?');
      query.params.push(name === 'updated_from' ? dayStart : nextLocalMidnight(timeZone, dayStart));
    } else {
      problems.invalid.push(`'${name}' is not a valid date (YYYY-MM-DD) or date-time (YYYY-MM-DD HH:MM:SS).`);
    }
  }
}

/** Adds `date_from` / `date_to` (local dates, inclusive) on a column holding `YYYY-MM-DD`. */
/**
 * The `athlete_id` filter of a list: a coach naming an athlete not assigned to them is 40300
 * (whether or not it exists), an admin naming a missing athlete 40400.
 */
export function addAthleteFilter(record: ReadRecord, query: ListQuery, problems: Problems, context: MethodContext): void {
  const athleteId = idOf(record, 'athlete_id');
  checkAthleteAccess(context, athleteId, problems);
  if (athleteId === undefined) return;
  if (!hasInputProblems(problems) && !athleteExists(context, athleteId)) problems.notFound.push(`athlete ${athleteId} was not found.`);
  query.where.push('athlete_id = ?');
  query.params.push(athleteId);
}

export function addDateFilter(record: ReadRecord, query: ListQuery, column: string): void {
  const from = textOf(record, 'date_from');
  const to = textOf(record, 'date_to');
  if (from !== undefined) {
    query.where.push(`${column} >= ?`);
    query.params.push(from);
  }
  if (to !== undefined) {
    query.where.push(`${column} <= ?`);
    query.params.push(to);
  }
}

/** `<name page per_page pages total>items</name>` (pages at least 1). */
export function listXml(name: string, items: string[], paging: { page: number; perPage: number }, total: number): string {
  const pages = Math.max(1, Math.ceil(total / paging.perPage));
  return xmlContainer(name, items.join(''), { page: paging.page, per_page: paging.perPage, pages, total });
}

/** The stored fields in answer order, each as an element. */
export function fieldsXml(fields: Fields, order: readonly string[]): string {
  let xml = '';
  for (const name of order) {
    const value = fields[name];
    if (value !== undefined) xml += xmlElement(name, value);
  }
  return xml;
}

/** The account's local wall-clock time of an instant, for `updated`. */
export function localTimeText(context: MethodContext, utcMs: number): string {
  return formatLocal(context.account.timeZone, utcMs);
}
