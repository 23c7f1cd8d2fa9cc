/**
 * When a migration will finish, given the daily request quota.
 *
 * Two things bound the pace: the rate files are processed at (parse, upload, answer) and the
 * quota (5000 requests a day by default, reset at the account's local midnight). The estimate
 * spends today's quota left at the observed rate until the reset, then a full day's quota every
 * day, and finishes the last part at the rate.
 *
 * Worked example: 20,000 files at 1.1 requests each need 22,000 requests, 4.4 days of a
 * 5000-a-day quota. Just after midnight, with the whole day's 5000 left and uploads running at
 * 10 requests a second: 5000 go today (8 min 20 s, then the quota holds everything until
 * midnight), 5000 on each of the next three days, and the last 2000 on the fifth day (3 min
 * 20 s): done in 4 days and 200 s, `limitedBy: 'quota'`. At 0.05 requests a second (4320 a
 * day) the quota never binds: 22,000 / 0.05 s ≈ 5.1 days, `limitedBy: 'rate'`.
 */

export const DAY_MS = 86_400_000;

export interface FinishInput {
  /** Files without a final outcome yet. */
  remainingFiles: number;
  /** Requests one file costs on average (observed, or a dry run's requests / files). > 0. */
  requestsPerFile: number;
  /** Requests the quota still allows today (limit − used; 0 when spent). */
  quotaLeftToday: number;
  /** Requests a day once the quota resets. > 0. */
  dailyLimit: number;
  /** Epoch ms of the next reset (the limiter's `resetAt`). */
  resetAt: number;
  /** Epoch ms. */
  now: number;
  /** Files finished per second, observed; absent (or 0) when not measured yet. */
  filesPerSecond?: number;
}

export interface FinishEstimate {
  /** Epoch ms when the last file should be done; absent when `limitedBy` is `unknown`. */
  finishAt?: number;
  /** (finishAt − now) in days, fractional; absent when unknown. */
  days?: number;
  /**
   * `quota`: waiting for quota resets makes it later than the rate alone would; `rate`: the
   * quota never holds the work back; `unknown`: today's quota suffices but no rate is known yet.
   */
  limitedBy: 'quota' | 'rate' | 'unknown';
  /** Requests still to spend: remainingFiles × requestsPerFile. */
  requests: number;
}

/** The estimate of the example above; pure. Throws RangeError for a negative count or a non-positive limit. */
export function estimateFinish(input: FinishInput): FinishEstimate {
  const { remainingFiles, requestsPerFile, dailyLimit, now } = input;
  if (!(remainingFiles >= 0) || !Number.isFinite(remainingFiles)) throw badInput('remainingFiles', 'a number ≥ 0', remainingFiles);
  if (!(requestsPerFile > 0) || !Number.isFinite(requestsPerFile)) throw badInput('requestsPerFile', 'a number > 0', requestsPerFile);
  if (!(dailyLimit > 0) || !Number.isFinite(dailyLimit)) throw badInput('dailyLimit', 'a number > 0', dailyLimit);
  if (!Number.isFinite(now)) throw badInput('now', 'epoch ms', now);
  if (!Number.isFinite(input.resetAt)) throw badInput('resetAt', 'epoch ms', input.resetAt);
  const requests = remainingFiles * requestsPerFile;
  if (requests === 0) return { finishAt: now, days: 0, limitedBy: 'rate', requests: 0 };

  let resetAt = input.resetAt;
  let budget = Math.max(0, Number.isFinite(input.quotaLeftToday) ? input.quotaLeftToday : 0);
  if (resetAt <= now) {
    // The reset is due (a stale resetAt): a fresh day's quota, and the next reset a day on.
    const daysPast = Math.floor((now - resetAt) / DAY_MS) + 1;
    resetAt += daysPast * DAY_MS;
    budget = dailyLimit;
  }
  const perSecond = input.filesPerSecond !== undefined && input.filesPerSecond > 0 && Number.isFinite(input.filesPerSecond) ? input.filesPerSecond * requestsPerFile : undefined;

  if (perSecond === undefined) {
    if (requests <= budget) return { limitedBy: 'unknown', requests };
    // The last quota day begins when the rest fits a day: a lower bound, the day's own work is not timed.
    const days = Math.ceil((requests - budget) / dailyLimit);
    const finishAt = resetAt + (days - 1) * DAY_MS;
    return { finishAt, days: (finishAt - now) / DAY_MS, limitedBy: 'quota', requests };
  }

  const rateOnly = now + (requests / perSecond) * 1000;
  const doableToday = Math.min(budget, (perSecond * (resetAt - now)) / 1000);
  let finishAt: number;
  if (requests <= doableToday) finishAt = rateOnly;
  else {
    const left = requests - doableToday;
    const perDay = Math.min(dailyLimit, perSecond * 86_400);
    const days = Math.ceil(left / perDay);
    finishAt = resetAt + (days - 1) * DAY_MS + ((left - (days - 1) * perDay) / perSecond) * 1000;
  }
  // Within a second of the rate alone: float rounding, not the quota.
  const limitedBy = finishAt - rateOnly > 1000 ? 'quota' : 'rate';
  return { finishAt, days: (finishAt - now) / DAY_MS, limitedBy, requests };
}

/**
 * A duration for people: `12 s`, `4 min`, `2 h 10 min`, `1 day 5 h`, `3 days`. Seconds round
 * up, minutes and hours to the nearest; `unknown` for NaN or infinity, `0 s` for negative.
 */
export function formatEta(ms: number): string {
  if (Number.isNaN(ms) || ms === Infinity) return 'unknown';
  if (ms <= 0) return '0 s';
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const m = minutes % 60;
    return `${Math.floor(minutes / 60)} h${m ? ` ${m} min` : ''}`;
  }
  const hours = Math.round(ms / 3_600_000);
  if (hours < 48) return hours === 24 ? '1 day' : `1 day ${hours - 24} h`;
  return `${Math.round(ms / DAY_MS)} days`;
}

function badInput(name: string, expected: string, value: unknown): RangeError {
  return new RangeError(`[migrate] estimateFinish: \`${name}\` must be ${expected}, got ${String(value)}`);
}
