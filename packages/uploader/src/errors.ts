/**
 * | code              | meaning                                                                        | retryable?                        |
 * | ----------------- | ------------------------------------------------------------------------------ | --------------------------------- |
 * | `failed`          | the API refused the request for good (40010 40020 40030 40300 40400), a 3xx, another 4xx, a TLS certificate refused, an unknown host | no |
 * | `duplicate`       | 40900: the `external_id` is taken; `existingId` names the workout              | no (uploadWorkout takes it as created) |
 * | `bad-token`       | 401 / 40100: the token is wrong or was changed; the client stops sending       | after `setToken` with a new token |
 * | `token-stopped`   | refused before sending: this client met a 40100 with its current token         | after `setToken` with a new token |
 * | `quota-spent`     | 429 / 42900, or refused before sending until `resetAt`                         | after `resetAt` (the caller delays) |
 * | `too-large`       | 413 / 41300: the body is over 10 MiB                                           | no (plan the upload smaller)      |
 * | `transient`       | the retries ran out on a failure that is safe to repeat                        | yes, later (the queue)            |
 * | `maybe-done`      | a write sent in full that got no XML answer, not resolved by a lookup          | only after a lookup               |
 * | `unexpected-answer` | an `ok` answer without what its method promises                              | no                                |
 * | `limiter`         | the quota limiter failed (Redis down, never synced after a sync)               | yes, later                        |
 * | `ledger`          | the ledger could not be read or written; nothing was sent after the failure    | yes, later                        |
 * | `aborted`         | the caller's signal aborted the call                                           | caller's choice                   |
 *
 * Bad options are programming errors and throw `RangeError` at construction instead, in one form:
 * ``[uploader] option `endpoint` must be an https:// URL …, got "http://…"``.
 *
 * No error of this package holds the token, the Authorization header or the request body: every
 * text that comes from elsewhere (server messages, causes' messages) is redacted first.
 */
import type { Classification } from './classify.js';
import { describeOptionValue } from '@optimo-import/mapper';

export type UploadErrorCode =
  | 'failed'
  | 'duplicate'
  | 'bad-token'
  | 'token-stopped'
  | 'quota-spent'
  | 'too-large'
  | 'transient'
  | 'maybe-done'
  | 'unexpected-answer'
  | 'limiter'
  | 'ledger'
  | 'aborted';

export interface UploadErrorInit {
  code: UploadErrorCode;
  /** What went wrong, without the context prefix. */
  message: string;
  /** The API method (`workout.create`). */
  method?: string;
  /** The classification of the last answer, when a request was sent. */
  classification?: Classification;
  /** HTTP status of the last answer. */
  status?: number;
  /** The API `<code>` of the last answer. */
  apiCode?: number;
  /** The API's `<error>` messages (redacted). */
  errors?: string[];
  /** A 40900's `<workout_id>` / `<assessment_id>`. */
  existingId?: string;
  /** Seconds until the quota resets (429's `Retry-After`). */
  retryAfterSeconds?: number;
  /** Epoch ms when the account may send again (quota). */
  resetAt?: number;
  /** Whether the last request's body was sent in full. */
  bodySent?: boolean;
  /** Whether the server may have stored the request's effect (a write that got no answer). */
  maybeStored?: boolean;
  /** Attempts made (1 = no retry). */
  attempts?: number;
  /** HTTP requests sent for this call, retries and a limiter sync included. */
  requests?: number;
  /** The workout's external id, when an upload failed. */
  externalId?: string;
  /** The account label of the client (never the token). */
  account?: string;
  cause?: unknown;
}

/** The one error class of the uploader: a code, its context and the cause. */
export class UploadError extends Error {
  override readonly name = 'UploadError';
  readonly code: UploadErrorCode;
  readonly detail: string;
  readonly method?: string;
  readonly classification?: Classification;
  readonly status?: number;
  readonly apiCode?: number;
  readonly errors?: string[];
  readonly existingId?: string;
  readonly retryAfterSeconds?: number;
  readonly resetAt?: number;
  readonly bodySent?: boolean;
  readonly maybeStored: boolean;
  readonly attempts?: number;
  requests: number;
  readonly externalId?: string;
  readonly account?: string;

  constructor(init: UploadErrorInit) {
    super(formatMessage(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.detail = init.message;
    this.maybeStored = init.maybeStored ?? false;
    this.requests = init.requests ?? 0;
    const fields = ['method', 'classification', 'status', 'apiCode', 'errors', 'existingId', 'retryAfterSeconds', 'resetAt', 'bodySent', 'attempts', 'externalId', 'account'] as const;
    for (const field of fields) {
      if (init[field] !== undefined) Object.assign(this, { [field]: init[field] });
    }
  }

  /** Whether a later attempt may succeed without a change by a person (see the table above). */
  get retryable(): boolean {
    return this.code === 'transient' || this.code === 'quota-spent' || this.code === 'limiter' || this.code === 'ledger' || this.code === 'maybe-done';
  }
}

function formatMessage(init: UploadErrorInit): string {
  const where = [init.account, init.method, init.externalId].filter((part) => part !== undefined && part !== '').join(' ');
  const status = init.status === undefined ? '' : ` HTTP ${init.status}`;
  const apiCode = init.apiCode === undefined ? '' : ` ${init.apiCode}`;
  return `[uploader${where ? ` ${where}` : ''}]${status}${apiCode}: ${init.message}`;
}

/** Type guard by name, so that two installed copies of this package still match. */
export function isUploadError(error: unknown): error is UploadError {
  return error instanceof Error && error.name === 'UploadError' && typeof (error as UploadError).code === 'string';
}

/** The one message form of bad options: ``[uploader] option `name` must be …, got …``. */
export function optionError(name: string, expected: string, value: unknown): RangeError {
  return new RangeError(`[uploader] option \`${name}\` must be ${expected}, got ${describeOptionValue(value)}`);
}

