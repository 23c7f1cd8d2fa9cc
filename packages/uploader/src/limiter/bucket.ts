/**
 * The token bucket of one account, as pure steps on plain state. The memory limiter runs these
 * steps; the Redis script (redis-script.ts) is a line-by-line Lua copy of them, and the
 * conformance test holds the two to the same answers.
 *
 * State: the day's window [windowStart, windowEnd), the day's `limit`, `used` (tokens taken this
 * window, raised by `sync` to the server's count), `tokens` in the bucket (fractional) and the
 * instant they were last refilled. `drainUntil` lives beside the bucket: a 429 stops everything,
 * even before the first sync.
 *
 * - Hard caps: normal work stops at `limit − reserve`, priority work (and the sync request) at
 *   `limit`. Both count in `used`.
 * - Pacing (normal work only): the bucket holds at most `burst` tokens. It refills at
 *   `room / (windowEnd − 1 ms − now)` tokens per ms, where `room = limit − reserve − used − tokens`
 *   is what the day still allows and the bucket does not hold yet: the rest of the day's allowance
 *   spread evenly over the time left, the last token falling in the window's last millisecond
 *   (not at its end, which belongs to the next day). Taking tokens as fast as they come keeps
 *   that rate constant; idling lets the bucket fill to `burst` and the rest of the allowance
 *   speeds up the remaining hours. A fresh window starts with `min(burst, limit − reserve)`.
 * - Priority work is not paced: it takes from `used` directly (and trims the bucket so that
 *   `used + tokens` never passes `limit − reserve`), which slows the normal pace to match.
 */
import type { QuotaWindow, WindowPair } from './quota-window.js';

export interface BucketState {
  windowStart: number;
  windowEnd: number;
  limit: number;
  used: number;
  tokens: number;
  refilledAt: number;
}

export interface Ledger {
  /** Undefined until the first sync: nothing but the sync request is granted then. */
  bucket: BucketState | undefined;
  /** Epoch ms until which nothing is granted (a 429); 0 when none. */
  drainUntil: number;
  /**
   * Sync requests granted without a bucket (unmetered) in the window starting at `windowStart`,
   * whose answers have not been taken in yet. Several processes sharing one Redis bucket each
   * send one after a restart: the first answer cannot include the others' (they may reach the
   * server after it), so the bucket it makes counts them.
   */
  unsynced?: { windowStart: number; count: number };
}

export interface BucketConfig {
  burst: number;
  reservePercent: number;
}

/** `normal` is paced and stops at the reserve; `priority` and `sync` spend the reserve, unpaced. */
export type AcquireMode = 'normal' | 'priority' | 'sync';

/** Why a wait: a 429 drain, the pace of the bucket, or the day's allowance spent (until the reset). */
export type WaitReason = 'drain' | 'pace' | 'spent';

export type AcquireStep =
  | { kind: 'granted'; at: number; metered: boolean; windowStart: number; windowEnd: number; used: number; limit: number }
  | { kind: 'wait'; at: number; ms: number; reason: WaitReason }
  | { kind: 'needs-sync'; at: number; why: 'missing' | 'restarted' }
  | { kind: 'window-miss'; at: number };

const EPS = 1e-9;

/** Requests kept for priority work: `reservePercent` of the limit, rounded up, at most the limit. */
export function reserveOf(limit: number, reservePercent: number): number {
  return Math.max(0, Math.min(limit, Math.ceil((limit * reservePercent) / 100 - EPS)));
}

function capOf(limit: number, config: BucketConfig): number {
  return limit - reserveOf(limit, config.reservePercent);
}

/**
 * Brings the bucket to instant `t`: a new window when `t` passed the end (from the pair, which
 * must hold `t`; false when it does not), else the refill since the last one. Mutates `b`.
 */
export function advanceBucket(b: BucketState, t: number, pair: WindowPair, config: BucketConfig): boolean {
  if (t >= b.windowEnd) {
    let window: QuotaWindow;
    if (t >= pair.current.start && t < pair.current.end) window = pair.current;
    else if (t >= pair.next.start && t < pair.next.end) window = pair.next;
    else return false;
    b.windowStart = window.start;
    b.windowEnd = window.end;
    b.used = 0;
    b.tokens = Math.min(config.burst, capOf(b.limit, config));
    b.refilledAt = t;
    return true;
  }
  refillBucket(b, t, config);
  return true;
}

/** The refill from `refilledAt` to `t`, inside the bucket's window (`t < windowEnd`). Mutates `b`. */
export function refillBucket(b: BucketState, t: number, config: BucketConfig): void {
  const cap = capOf(b.limit, config);
  if (t > b.refilledAt) {
    const room = cap - b.used - b.tokens;
    if (room > 0) b.tokens = Math.min(config.burst, b.tokens + (room * (t - b.refilledAt)) / Math.max(1, b.windowEnd - 1 - b.refilledAt));
    b.refilledAt = t;
  }
  b.tokens = Math.max(0, Math.min(b.tokens, cap - b.used));
}

function granted(b: BucketState, t: number): AcquireStep {
  return { kind: 'granted', at: t, metered: true, windowStart: b.windowStart, windowEnd: b.windowEnd, used: b.used, limit: b.limit };
}

/** One acquire attempt at instant `t`. Mutates the ledger when it grants or refills. */
export function acquireStep(ledger: Ledger, t: number, pair: WindowPair, config: BucketConfig, mode: AcquireMode): AcquireStep {
  if (ledger.drainUntil > t) return { kind: 'wait', at: t, ms: ledger.drainUntil - t, reason: 'drain' };
  const b = ledger.bucket;
  if (b === undefined) {
    if (mode !== 'sync') return { kind: 'needs-sync', at: t, why: 'missing' };
    // The sync request itself: the server counts it, and its own answer includes it; the answer
    // that makes the bucket counts the others granted meanwhile (see `unsynced`).
    const earlier = ledger.unsynced?.windowStart === pair.current.start ? ledger.unsynced.count : 0;
    ledger.unsynced = { windowStart: pair.current.start, count: earlier + 1 };
    return { kind: 'granted', at: t, metered: false, windowStart: pair.current.start, windowEnd: pair.current.end, used: 0, limit: 0 };
  }
  if (!advanceBucket(b, t, pair, config)) return { kind: 'window-miss', at: t };
  const cap = capOf(b.limit, config);
  if (mode !== 'normal') {
    if (b.used < b.limit) {
      b.used += 1;
      b.tokens = Math.max(0, Math.min(b.tokens, cap - b.used));
      return granted(b, t);
    }
    return { kind: 'wait', at: t, ms: b.windowEnd - t, reason: 'spent' };
  }
  if (b.used >= cap) return { kind: 'wait', at: t, ms: b.windowEnd - t, reason: 'spent' };
  if (b.tokens >= 1 - EPS) {
    b.tokens = Math.max(0, b.tokens - 1);
    b.used += 1;
    return granted(b, t);
  }
  const room = cap - b.used - b.tokens;
  // Aim at 1 − EPS/2 (the grant takes 1 − EPS): a wait that should be a whole number of ms is never rounded up past it.
  const ms = Math.min(b.windowEnd - t, Math.max(1, Math.ceil(((1 - EPS / 2 - b.tokens) * Math.max(1, b.windowEnd - 1 - t)) / room)));
  return { kind: 'wait', at: t, ms, reason: 'pace' };
}

/**
 * Takes in a `system.current` answer about `window` at instant `t`. Same window: `used` is the
 * larger of ours and the server's (never lower), `limit` the server's. Our state already in a
 * later window: only `limit`. No trusted state, or an older window: the server's numbers plus the
 * other unmetered sync requests of that window still unanswered (the server may not have counted
 * them yet), and a bucket of `min(burst, limit − reserve − used)`.
 */
export function syncStep(ledger: Ledger, t: number, window: QuotaWindow, used: number, limit: number, config: BucketConfig): void {
  const others = ledger.unsynced?.windowStart === window.start ? Math.max(0, ledger.unsynced.count - 1) : 0;
  ledger.unsynced = undefined;
  let b = ledger.bucket;
  if (b !== undefined && t < b.windowEnd) {
    refillBucket(b, t, config);
    if (b.windowStart === window.start) {
      b.used = Math.max(b.used, used);
      b.limit = limit;
    } else if (b.windowStart > window.start) {
      b.limit = limit;
    } else {
      b = undefined;
    }
  } else {
    b = undefined;
  }
  if (b !== undefined) {
    b.tokens = Math.max(0, Math.min(b.tokens, config.burst, capOf(b.limit, config) - b.used));
  } else {
    b = { windowStart: window.start, windowEnd: window.end, limit, used: used + others, tokens: 0, refilledAt: t };
    b.tokens = Math.max(0, Math.min(config.burst, capOf(limit, config) - b.used));
  }
  ledger.bucket = b;
}

/** A 429: nothing is granted before `t + ms` (an earlier drain is never shortened). */
export function drainStep(ledger: Ledger, t: number, ms: number): number {
  ledger.drainUntil = Math.max(ledger.drainUntil, t + ms);
  return ledger.drainUntil;
}
