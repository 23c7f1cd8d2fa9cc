/** Shared by the FIT unit tests (not part of the build: `test-*.ts`). */
import { createRawFit, toFitSeconds } from '@optimo-import/fixtures';
import type { RawFitWriter } from '@optimo-import/fixtures';
import type { Workout } from '@optimo-import/workout';
import { isParseError } from '../errors.js';
import type { ParseError } from '../errors.js';
import { DEFAULT_LIMITS } from '../types.js';
import type { ParseContext, ParseLimits } from '../types.js';
import { fitParser } from './index.js';

export function contextOf(overrides: { fileName?: string; timeZone?: string; limits?: Partial<ParseLimits> } = {}): ParseContext {
  return { sha256: 'f'.repeat(64), fileName: overrides.fileName, timeZone: overrides.timeZone, limits: { ...DEFAULT_LIMITS, ...overrides.limits } };
}

export function parseFit(bytes: Uint8Array, overrides: Parameters<typeof contextOf>[0] = {}): Workout[] {
  return fitParser.parse(bytes, contextOf(overrides));
}

/** The ParseError a parse throws (fails the test when it returns or throws something else). */
export function parseFailure(bytes: Uint8Array, overrides: Parameters<typeof contextOf>[0] = {}): ParseError {
  try {
    fitParser.parse(bytes, contextOf(overrides));
  } catch (error) {
    if (isParseError(error)) return error;
    throw error;
  }
  throw new Error('expected a ParseError, the file parsed');
}

export function warningCodes(w: Workout | undefined): string[] {
  return w?.warnings.map((x) => x.code) ?? [];
}

/** The one workout of a file (fails the test when there is not exactly one). */
export function single(workouts: Workout[]): Workout {
  if (workouts.length !== 1) throw new Error(`expected one workout, got ${workouts.length}`);
  return workouts[0] as Workout;
}

/** FIT seconds of 2024-05-01T07:00:00Z, the raw files' start. */
export const RAW_START = toFitSeconds(Date.UTC(2024, 4, 1, 7, 0, 0));

/** Global message numbers used by the raw files. */
export const G = { fileId: 0, session: 18, lap: 19, record: 20, event: 21, activity: 34, fieldDescription: 206, developerDataId: 207 } as const;

/** A raw writer that has written an activity file_id (local 0) with serial 42. */
export function rawActivity(options: { type?: number | undefined; productName?: string } = {}): RawFitWriter {
  const w = createRawFit();
  const fields: { num: number; type: 'enum' | 'uint16' | 'uint32z' | 'uint32' | 'string'; size?: number }[] = [
    { num: 1, type: 'uint16' },
    { num: 2, type: 'uint16' },
    { num: 3, type: 'uint32z' },
    { num: 4, type: 'uint32' },
  ];
  const values: (number | string)[] = [255, 7, 42, RAW_START];
  if (options.type !== undefined) {
    fields.unshift({ num: 0, type: 'enum' });
    values.unshift(options.type);
  }
  if (options.productName !== undefined) {
    fields.push({ num: 8, type: 'string', size: options.productName.length });
    values.push(options.productName);
  }
  w.define(0, G.fileId, fields).message(0, values);
  return w;
}

/** Defines local 1 as a record with timestamp and heart rate, little-endian. */
export function defineSimpleRecord(w: RawFitWriter, local = 1): RawFitWriter {
  return w.define(local, G.record, [
    { num: 253, type: 'uint32' },
    { num: 3, type: 'uint8' },
  ]);
}

/** A session (local 2): start, elapsed (s), sport. */
export function writeSession(w: RawFitWriter, start: number, elapsedSeconds: number, sport = 2, local = 2): RawFitWriter {
  return w
    .define(local, G.session, [
      { num: 253, type: 'uint32' },
      { num: 2, type: 'uint32' },
      { num: 7, type: 'uint32' },
      { num: 8, type: 'uint32' },
      { num: 5, type: 'enum' },
    ])
    .message(local, [start + elapsedSeconds, start, elapsedSeconds * 1000, elapsedSeconds * 1000, sport]);
}
