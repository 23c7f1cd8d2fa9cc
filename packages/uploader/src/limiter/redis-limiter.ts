/**
 * The shared limiter: one bucket per account in one Redis hash, changed only by the atomic script
 * of redis-script.ts (one EVALSHA per acquire attempt), so every process and machine using the
 * same Redis and key prefix shares the day's quota. State and day boundaries follow Redis `TIME`;
 * the caller's clock only times the waits between attempts (durations, so clock offsets between
 * machines do not matter) and estimates Redis time to pick the local-day windows it sends.
 */
import type { Redis } from 'ioredis';
import type { AcquireMode } from './bucket.js';
import { reserveOf } from './bucket.js';
import { LimiterError, optionError } from './errors.js';
import { resolveLimiterOptions } from './options.js';
import type { LimiterOptions } from './options.js';
import { checkQuotaState, checkRetryAfter, createAcquireLoop, zoneMismatch } from './quota-limiter.js';
import type { AttemptStep, GrantingQuotaLimiter, LimiterStatus } from './quota-limiter.js';
import { createWindowFinder, windowOfAnswer } from './quota-window.js';
import type { QuotaWindow } from './quota-window.js';
import { LIMITER_LUA, LIMITER_LUA_SHA } from './redis-script.js';

export interface RedisLimiterOptions extends LimiterOptions {
  /** An ioredis connection (the caller's: `close()` leaves it open). Required. */
  redis: Redis;
  /** Prefix of the account's hash key (`<keyPrefix><account>`). Default `optimo-import:quota:`. */
  keyPrefix?: string;
  /** Longest sleep before a waiting acquire asks Redis again (other processes may sync or drain). Default 2000 ms. */
  pollMs?: number;
  /** `redis` (default): the script's clock is Redis `TIME`. `clock`: it is `options.clock.now()`, for tests with a fake clock. */
  timeSource?: 'redis' | 'clock';
}

export const DEFAULT_KEY_PREFIX = 'optimo-import:quota:';
export const DEFAULT_POLL_MS = 2000;
const MAX_WINDOW_RETRIES = 4;

/** The hash key of an account's bucket (to inspect it, or delete it in tests). */
export function redisLimiterKey(account: string, keyPrefix: string = DEFAULT_KEY_PREFIX): string {
  return `${keyPrefix}${account}`;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

function windowArgs(current: QuotaWindow, next: QuotaWindow): string[] {
  return [String(current.start), String(current.end), String(next.start), String(next.end)];
}

export function createRedisLimiter(options: RedisLimiterOptions): GrantingQuotaLimiter {
  const resolved = resolveLimiterOptions(options);
  const { account, clock, timeZone, daySeconds } = resolved;
  const { redis } = options;
  if (typeof redis !== 'object' || redis === null || typeof redis.evalsha !== 'function' || typeof redis.eval !== 'function') {
    throw optionError('redis', 'an ioredis connection', redis);
  }
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== 'string') throw optionError('keyPrefix', 'a string', keyPrefix);
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  if (typeof pollMs !== 'number' || !Number.isSafeInteger(pollMs) || pollMs < 1) throw optionError('pollMs', 'a whole number of ms ≥ 1', options.pollMs);
  const timeSource = options.timeSource ?? 'redis';
  if (timeSource !== 'redis' && timeSource !== 'clock') throw optionError('timeSource', "'redis' or 'clock'", timeSource);

  const key = redisLimiterKey(account, keyPrefix);
  const fixed = [String(resolved.burst), String(resolved.reservePercent)];
  const windowsAt = createWindowFinder(timeZone, daySeconds);
  /** Redis time minus clock time, learnt from every answer; undefined before the first. */
  let offset: number | undefined;

  const redisError = (message: string, cause?: unknown): LimiterError => new LimiterError({ code: 'redis-error', account, message, cause });

  async function evalScript(args: string[]): Promise<string[]> {
    let reply: unknown;
    try {
      try {
        reply = await redis.evalsha(LIMITER_LUA_SHA, 1, key, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        reply = await redis.eval(LIMITER_LUA, 1, key, ...args);
      }
    } catch (error) {
      throw redisError(`the limiter script failed: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    if (!Array.isArray(reply) || reply.length < 2 || !reply.every((part) => typeof part === 'string')) {
      throw redisError(`the limiter script answered ${JSON.stringify(reply)}`);
    }
    return reply as string[];
  }

  function estimate(): number {
    return clock.now() + (timeSource === 'clock' ? 0 : (offset ?? 0));
  }

  /** Runs one op; asks again (with the script's own time) while it answers `window`. */
  async function run(op: string, argsAt: (t: number) => string[]): Promise<string[]> {
    for (let attempt = 0; attempt < MAX_WINDOW_RETRIES; attempt++) {
      const t = estimate();
      const reply = await evalScript([op, timeSource === 'clock' ? String(t) : '', ...fixed, ...argsAt(t)]);
      if (timeSource === 'redis') offset = Number(reply[1]) - clock.now();
      if (reply[0] !== 'window') return reply;
    }
    throw redisError(`Redis TIME stayed outside the quota windows computed for it (${MAX_WINDOW_RETRIES} tries)`);
  }

  function readStep(reply: string[]): AttemptStep {
    const [kind, at, a, b, c, d, e] = reply;
    if (kind === 'granted') {
      return { kind: 'granted', at: Number(at), metered: a === '1', windowStart: Number(b), windowEnd: Number(c), used: Number(d), limit: Number(e) };
    }
    if (kind === 'wait' && (b === 'drain' || b === 'pace' || b === 'spent')) return { kind: 'wait', at: Number(at), ms: Number(a), reason: b };
    if (kind === 'needs-sync') return { kind: 'needs-sync', at: Number(at), why: a === 'restarted' ? 'restarted' : 'missing' };
    throw redisError(`the limiter script answered ${JSON.stringify(reply)}`);
  }

  const loop = createAcquireLoop({
    account,
    clock,
    maxSleepMs: pollMs,
    needsSyncMessage: (why) =>
      why === 'restarted'
        ? 'Redis restarted or failed over since the last sync (another run_id): the stored count may be low; call system.current through acquire({ sync: true }) and pass its answer to sync()'
        : 'no quota state in Redis (never synced, expired, or lost in a restart without persistence): call system.current through acquire({ sync: true }) and pass its answer to sync()',
    async attempt(mode: AcquireMode): Promise<AttemptStep> {
      const reply = await run('acquire', (t) => {
        const pair = windowsAt(t);
        return [...windowArgs(pair.current, pair.next), mode];
      });
      return readStep(reply);
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
      if (timeSource === 'redis' && offset === undefined) {
        try {
          const [seconds, micros] = await redis.time();
          offset = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - clock.now();
        } catch (error) {
          throw redisError(`TIME failed: ${error instanceof Error ? error.message : String(error)}`, error);
        }
      }
      const answer = windowOfAnswer(estimate(), resetsInSeconds, timeZone, daySeconds);
      if (answer.distance > resolved.maxClockSkewMs) throw zoneMismatch(account, timeZone, answer.distance);
      await run('sync', () => [...windowArgs(answer.window, answer.window), String(used), String(limit)]);
      loop.wake();
    },

    async drain(retryAfterSeconds) {
      loop.assertOpen();
      const seconds = checkRetryAfter(account, retryAfterSeconds);
      await run('drain', (t) => {
        const pair = windowsAt(t);
        return [...windowArgs(pair.current, pair.next), seconds === undefined ? '' : String(seconds * 1000)];
      });
    },

    async status(): Promise<LimiterStatus> {
      const reply = await run('status', (t) => {
        const pair = windowsAt(t);
        return windowArgs(pair.current, pair.next);
      });
      if (reply[0] !== 'status' || reply.length < 9) throw redisError(`the limiter script answered ${JSON.stringify(reply)}`);
      const [at, trusted, ws, we, limit, used, tokens, drain] = reply.slice(1).map(Number) as [number, number, number, number, number, number, number, number];
      const drainUntil = drain > at ? drain : 0;
      if (trusted !== 1) {
        const quota = resolved.dailyQuota;
        return { usedToday: 0, limit: quota, reserve: reserveOf(quota, resolved.reservePercent), available: 0, resetAt: we, synced: false, tokens: 0, windowStart: ws, drainUntil, now: at };
      }
      const reserve = reserveOf(limit, resolved.reservePercent);
      const available = drainUntil > 0 ? 0 : Math.max(0, limit - reserve - used);
      return { usedToday: used, limit, reserve, available, resetAt: we, synced: true, tokens, windowStart: ws, drainUntil, now: at };
    },

    async close() {
      loop.close();
    },
  };
}
