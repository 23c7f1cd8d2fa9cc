import { ASSESSMENT_FIELDS, ASSESSMENT_ORDER, ASSESSMENT_REQUIRED, fieldTable, readRecord, requireFields } from './fields.js';
import {
  addAthleteFilter,
  PAGING_FIELDS,
  addDateFilter,
  failOr,
  athleteExists,
  checkAthleteAccess,
  fieldsXml,
  idOf,
  listXml,
  ok,
  readArguments,
  readPaging,
  recordArgument,
  restrictToCoach,
  textOf,
} from './method-kit.js';
import type { MethodHandler } from './method-kit.js';
import { createProblems, hasInputProblems } from './problems.js';
import type { Fields } from './store.js';
import type { AssessmentRow, ListQuery } from './store-records.js';
import { xmlContainer, xmlElement } from './xml-write.js';

/** assessment.create and assessment.list (optimo-api.md 2.4, 2.5). */

export const assessmentCreate: MethodHandler = (request, context) => {
  const problems = createProblems();
  const element = recordArgument(request, 'assessment', problems);
  const record =
    element === undefined
      ? undefined
      : readRecord(element, ASSESSMENT_FIELDS, problems, { owner: 'assessment', timeZone: context.account.timeZone, answerOnly: ['assessment_id'] });
  if (record !== undefined) requireFields(record, ASSESSMENT_REQUIRED, problems);
  const athleteId = record === undefined ? undefined : idOf(record, 'athlete_id');
  checkAthleteAccess(context, athleteId, problems);
  if (!hasInputProblems(problems) && record !== undefined) {
    if (athleteId !== undefined && !athleteExists(context, athleteId)) problems.notFound.push(`athlete ${athleteId} was not found.`);
    const externalId = textOf(record, 'external_id');
    const existing = externalId === undefined || problems.notFound.length > 0 ? undefined : context.records.assessmentByExternalId(context.account.id, externalId);
    if (existing !== undefined) {
      problems.duplicate.push(`an assessment with external_id '${externalId}' already exists (assessment ${existing.id}).`);
      problems.duplicateExtra = `\n  ${xmlElement('assessment_id', existing.id)}`;
    }
  }
  return failOr(problems, () => {
    const fields: Fields = {};
    for (const [name, value] of record?.values ?? []) if (value !== null) fields[name] = value;
    return ok(xmlElement('assessment_id', context.records.insertAssessment(context.account.id, fields)));
  });
};

function assessmentXml(assessment: AssessmentRow): string {
  return xmlContainer('assessment', fieldsXml({ ...assessment.fields, assessment_id: String(assessment.id) }, ASSESSMENT_ORDER));
}

const ASSESSMENT_LIST_ARGUMENTS = fieldTable(
  { name: 'athlete_id', kind: 'id' },
  { name: 'date_from', kind: 'date' },
  { name: 'date_to', kind: 'date' },
  ...PAGING_FIELDS,
);

export const assessmentList: MethodHandler = (request, context) => {
  const problems = createProblems();
  const record = readArguments(request, ASSESSMENT_LIST_ARGUMENTS, problems, context);
  const paging = readPaging(record, problems);
  const query: ListQuery = { where: ['account_id = ?'], params: [context.account.id], ...paging };
  addAthleteFilter(record, query, problems, context);
  addDateFilter(record, query, 'date');
  restrictToCoach(context, query, 'athlete_id');
  return failOr(problems, () => {
    const result = context.records.listAssessments(query);
    return ok(listXml('assessments', result.rows.map(assessmentXml), paging, result.total));
  });
};
