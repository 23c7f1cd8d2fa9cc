/**
 * | code              | meaning                                                                   |
 * | ----------------- | ------------------------------------------------------------------------- |
 * | no-start-time     | the workout has no usable start time (absent, not finite, out of range)   |
 * | no-duration       | the workout has no usable elapsed time (required by `workout.create`)     |
 * | too-many-samples  | more than 200,000 samples: the API refuses the workout                    |
 * | body-too-large    | a request cannot be kept under `maxBodyBytes` (head or one sample alone) |
 * | missing-field     | a record lacks a field its method requires (`first_name`, `type`, ...)    |
 * | invalid-value     | a record's value the contract cannot express (a sport, a sex, a date)     |
 * | unexpected-answer | an `ok` answer without the element its method promises                    |
 *
 * Bad options (time zone, ids, filters, limits) are programming errors and throw `RangeError`
 * instead, with one message form: `[mapper] option \`timeZone\` must be …, got "Mars/Base"`.
 */
export type MappingErrorCode =
  | 'no-start-time'
  | 'no-duration'
  | 'too-many-samples'
  | 'body-too-large'
  | 'missing-field'
  | 'invalid-value'
  | 'unexpected-answer';

export interface MappingErrorInit {
  code: MappingErrorCode;
  /** What is wrong, without the context prefix. */
  message: string;
  /** The API method the request or answer belongs to (`workout.create`). */
  method?: string;
  /** The contract's element name (`start_time`, `samples`). */
  field?: string;
  /** The workout's or record's external id, when there is one. */
  externalId?: string;
  cause?: unknown;
}

/** The one error class of the mapper: a code, the method, the field and the record. */
export class MappingError extends Error {
  override readonly name = 'MappingError';
  readonly code: MappingErrorCode;
  readonly detail: string;
  readonly method?: string;
  readonly field?: string;
  readonly externalId?: string;

  constructor(init: MappingErrorInit) {
    super(formatMessage(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.detail = init.message;
    if (init.method !== undefined) this.method = init.method;
    if (init.field !== undefined) this.field = init.field;
    if (init.externalId !== undefined) this.externalId = init.externalId;
  }
}

function formatMessage(init: MappingErrorInit): string {
  const where = [init.externalId, init.field].filter((part) => part !== undefined && part !== '').join(' ');
  const prefix = `${init.method ? `[${init.method}] ` : ''}${where}`.trim();
  return prefix ? `${prefix}: ${init.message}` : init.message;
}

/** Type guard by name, so that two installed copies of this package still match. */
export function isMappingError(error: unknown): error is MappingError {
  return error instanceof Error && error.name === 'MappingError' && typeof (error as MappingError).code === 'string';
}

/** The one message form of bad options: `[mapper] option `name` must be …, got …`. */
export function optionError(name: string, expected: string, value: unknown): RangeError {
  return new RangeError(`[mapper] option \`${name}\` must be ${expected}, got ${describeOptionValue(value)}`);
}

/** A bad option's value, shown in its error without dumping it (strings cut at 80 characters). */
export function describeOptionValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
