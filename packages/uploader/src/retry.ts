/**
 * The client's retry policy, on p-retry 7: exponential backoff with jitter, capped in count and in
 * time, for failures that are safe to repeat only. Everything else stops at the first attempt.
 *
 * Delay before repeat n (1-based): `min(maxDelayMs, minDelayMs · factor^(n−1) · r)` with r drawn
 * from [1, 2) (p-retry's `randomize`). With the defaults (500 ms, factor 2, 4 repeats, 10 s cap,
 * 60 s budget) the repeats start after 0.5–1 s, 1–2 s, 2–4 s and 4–8 s: at most 15 s of waiting
 * and five attempts. No repeat starts once `maxRetryTimeMs` has passed since the first attempt.
 */
import pRetry from 'p-retry';
import { isUploadError } from './errors.js';
import type { RetryOptions } from './options.js';

export interface RetryPolicy {
  /** Whether the failure may be repeated. */
  shouldRetry(error: unknown): boolean;
  signal?: AbortSignal;
}

/** Whether an error of the client is safe to repeat: `transient`, or `maybe-done` where a repeat is harmless. */
export function isRepeatable(error: unknown, repeatSafe: boolean): boolean {
  if (!isUploadError(error)) return false;
  if (error.bodySent === undefined) return false; // refused before sending: stops, limiter, ledger
  return error.classification === 'transient' || (error.classification === 'maybe-done' && repeatSafe);
}

/** Runs `attempt` (1, 2, …) until it resolves, a failure is not repeatable, or the caps are reached. */
export function withRetries<T>(attempt: (attemptNumber: number) => Promise<T>, options: Required<RetryOptions>, policy: RetryPolicy): Promise<T> {
  return pRetry(attempt, {
    retries: options.retries,
    factor: options.factor,
    minTimeout: options.minDelayMs,
    maxTimeout: options.maxDelayMs,
    maxRetryTime: options.maxRetryTimeMs,
    randomize: true,
    unref: false,
    signal: policy.signal,
    shouldRetry: ({ error }) => policy.shouldRetry(error),
  });
}
