/**
 * The in-process limiter: the bucket of bucket.ts in one process's memory, on `options.clock`.
 * Same semantics as the Redis limiter, for the no-Redis mode (one process per account) and tests.
 */
import { acquireStep, advanceBucket, drainStep, reserveOf, syncStep } from './bucket.js';
import type { BucketConfig, Ledger } from './bucket.js';
import { LimiterError } from './errors.js';
import { resolveLimiterOptions } from './options.js';
import type { LimiterOptions } from './options.js';
import { createWindowFinder, windowOfAnswer } from './quota-window.js';
import { checkQuotaState, checkRetryAfter, createAcquireLoop, zoneMismatch } from './quota-limiter.js';
import type { GrantingQuotaLimiter, LimiterStatus } from './quota-limiter.js';

export function createMemoryLimiter(options: LimiterOptions): GrantingQuotaLimiter {
  const resolved = resolveLimiterOptions(options);
  const { account, clock, timeZone, daySeconds } = resolved;
  const config: BucketConfig = { burst: resolved.burst, reservePercent: resolved.reservePercent };
  const windowsAt = createWindowFinder(timeZone, daySeconds);
  const ledger: Ledger = { bucket: undefined, drainUntil: 0 };

  const loop = createAcquireLoop({
    account,
    clock,
    maxSleepMs: Number.POSITIVE_INFINITY,
    needsSyncMessage: () => 'the limiter has never been synced: call system.current through acquire({ sync: true }) and pass its answer to sync()',
    async attempt(mode) {
      const t = clock.now();
      const step = acquireStep(ledger, t, windowsAt(t), config, mode);
      if (step.kind === 'window-miss') throw new LimiterError({ code: 'invalid-state', account, message: `no quota window holds ${t}` });
      return step;
    },
  });

  return {
    async acquire(acquireOptions) {
      await loop.acquire(acquireOptions);
    },
    acquireGrant: (acquireOptions) => loop.acquire(acquireOptions),

    async sync(state) {
      loop.assertOpen();
      const { used, limit, resetsInSeconds } = checkQuotaState(account, state);
      const t = clock.now();
      const answer = windowOfAnswer(t, resetsInSeconds, timeZone, daySeconds);
      if (answer.distance > resolved.maxClockSkewMs) throw zoneMismatch(account, timeZone, answer.distance);
      syncStep(ledger, t, answer.window, used, limit, config);
      loop.wake();
    },

    async drain(retryAfterSeconds) {
      loop.assertOpen();
      const seconds = checkRetryAfter(account, retryAfterSeconds);
      const t = clock.now();
      drainStep(ledger, t, seconds === undefined ? windowsAt(t).current.end - t : seconds * 1000);
    },

    async status(): Promise<LimiterStatus> {
      const t = clock.now();
      const pair = windowsAt(t);
      const drainUntil = ledger.drainUntil > t ? ledger.drainUntil : 0;
      const b = ledger.bucket === undefined ? undefined : { ...ledger.bucket };
      if (b === undefined || !advanceBucket(b, t, pair, config)) {
        const limit = resolved.dailyQuota;
        const current = pair.current;
        return { usedToday: 0, limit, reserve: reserveOf(limit, config.reservePercent), available: 0, resetAt: current.end, synced: false, tokens: 0, windowStart: current.start, drainUntil, now: t };
      }
      const reserve = reserveOf(b.limit, config.reservePercent);
      const available = drainUntil > 0 ? 0 : Math.max(0, b.limit - reserve - b.used);
      return { usedToday: b.used, limit: b.limit, reserve, available, resetAt: b.windowEnd, synced: true, tokens: b.tokens, windowStart: b.windowStart, drainUntil, now: t };
    },

    async close() {
      loop.close();
    },
  };
}
