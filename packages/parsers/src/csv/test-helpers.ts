/** Shared by the CSV tests (excluded from the build by its name). */
import { expect } from 'vitest';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { isParseError } from '../errors.js';
import type { ParseError } from '../errors.js';
import type { FormatParser, ParseContext } from '../types.js';
import { DEFAULT_LIMITS } from '../types.js';

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export const context = (extra: Partial<ParseContext> = {}): ParseContext => ({ sha256: 'abc', limits: DEFAULT_LIMITS, fileName: 'test.csv', ...extra });

/** Parses and checks every workout's invariants. */
export function parseValid(parser: FormatParser, bytes: Uint8Array, extra: Partial<ParseContext> = {}): Workout[] {
  const workouts = parser.parse(bytes, context(extra));
  for (const w of workouts) expect(validateWorkout(w)).toEqual([]);
  return workouts;
}

/** The ParseError a parse throws (fails the test when it throws anything else or nothing). */
export function parseFailure(parse: () => unknown): ParseError {
  try {
    parse();
  } catch (error) {
    if (isParseError(error)) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

export const warningCodes = (w: Workout): string[] => w.warnings.map((x) => x.code);
