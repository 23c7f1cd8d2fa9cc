import type { OkAnswer, SystemInfo } from '@optimo-import/mapper';
import type { Classification } from './classify.js';

/**
 * What the client needs of a quota limiter: `QuotaLimiter` (./limiter) fits it. `acquire` rejects
 * with a `LimiterError` of code `needs-sync` when it has no state to count against; with
 * `sync: true` (the `system.current` that syncs it) it is granted even then, held back by a drain only.
 */
export interface ClientLimiter {
  acquire(options?: { priority?: boolean; sync?: boolean; signal?: AbortSignal }): Promise<unknown>;
  sync(state: { used: number; limit: number; resetsInSeconds: number }): Promise<void>;
  drain(retryAfterSeconds: number): Promise<void>;
}

/** One structured log entry. Never holds the token, the Authorization header or a request body. */
export interface ClientLogEntry {
  /** Epoch ms of the client's clock. */
  time: number;
  /** `request`: one HTTP exchange; `refused`: not sent (the account is stopped); `sync`: the limiter was synced; `reconcile`: an upload looked a workout up. */
  event: 'request' | 'refused' | 'sync' | 'reconcile';
  /** The client's `account` label. */
  account: string;
  method: string;
  /** 1 for the first attempt of a call. */
  attempt?: number;
  status?: number;
  /** The API `<code>`. */
  code?: number;
  /** Duration of the exchange. */
  ms?: number;
  /** Request body bytes. */
  bytes?: number;
  classification?: Classification;
  /** Why no answer came (`reset`, `answer-timeout`, …). */
  failure?: string;
  bodySent?: boolean;
  /** A short, redacted detail (the first API error, what a non-API answer looked like, the lookup's result). */
  detail?: string;
}

export interface CallOptions {
  /** The method; default read from the body's `<request method="…">`. */
  method?: string;
  /** Passed to `limiter.acquire` (a request that finishes work already started). */
  priority?: boolean;
  /**
   * Whether a repeat after "maybe done" is harmless. Default: reads, and `workout.samples.add`
   * (stored by offset). A create is never repeated by the client.
   */
  repeatSafe?: boolean;
  signal?: AbortSignal;
}

export interface CallResult {
  answer: OkAnswer;
  /** HTTP requests attempted for this call: retries and a limiter sync included. */
  requests: number;
  /** Attempts of the request itself (1 = no retry). */
  attempts: number;
}

export interface ClientState {
  /** True after a 40100 with the current token: nothing is sent until `setToken` gives a new one. */
  tokenStopped: boolean;
  /** Epoch ms until which nothing is sent (a 429's `Retry-After`); undefined when not stopped. */
  quotaResetAt?: number;
  /** The account's zone, once a `system.current` answered. */
  timeZone?: string;
}

export interface Client {
  /** The endpoint (never holds credentials). */
  readonly endpoint: string;
  readonly userAgent: string;
  readonly account: string;
  /** Sends one request body with the retry policy; resolves with the `ok` answer, rejects with `UploadError`. */
  call(body: string, options?: CallOptions): Promise<CallResult>;
  /** `system.current` (through the limiter); also syncs the limiter and caches the account's time zone. */
  system(options?: { signal?: AbortSignal }): Promise<{ info: SystemInfo; requests: number }>;
  /** The account's IANA zone: cached from the last `system.current`, else asked once. */
  timeZone(options?: { signal?: AbortSignal }): Promise<string>;
  /** Uses a new token from now on; a 40100 stop ends only if it differs from the old one. */
  setToken(token: string): void;
  state(): ClientState;
  /** Writes an entry to the client's log (uploadWorkout's lookups use it). */
  log(entry: Omit<ClientLogEntry, 'time' | 'account'>): void;
  /** Closes idle sockets of the default transport. */
  close(): void;
}
