/**
 * The limiter's options, kept apart from their resolved, validated form. Bad options throw
 * `RangeError` at construction with one message form (see `optionError`).
 */
import { isTimeZone } from '@optimo-import/workout';
import { optionError } from './errors.js';
import { REAL_DAY_SECONDS } from './quota-window.js';

/** Time for the limiter: `now()` in epoch ms; `sleep` resolves after `ms`, rejects with `signal.reason` on abort. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What `system.current` says (`<requests>`, `<request_limit>`, `<resets_in>`). */
export interface QuotaState {
  /** Requests counted today, the `system.current` request itself included. */
  used: number;
  /** The account's daily limit. */
  limit: number;
  /** Seconds until the count resets (rounded up by the server). */
  resetsInSeconds: number;
}

export interface LimiterOptions {
  /** The account's name; part of the Redis key. Required, not blank. */
  account: string;
  /** The account's IANA zone (`system.current` → `<timezone>`): the quota day is its local calendar day. Required. */
  timeZone: string;
  /** The daily limit before the first `sync()` (which replaces it with `<request_limit>`). Default 5000. */
  dailyQuota?: number;
  /** Bucket size: how many tokens may go at once, and what a fresh day starts with. Default 20. */
  burst?: number;
  /** Share of the day's limit only priority work (and the sync request) may spend, rounded up. Default 5. */
  reservePercent?: number;
  /** Length of a test "day" (windows [k·N, (k+1)·N) s since the epoch, like the sandbox's `--day-seconds`). Default 86400: the local calendar day. */
  daySeconds?: number;
  /** How far (seconds) `resets_in` may land from the zone's midnight before `sync()` says `zone-mismatch`. Default 300. */
  maxClockSkewSeconds?: number;
  /** Clock for the memory limiter, and for the waiting side of the Redis one. Default: `Date.now` and `setTimeout`. */
  clock?: Clock;
}

export interface ResolvedLimiterOptions {
  account: string;
  timeZone: string;
  dailyQuota: number;
  burst: number;
  reservePercent: number;
  daySeconds: number;
  maxClockSkewMs: number;
  clock: Clock;
}

export const DEFAULT_DAILY_QUOTA = 5000;
export const DEFAULT_BURST = 20;
export const DEFAULT_RESERVE_PERCENT = 5;
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;

/** The real clock: `Date.now` and a `setTimeout` that an AbortSignal cancels. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

function wholeNumber(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
  throw optionError(name, `a whole number ≥ ${min}`, value);
}

export function resolveLimiterOptions(options: LimiterOptions): ResolvedLimiterOptions {
  if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
  const { account, timeZone, clock } = options;
  if (typeof account !== 'string' || account.trim() === '' || account !== account.trim() || /\p{Cc}/u.test(account)) {
    throw optionError('account', 'a non-blank name without surrounding spaces or control characters', account);
  }
  if (!isTimeZone(timeZone)) throw optionError('timeZone', 'an IANA time zone Intl knows (`Europe/Lisbon`)', timeZone);
  const reservePercent = options.reservePercent ?? DEFAULT_RESERVE_PERCENT;
  if (typeof reservePercent !== 'number' || !Number.isFinite(reservePercent) || reservePercent < 0 || reservePercent >= 100) {
    throw optionError('reservePercent', 'a number from 0 up to (not including) 100', options.reservePercent);
  }
  if (clock !== undefined && (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function' || typeof clock.sleep !== 'function')) {
    throw optionError('clock', 'an object with now() and sleep(ms, signal)', clock);
  }
  return {
    account,
    timeZone,
    dailyQuota: wholeNumber('dailyQuota', options.dailyQuota, DEFAULT_DAILY_QUOTA, 0),
    burst: wholeNumber('burst', options.burst, DEFAULT_BURST, 1),
    reservePercent,
    daySeconds: wholeNumber('daySeconds', options.daySeconds, REAL_DAY_SECONDS, 1),
    maxClockSkewMs: wholeNumber('maxClockSkewSeconds', options.maxClockSkewSeconds, DEFAULT_MAX_CLOCK_SKEW_SECONDS, 0) * 1000,
    clock: clock ?? systemClock,
  };
}
