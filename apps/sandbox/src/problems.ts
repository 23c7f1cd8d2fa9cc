import type { ApiErrorCode } from './xml-write.js';

/**
 * Problems found in one request, by class. The answer names only the first class that has any
 * (optimo-api.md 2.5: access → missing → invalid → not found → duplicate), with one `<error>` for
 * every problem of that class.
 */
export interface Problems {
  access: string[];
  missing: string[];
  invalid: string[];
  notFound: string[];
  duplicate: string[];
  /** XML to add to a 40900 answer: the existing record's id. */
  duplicateExtra: string;
}

export interface Failure {
  code: ApiErrorCode;
  errors: string[];
  extra: string;
}

export function createProblems(): Problems {
  return { access: [], missing: [], invalid: [], notFound: [], duplicate: [], duplicateExtra: '' };
}

const ORDER: ReadonlyArray<[keyof Omit<Problems, 'duplicateExtra'>, ApiErrorCode]> = [
  ['access', 40300],
  ['missing', 40020],
  ['invalid', 40030],
  ['notFound', 40400],
  ['duplicate', 40900],
];

/** The failure to answer, or undefined when nothing is wrong. */
export function firstFailure(problems: Problems): Failure | undefined {
  for (const [key, code] of ORDER) {
    const errors = problems[key];
    if (errors.length > 0) return { code, errors, extra: key === 'duplicate' ? problems.duplicateExtra : '' };
  }
  return undefined;
}

/** True when a class before `notFound` already failed (so lookups can be skipped). */
export function hasInputProblems(problems: Problems): boolean {
  return problems.access.length + problems.missing.length + problems.invalid.length > 0;
}
