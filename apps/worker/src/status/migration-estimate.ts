/**
 * When a migration should finish, from two bounds, the later of which wins:
 *
 * - **quota**: the requests its remaining files need (`remaining × requestsPerFile`) against what
 *   the account may still send. The limiter paces normal work evenly over the day (see the
 *   uploader's limiter README), so today's `left` requests are spent steadily until `resetAt`,
 *   then each further day gives `allowance` (`limit − reserve`) requests over `dayMs`.
 *   Worked example, 3000 requests to go, 1000 left today with 10 hours to the reset, allowance
 *   4750: today takes 1000 by the reset; the other 2000 take 2000 / 4750 of the next day (10.1 h),
 *   so the finish is 20.1 hours from now.
 * - **rate**: the files finished so far over the time since the start, carried on over the files
 *   left (catches what the quota does not: slow files, few workers, a stopped worker).
 *
 * `requestsPerFile` is what the migration's files cost so far (`requests / done`), else the
 * `requestsPerFile` the migrate command wrote from its inspection, else 1.
 */

export interface EstimateInput {
  /** Epoch ms. */
  now: number;
  /** Files not finished yet. */
  remaining: number;
  requestsPerFile: number;
  /** The account's quota today; absent when unknown (no zone yet, not configured here). */
  quota?: {
    /** Requests normal work may still send today. */
    left: number;
    /** Requests normal work may send in a whole day (`limit − reserve`). */
    allowance: number;
    /** Epoch ms of the next reset. */
    resetAt: number;
  };
  /** Files finished, and the epoch ms the migration started. */
  progress?: { done: number; startedAt: number };
  /** Length of a quota day in ms (86,400,000; shorter with a test `daySeconds`). */
  dayMs: number;
}

export interface MigrationEstimate {
  /** Epoch ms. */
  finishAt: number;
  /** The bound that gave `finishAt`. */
  by: 'quota' | 'rate';
  requestsPerFile: number;
  /** Requests the remaining files should need. */
  remainingRequests: number;
}

/** The estimated finish, or undefined when nothing is left or neither bound can be computed. */
export function estimateFinish(input: EstimateInput): MigrationEstimate | undefined {
  const { now, remaining, requestsPerFile, quota, progress, dayMs } = input;
  if (remaining <= 0) return undefined;
  const remainingRequests = Math.ceil(remaining * requestsPerFile);
  const bounds: Array<{ at: number; by: 'quota' | 'rate' }> = [];
  if (quota !== undefined) {
    const left = Math.max(0, quota.left);
    const today = Math.max(0, quota.resetAt - now);
    if (remainingRequests <= left) bounds.push({ at: left === 0 ? now : now + (today * remainingRequests) / left, by: 'quota' });
    else if (quota.allowance > 0) bounds.push({ at: Math.max(now, quota.resetAt) + ((remainingRequests - left) / quota.allowance) * dayMs, by: 'quota' });
  }
  if (progress !== undefined && progress.done > 0 && now > progress.startedAt) {
    bounds.push({ at: now + (remaining * (now - progress.startedAt)) / progress.done, by: 'rate' });
  }
  if (bounds.length === 0) return undefined;
  const latest = bounds.reduce((a, b) => (b.at > a.at ? b : a));
  return { finishAt: Math.round(latest.at), by: latest.by, requestsPerFile, remainingRequests };
}
