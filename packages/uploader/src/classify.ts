/**
 * Every answer is classified once, here, by the first row of CLASSIFICATION_TABLE that matches.
 * A row names what happened and gives the class for a read (a method that changes nothing) and
 * for a write (create, samples.add, update, delete). What the classes mean and who repeats them:
 *
 * | class         | meaning                                                           | retryable?                                        |
 * | ------------- | ----------------------------------------------------------------- | ------------------------------------------------- |
 * | `ok`          | `status="ok"`                                                     | —                                                 |
 * | `failed`      | refused for good: validation, not found, access, a 3xx, a bad certificate | no                                        |
 * | `duplicate`   | 40900: the external id is taken (the answer names the workout)   | no (uploadWorkout takes it as created)            |
 * | `bad-token`   | 401 / 40100                                                       | no: the account stops until the token changes     |
 * | `quota-spent` | 429 / 42900                                                       | no: the account stops until the reset (`Retry-After`) |
 * | `too-large`   | 413 / 41300                                                       | no                                                |
 * | `transient`   | nothing happened, or a read: safe to repeat                      | yes, by the client (p-retry, capped)              |
 * | `maybe-done`  | a write sent in full that got no XML answer                       | never blind: looked up first (samples.add is repeated: the contract makes it harmless) |
 */
import type { ApiResponse } from '@optimo-import/mapper';

export type Classification = 'ok' | 'failed' | 'duplicate' | 'bad-token' | 'quota-spent' | 'too-large' | 'transient' | 'maybe-done';

/** Why no answer came. */
export type TransportFailure =
  /** ECONNREFUSED: nobody listens; nothing was sent. */
  | 'refused'
  /** DNS: EAI_AGAIN (transient) */
  | 'dns-retry'
  /** DNS: ENOTFOUND, the host does not exist. */
  | 'dns-unknown'
  /** TCP + TLS not done within the connect timeout. */
  | 'connect-timeout'
  /** The server's certificate was refused, or TLS could not be agreed (a plain-HTTP port). */
  | 'tls'
  /** The connection dropped (ECONNRESET, EPIPE, a cut answer). */
  | 'reset'
  /** The body could not be sent within the answer timeout (no progress). */
  | 'send-timeout'
  /** The whole answer did not arrive within the answer timeout after the body was sent. */
  | 'answer-timeout'
  /** The answer was larger than `maxAnswerBytes`. */
  | 'answer-too-large'
  /** EHOSTUNREACH, ENETUNREACH, ETIMEDOUT and the like. */
  | 'network';

/** What the classifier looks at. */
export interface ExchangeFacts {
  /** Whether the method changes nothing on the server (see READ_METHODS). */
  read: boolean;
  /** Whether the request body was handed to the network in full. */
  bodySent: boolean;
  /** HTTP status; undefined when no answer came. */
  status?: number;
  /** The answer read by the mapper; undefined when no answer came. */
  answer?: ApiResponse;
  /** Why no answer came. */
  failure?: TransportFailure;
}

export interface Verdict {
  classification: Classification;
  /** The table row that matched. */
  row: string;
}

interface Row {
  /** What happened, for the README and logs. */
  when: string;
  match: (facts: ExchangeFacts) => boolean;
  read: Classification;
  write: Classification;
}

/** Statuses that say nothing about the request itself: the server or a proxy had trouble. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([
  408, // Request Timeout: the server gave up reading the request
  500, // Internal Server Error (the API's 50000)
  502, // Bad Gateway: a proxy got no good answer from the API
  503, // Service Unavailable
  504, // Gateway Timeout: a proxy waited too long; the API may have done the work
]);

/** Methods that change nothing: repeating them is always harmless. */
export const READ_METHODS: ReadonlySet<string> = new Set([
  'system.current',
  'staff.current',
  'athlete.get',
  'athlete.list',
  'workout.get',
  'workout.list',
  'assessment.list',
]);

/** Writes that are harmless to repeat by the contract: samples are stored by offset (2.4). */
export const REPEAT_SAFE_WRITES: ReadonlySet<string> = new Set(['workout.samples.add']);

const code = (facts: ExchangeFacts): number | undefined => (facts.answer?.kind === 'fail' ? facts.answer.code : undefined);
const answered = (facts: ExchangeFacts): boolean => facts.answer !== undefined;

export const CLASSIFICATION_TABLE: readonly Row[] = [
  { when: 'status="ok" in a 2xx answer', match: (f) => f.answer?.kind === 'ok' && (f.status ?? 200) < 300, read: 'ok', write: 'ok' },
  { when: 'HTTP 401 or code 40100', match: (f) => f.status === 401 || code(f) === 40100, read: 'bad-token', write: 'bad-token' },
  { when: 'HTTP 429 or code 42900', match: (f) => f.status === 429 || code(f) === 42900, read: 'quota-spent', write: 'quota-spent' },
  { when: 'HTTP 413 or code 41300', match: (f) => f.status === 413 || code(f) === 41300, read: 'too-large', write: 'too-large' },
  { when: 'HTTP 3xx (a redirect: never followed)', match: (f) => answered(f) && (f.status ?? 0) >= 300 && (f.status ?? 0) < 400, read: 'failed', write: 'failed' },
  {
    when: 'HTTP 408 or 5xx (any body), or code 50000',
    match: (f) => (f.status !== undefined && (RETRYABLE_STATUSES.has(f.status) || f.status >= 500)) || code(f) === 50000,
    read: 'transient',
    write: 'maybe-done',
  },
  { when: 'code 40900 (duplicate external_id)', match: (f) => code(f) === 40900, read: 'duplicate', write: 'duplicate' },
  { when: 'any other `fail` answer (40010 40020 40030 40300 40400, no code)', match: (f) => f.answer?.kind === 'fail', read: 'failed', write: 'failed' },
  { when: 'another 4xx without an API answer', match: (f) => answered(f) && (f.status ?? 0) >= 400, read: 'failed', write: 'failed' },
  { when: 'a 2xx that is not an API answer (HTML, empty, cut, garbled)', match: answered, read: 'transient', write: 'maybe-done' },
  { when: 'an answer larger than `maxAnswerBytes`', match: (f) => f.failure === 'answer-too-large', read: 'failed', write: 'maybe-done' },
  { when: 'TLS refused (certificate, protocol) or an unknown host', match: (f) => f.failure === 'tls' || f.failure === 'dns-unknown', read: 'failed', write: 'failed' },
  { when: 'no answer, body not sent in full (refused, DNS, connect timeout, reset while sending)', match: (f) => !f.bodySent, read: 'transient', write: 'transient' },
  { when: 'no answer after the body was sent (reset, answer timeout, cut answer)', match: () => true, read: 'transient', write: 'maybe-done' },
];

/** The class of one exchange: the first matching row of the table. */
export function classifyExchange(facts: ExchangeFacts): Verdict {
  for (const row of CLASSIFICATION_TABLE) {
    if (row.match(facts)) return { classification: facts.read ? row.read : row.write, row: row.when };
  }
  /* c8 ignore next */
  throw new Error('unreachable: the last row matches everything');
}

/** Whether a method changes nothing on the server. Unknown methods count as writes. */
export function isReadMethod(method: string): boolean {
  return READ_METHODS.has(method);
}

/** The `method` attribute of a request body (`<request method="workout.create">`). */
export function methodOf(body: string): string | undefined {
  return /<request\b[^>]*\bmethod\s*=\s*["']([^"']+)["']/.exec(body.slice(0, 512))?.[1];
}
