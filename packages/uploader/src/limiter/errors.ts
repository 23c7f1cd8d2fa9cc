/**
 * The limiter's one error class.
 *
 * | code           | meaning                                                                                      | what the caller does                                                     |
 * | -------------- | -------------------------------------------------------------------------------------------- | ------------------------------------------------------------------------ |
 * | needs-sync     | no trusted count: never synced, or Redis lost the account's state (restart, failover, flush)  | `system.current` through `acquire({ sync: true })`, then `sync()`; retry |
 * | zone-mismatch  | `sync()`: `resets_in` does not end near a local midnight of `timeZone` (wrong zone or clock)  | fix the configuration; not retryable                                     |
 * | invalid-state  | `sync()`/`drain()` got numbers that cannot be a quota (negative, not finite, not whole)      | a bug or a garbled answer; not retryable                                 |
 * | redis-error    | a Redis command failed or answered something unexpected (`cause` holds the original)         | retryable once Redis is back; the next acquire may then say needs-sync   |
 * | closed         | the limiter was closed (pending and later acquires)                                          | not retryable                                                            |
 *
 * Bad options are programming errors and throw `RangeError` at construction (or at the call, for
 * `acquire` options) with one message form: `[limiter] option \`burst\` must be …, got -1`.
 */
import { describeOptionValue } from '@optimo-import/mapper';

export type LimiterErrorCode = 'needs-sync' | 'zone-mismatch' | 'invalid-state' | 'redis-error' | 'closed';

export interface LimiterErrorInit {
  code: LimiterErrorCode;
  /** The account the limiter counts for. */
  account: string;
  /** What is wrong, without the context prefix. */
  message: string;
  cause?: unknown;
}

/** The one error class of the limiter: a code, the account and the cause. */
export class LimiterError extends Error {
  override readonly name = 'LimiterError';
  readonly code: LimiterErrorCode;
  readonly account: string;
  /** The message without the `[limiter] account "x":` prefix. */
  readonly detail: string;

  constructor(init: LimiterErrorInit) {
    super(`[limiter] account ${JSON.stringify(init.account)}: ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.account = init.account;
    this.detail = init.message;
  }
}

/** Type guard by name, so that two installed copies of this package still match. */
export function isLimiterError(error: unknown): error is LimiterError {
  return error instanceof Error && error.name === 'LimiterError' && typeof (error as LimiterError).code === 'string';
}

/** The one message form of bad options: `[limiter] option `name` must be …, got …`. */
export function optionError(name: string, expected: string, value: unknown): RangeError {
  return new RangeError(`[limiter] option \`${name}\` must be ${expected}, got ${describeOptionValue(value)}`);
}

