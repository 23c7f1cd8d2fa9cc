import { ATHLETE_ANSWER_ONLY, ATHLETE_FIELDS, ATHLETE_ORDER, FOLDERS, fieldTable, readRecord, requireFields } from './fields.js';
import {
  PAGING_FIELDS,
  addUpdatedFilter,
  checkAthleteAccess,
  failOr,
  fieldsXml,
  idOf,
  listXml,
  localTimeText,
  ok,
  readArguments,
  readPaging,
  recordArgument,
  restrictToCoach,
  textOf,
} from './method-kit.js';
import type { MethodContext, MethodHandler } from './method-kit.js';
import { createProblems, firstFailure } from './problems.js';
import type { AthleteRow, Fields } from './store.js';
import type { ListQuery } from './store-records.js';
import { xmlContainer, xmlElement } from './xml-write.js';

/** system.current, staff.current and the athlete methods (optimo-api.md 2.4). */

const NO_ARGUMENTS = fieldTable();

export const systemCurrent: MethodHandler = (request, context) => {
  const problems = createProblems();
  readArguments(request, NO_ARGUMENTS, problems, context);
  return failOr(problems, () =>
    ok(
      xmlContainer(
        'system',
        xmlElement('name', context.account.name) +
          xmlElement('timezone', context.account.timeZone) +
          xmlContainer(
            'api',
            xmlElement('requests', context.quota.used) + xmlElement('request_limit', context.quota.limit) + xmlElement('resets_in', context.quota.resetsIn),
          ),
      ),
    ),
  );
};

export const staffCurrent: MethodHandler = (request, context) => {
  const problems = createProblems();
  readArguments(request, NO_ARGUMENTS, problems, context);
  const { staff } = context;
  return failOr(problems, () => {
    const fields: Fields = { staff_id: String(staff.id), username: staff.username };
    if (staff.firstName !== null) fields.first_name = staff.firstName;
    if (staff.lastName !== null) fields.last_name = staff.lastName;
    if (staff.email !== null) fields.email = staff.email;
    fields.role = staff.role;
    return ok(xmlContainer('staff', fieldsXml(fields, ['staff_id', 'username', 'first_name', 'last_name', 'email', 'role'])));
  });
};

export function athleteXml(athlete: AthleteRow, context: MethodContext): string {
  const fields: Fields = { ...athlete.fields, athlete_id: String(athlete.id), folder: athlete.folder, updated: localTimeText(context, athlete.updated) };
  if (athlete.coachId !== null) fields.coach_id = String(athlete.coachId);
  return xmlContainer('athlete', fieldsXml(fields, ATHLETE_ORDER));
}

export const athleteCreate: MethodHandler = (request, context) => {
  const problems = createProblems();
  if (context.staff.role !== 'admin') problems.access.push('athlete.create is for the account admin only.');
  const element = recordArgument(request, 'athlete', problems);
  const record =
    element === undefined
      ? undefined
      : readRecord(element, ATHLETE_FIELDS, problems, { owner: 'athlete', timeZone: context.account.timeZone, answerOnly: ATHLETE_ANSWER_ONLY });
  if (record !== undefined) requireFields(record, ['first_name', 'last_name'], problems);
  const coachId = record === undefined ? undefined : idOf(record, 'coach_id');
  if (coachId !== undefined && firstFailure(problems) === undefined) {
    const coach = context.accounts.staffOfAccount(context.account.id).find((staff) => staff.id === coachId);
    if (coach === undefined) problems.notFound.push(`staff ${coachId} (coach_id) was not found.`);
    else if (coach.role !== 'coach') problems.invalid.push(`'coach_id' must name a coach; staff ${coachId} is the ${coach.role}.`);
  }
  return failOr(problems, () => {
    const fields: Fields = {};
    for (const [name, value] of record?.values ?? []) if (value !== null && name !== 'coach_id') fields[name] = value;
    const id = context.accounts.insertAthlete(context.account.id, coachId ?? null, fields, context.now);
    return ok(xmlElement('athlete_id', id));
  });
};

const ATHLETE_GET_ARGUMENTS = fieldTable({ name: 'athlete_id', kind: 'id' });

export const athleteGet: MethodHandler = (request, context) => {
  const problems = createProblems();
  const record = readArguments(request, ATHLETE_GET_ARGUMENTS, problems, context);
  const athleteId = idOf(record, 'athlete_id');
  checkAthleteAccess(context, athleteId, problems);
  if (!record.invalid.has('athlete_id') && athleteId === undefined) problems.missing.push(`'athlete_id' is required.`);
  const athlete = athleteId === undefined ? undefined : context.accounts.athlete(athleteId);
  if (athleteId !== undefined && athlete?.accountId !== context.account.id) problems.notFound.push(`athlete ${athleteId} was not found.`);
  return failOr(problems, () => ok(athlete === undefined ? '' : athleteXml(athlete, context)));
};

const ATHLETE_LIST_ARGUMENTS = fieldTable(
  { name: 'email', kind: 'text' },
  { name: 'folder', kind: 'enum', values: FOLDERS },
  { name: 'updated_from', kind: 'text' },
  { name: 'updated_to', kind: 'text' },
  ...PAGING_FIELDS,
);

export const athleteList: MethodHandler = (request, context) => {
  const problems = createProblems();
  const record = readArguments(request, ATHLETE_LIST_ARGUMENTS, problems, context);
  const paging = readPaging(record, problems);
  const query: ListQuery = { where: ['account_id = ?', 'folder = ?'], params: [context.account.id, textOf(record, 'folder') ?? 'active'], ...paging };
  const email = textOf(record, 'email');
  if (email !== undefined) {
    query.where.push('lower(email) = lower(?)');
    query.params.push(email);
  }
  addUpdatedFilter(record, query, problems, context.account.timeZone);
  restrictToCoach(context, query, 'id');
  return failOr(problems, () => {
    const result = context.records.listAthletes(query);
    return ok(listXml('athletes', result.rows.map((athlete) => athleteXml(athlete, context)), paging, result.total));
  });
};
