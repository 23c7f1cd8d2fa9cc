/**
 * The limiter's shape, shared by the memory and the Redis limiter, and the waiting side they
 * share: two FIFO lanes (normal work; priority and sync work), so that in one process only the
 * head of a lane asks the bucket and sleeps, and priority work never queues behind paced work.
 */
import type { AcquireMode, AcquireStep } from './bucket.js';
import { LimiterError, optionError } from './errors.js';
import type { Clock, QuotaState } from './options.js';

export type { QuotaState } from './options.js';

export interface AcquireOptions {
  /** Spend the reserve, unpaced: reconciliation lookups, interactive work. Default false. */
  priority?: boolean;
  /**
   * This request is `system.current` for a sync. With trusted state it is priority work like any
   * other; without (the answer was `needs-sync`) it is granted at once and not counted here,
   * because the server counts it and its `<requests>` includes it, so `sync()` takes it in.
   * Only a drain (429) holds it back. Default false.
   */
  sync?: boolean;
  /** Stops waiting: the promise rejects with `signal.reason`; no token is taken. */
  signal?: AbortSignal;
}

/** What `acquireGrant` resolves with. */
export interface LimiterGrant {
  /** When the token was taken, epoch ms on the limiter's clock (Redis `TIME` for the Redis limiter). */
  at: number;
  /** The quota window it was counted in. */
  windowStart: number;
  windowEnd: number;
  /** `used` after this token (0 for an unmetered sync request). */
  usedToday: number;
  limit: number;
  /** False only for a sync request granted without trusted state. */
  metered: boolean;
}

export interface LimiterStatus {
  /** Tokens taken in the current window (raised by `sync` to the server's count). 0 before the first sync. */
  usedToday: number;
  /** The day's limit: the synced `<request_limit>`, `dailyQuota` before the first sync. */
  limit: number;
  /** Requests kept for priority work: `ceil(limit × reservePercent / 100)`. */
  reserve: number;
  /** Requests normal work may still take today (`limit − reserve − used`); 0 while draining or unsynced. */
  available: number;
  /** Epoch ms of the next reset (the current window's end). */
  resetAt: number;
  /** False until the first sync, and after Redis lost or may have lost the state. */
  synced: boolean;
  /** Tokens in the bucket now (fractional): how many normal requests may go at once. */
  tokens: number;
  /** Epoch ms of the current window's start. */
  windowStart: number;
  /** Epoch ms until which a 429 holds everything back; 0 when not draining. */
  drainUntil: number;
  /** The instant described (Redis `TIME` for the Redis limiter). */
  now: number;
}

/** The interface the uploader codes against (a test double may implement just this). */
export interface QuotaLimiter {
  /**
   * Waits until a token may be taken, takes it, resolves. Every attempt sent to the API takes one
   * first, retries included. Rejects with `LimiterError` `needs-sync` when there is no trusted
   * count (never synced, or Redis lost it): call `system.current` through
   * `acquire({ sync: true })`, pass its answer to `sync()`, and acquire again. Rejects with
   * `signal.reason` when aborted, `closed` after `close()`.
   */
  acquire(options?: AcquireOptions): Promise<void>;
  /** Takes in `system.current`: `used = max(ours, server's)` in the same window (never lowered), the limit replaced. */
  sync(state: QuotaState): Promise<void>;
  /** A 429/42900: nothing is granted for `retryAfterSeconds` (default: until the current window's end). */
  drain(retryAfterSeconds?: number): Promise<void>;
  status(): Promise<LimiterStatus>;
  /** Pending and later acquires reject with `closed`. The Redis connection stays the caller's. */
  close(): Promise<void>;
}

/** What `createMemoryLimiter` and `createRedisLimiter` return: `QuotaLimiter` plus the grant's details. */
export interface GrantingQuotaLimiter extends QuotaLimiter {
  /** `acquire`, resolving with what was granted (when, in which window, the count after it). */
  acquireGrant(options?: AcquireOptions): Promise<LimiterGrant>;
}

/** One attempt at the bucket: granted, wait, or needs sync (a window miss is retried inside). */
export type AttemptStep = Exclude<AcquireStep, { kind: 'window-miss' }>;

interface Lane {
  enter(signal: AbortSignal | undefined): Promise<void>;
  leave(): void;
  rejectAll(error: unknown): void;
}

function createLane(): Lane {
  let busy = false;
  const queue: Array<{ go: () => void; fail: (error: unknown) => void }> = [];
  return {
    enter(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (!busy) {
        busy = true;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const index = queue.indexOf(entry);
          if (index >= 0) queue.splice(index, 1);
          reject(signal?.reason);
        };
        const entry = {
          go: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          fail: (error: unknown) => {
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(entry);
      });
    },
    leave() {
      const next = queue.shift();
      if (next) next.go();
      else busy = false;
    },
    rejectAll(error) {
      for (const entry of queue.splice(0)) entry.fail(error);
    },
  };
}

export interface AcquireLoopDeps {
  account: string;
  clock: Clock;
  /** One attempt at the bucket. */
  attempt(mode: AcquireMode): Promise<AttemptStep>;
  /** Longest single sleep (the Redis limiter re-asks, since other processes change the state). */
  maxSleepMs: number;
  /** Text of a needs-sync rejection, by the reason the bucket gave. */
  needsSyncMessage(why: 'missing' | 'restarted'): string;
}

export interface AcquireLoop {
  acquire(options?: AcquireOptions): Promise<LimiterGrant>;
  /** Wakes the sleeping heads so they ask again (after a sync here). */
  wake(): void;
  close(): void;
  assertOpen(): void;
}

function resolveMode(options: AcquireOptions | undefined): AcquireMode {
  if (options === undefined) return 'normal';
  if (typeof options !== 'object' || options === null) throw optionError('acquire options', 'an object', options);
  const { priority, sync, signal } = options;
  if (priority !== undefined && typeof priority !== 'boolean') throw optionError('priority', 'a boolean', priority);
  if (sync !== undefined && typeof sync !== 'boolean') throw optionError('sync', 'a boolean', sync);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw optionError('signal', 'an AbortSignal', signal);
  return sync ? 'sync' : priority ? 'priority' : 'normal';
}

export function createAcquireLoop(deps: AcquireLoopDeps): AcquireLoop {
  const { clock, account } = deps;
  const normal = createLane();
  const urgent = createLane();
  let waker = new AbortController();
  let closed = false;
  const closedError = (): LimiterError => new LimiterError({ code: 'closed', account, message: 'the limiter is closed' });

  /** Sleeps `ms` unless woken (returns) or aborted (throws the reason). */
  async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const wake = waker.signal;
    const both = new AbortController();
    const onAbort = (): void => both.abort(signal?.reason);
    const onWake = (): void => both.abort(wake.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    wake.addEventListener('abort', onWake, { once: true });
    try {
      if (signal?.aborted) throw signal.reason;
      if (wake.aborted) return;
      await clock.sleep(ms, both.signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!wake.aborted) throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      wake.removeEventListener('abort', onWake);
    }
  }

  function wake(): void {
    waker.abort();
    waker = new AbortController();
  }

  return {
    async acquire(options) {
      const mode = resolveMode(options);
      const signal = options?.signal;
      if (closed) throw closedError();
      const lane = mode === 'normal' ? normal : urgent;
      await lane.enter(signal);
      try {
        for (;;) {
          if (signal?.aborted) throw signal.reason;
          if (closed) throw closedError();
          const step = await deps.attempt(mode);
          if (step.kind === 'granted') {
            return { at: step.at, windowStart: step.windowStart, windowEnd: step.windowEnd, usedToday: step.used, limit: step.limit, metered: step.metered };
          }
          if (step.kind === 'needs-sync') throw new LimiterError({ code: 'needs-sync', account, message: deps.needsSyncMessage(step.why) });
          await sleep(Math.min(step.ms, deps.maxSleepMs), signal);
        }
      } finally {
        lane.leave();
      }
    },
    wake,
    close() {
      if (closed) return;
      closed = true;
      normal.rejectAll(closedError());
      urgent.rejectAll(closedError());
      wake();
    },
    assertOpen() {
      if (closed) throw closedError();
    },
  };
}

/** Checks `sync()`'s argument: whole `used` and `limit` ≥ 0, `resetsInSeconds` finite ≥ 0. */
export function checkQuotaState(account: string, state: QuotaState): QuotaState {
  const ok =
    typeof state === 'object' &&
    state !== null &&
    Number.isSafeInteger(state.used) &&
    state.used >= 0 &&
    Number.isSafeInteger(state.limit) &&
    state.limit >= 0 &&
    typeof state.resetsInSeconds === 'number' &&
    Number.isFinite(state.resetsInSeconds) &&
    state.resetsInSeconds >= 0;
  if (!ok) {
    throw new LimiterError({ code: 'invalid-state', account, message: `sync() needs whole used and limit ≥ 0 and resetsInSeconds ≥ 0, got ${JSON.stringify(state)}` });
  }
  return state;
}

/** Checks `drain()`'s argument: undefined (until the reset) or seconds, finite ≥ 0. */
export function checkRetryAfter(account: string, seconds: number | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) return seconds;
  throw new LimiterError({ code: 'invalid-state', account, message: `drain() needs seconds ≥ 0 (or nothing: until the reset), got ${String(seconds)}` });
}

/** The zone-mismatch error of `sync()`. */
export function zoneMismatch(account: string, timeZone: string, distanceMs: number): LimiterError {
  const minutes = Math.round(distanceMs / 60_000);
  return new LimiterError({
    code: 'zone-mismatch',
    account,
    message: `resets_in ends ${minutes} minutes away from any local midnight of ${timeZone}: the account's zone (system.current → <timezone>) or a clock is wrong`,
  });
}
