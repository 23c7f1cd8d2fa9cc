/**
 * The Redis limiter against the real Redis on 127.0.0.1:6379: the shared semantics and a twin run
 * against the memory limiter on a fake clock (the script reads the clock), then Redis TIME,
 * state loss and several processes on one bucket in real time with short test days. (SCRIPT FLUSH
 * is tested on a private server in redis-restart.test.ts, not on this shared one.)
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLimiter } from './memory-limiter.js';
import type { LimiterOptions } from './options.js';
import type { GrantingQuotaLimiter } from './quota-limiter.js';
import { createRedisLimiter, redisLimiterKey } from './redis-limiter.js';
import { ZONE, describeLimiterConformance, lisbon } from './test-conformance.js';
import { createFakeClock, settle } from './test-fake-clock.js';
import type { FakeClock } from './test-fake-clock.js';
import { hammer } from './test-hammer.js';
import type { HammerGrant } from './test-hammer.js';
import { createKeyTracker } from './test-redis.js';

const ACCOUNT = 'riverside-tri';
const DAY_MS = 86_400_000;
const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
const keys = createKeyTracker(redis);

beforeAll(async () => {
  await redis.connect();
});
afterEach(async () => {
  await keys.cleanup(ACCOUNT, 'hammer');
});
afterAll(() => {
  redis.disconnect();
});

// pollMs of a day: the fake clock jumps straight to each wake-up, as in memory (polling is tested below).
describeLimiterConformance('Redis limiter', async (options) => createRedisLimiter({ ...options, redis, keyPrefix: keys.prefix(), timeSource: 'clock', pollMs: DAY_MS }));

/** Seconds from now to the next UTC midnight: `resets_in` of an account in UTC. */
function toUtcMidnight(): number {
  return Math.ceil(((Math.floor(Date.now() / DAY_MS) + 1) * DAY_MS - Date.now()) / 1000);
}

/** A tiny seeded generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function outcome(clock: FakeClock, run: () => Promise<unknown>): Promise<unknown> {
  const start = clock.now();
  try {
    const value = await settle(clock, run());
    return { value, waited: clock.now() - start };
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error), waited: clock.now() - start };
  }
}

describe('Redis limiter', () => {
  it('is the twin of the memory limiter: 400 random steps, the same answers to the millisecond and the bit', async () => {
    const next = random(20260329);
    const start = lisbon('2026-03-28 21:00:00');
    const options: Omit<LimiterOptions, 'clock'> = { account: ACCOUNT, timeZone: ZONE, burst: 5, reservePercent: 7 };
    const memoryClock = createFakeClock(start);
    const redisClock = createFakeClock(start);
    const memory = createMemoryLimiter({ ...options, clock: memoryClock });
    const shared = createRedisLimiter({ ...options, clock: redisClock, redis, keyPrefix: keys.prefix(), timeSource: 'clock', pollMs: DAY_MS });
    const both = async (step: (limiter: GrantingQuotaLimiter, clock: FakeClock) => Promise<unknown>): Promise<void> => {
      const a = await outcome(memoryClock, () => step(memory, memoryClock));
      const b = await outcome(redisClock, () => step(shared, redisClock));
      expect(b).toEqual(a);
      expect(redisClock.now()).toBe(memoryClock.now());
      expect(await shared.status()).toEqual(await memory.status());
    };
    for (let i = 0; i < 400; i++) {
      const roll = next();
      if (roll < 0.45) await both((limiter) => limiter.acquireGrant());
      else if (roll < 0.6) await both((limiter) => limiter.acquireGrant({ priority: true }));
      else if (roll < 0.65) await both((limiter) => limiter.acquireGrant({ sync: true }));
      else if (roll < 0.75) {
        const used = Math.floor(next() * 120);
        const limit = [100, 150, 200][Math.floor(next() * 3)] as number;
        const skew = Math.floor(next() * 5000);
        await both(async (limiter, clock) => {
          const status = await limiter.status();
          await limiter.sync({ used, limit, resetsInSeconds: Math.ceil((status.resetAt - clock.now() + skew) / 1000) });
        });
      } else if (roll < 0.8) {
        const seconds = next() < 0.3 ? undefined : Math.floor(next() * 900);
        await both((limiter) => limiter.drain(seconds));
      } else {
        const ms = Math.floor(next() * 3 * 3_600_000);
        memoryClock.set(memoryClock.now() + ms);
        redisClock.set(redisClock.now() + ms);
        await both((limiter) => limiter.status());
      }
    }
    expect(memoryClock.now()).toBeGreaterThan(lisbon('2026-03-30 00:00:00'));
  });

  it('polls while it waits (other processes may change the bucket) and still spreads a 23-hour day exactly', async () => {
    const clock = createFakeClock(lisbon('2026-03-29 00:00:00'));
    const limiter = createRedisLimiter({ account: ACCOUNT, timeZone: ZONE, clock, burst: 10, redis, keyPrefix: keys.prefix(), timeSource: 'clock', pollMs: 60_000 });
    await limiter.sync({ used: 0, limit: 200, resetsInSeconds: 23 * 3600 });
    const times: number[] = [];
    for (;;) {
      const grant = await settle(clock, limiter.acquireGrant());
      if (grant.windowStart !== lisbon('2026-03-29')) break;
      times.push(grant.at);
    }
    expect(times).toHaveLength(190);
    expect(times.at(-1)).toBe(lisbon('2026-03-30') - 1);
  });

  it('says needs-sync once the key is gone (a restart without persistence), and grants nothing until a sync', async () => {
    const keyPrefix = keys.prefix();
    const limiter = createRedisLimiter({ account: ACCOUNT, timeZone: 'UTC', redis, keyPrefix });
    const nextMidnight = toUtcMidnight();
    await limiter.sync({ used: 10, limit: 100, resetsInSeconds: nextMidnight });
    const grant = await limiter.acquireGrant();
    expect(grant).toMatchObject({ usedToday: 11, limit: 100, metered: true });
    expect(Math.abs(grant.at - Date.now())).toBeLessThan(1000); // Redis TIME, same machine
    await redis.del(redisLimiterKey(ACCOUNT, keyPrefix));
    for (const options of [{}, { priority: true }, {}]) {
      await expect(limiter.acquire(options)).rejects.toMatchObject({ name: 'LimiterError', code: 'needs-sync', message: expect.stringContaining('no quota state in Redis') });
    }
    expect(await limiter.status()).toMatchObject({ synced: false, available: 0 });
    expect(await limiter.acquireGrant({ sync: true })).toMatchObject({ metered: false });
    // The sync request wrote only that it is out, unanswered (other processes' answers count it).
    expect(await redis.hgetall(redisLimiterKey(ACCOUNT, keyPrefix))).toEqual({ pre: '1', prews: expect.stringMatching(/^\d+$/) });
    await limiter.sync({ used: 14, limit: 100, resetsInSeconds: nextMidnight });
    expect(await limiter.acquireGrant()).toMatchObject({ usedToday: 15 });
    expect(await redis.hexists(redisLimiterKey(ACCOUNT, keyPrefix), 'pre')).toBe(0);
  });

  it('counts the sync requests of the other processes that the first answer cannot hold (three workers after a restart)', async () => {
    const keyPrefix = keys.prefix();
    const nextMidnight = toUtcMidnight();
    const workers = [0, 1, 2].map(() => createRedisLimiter({ account: ACCOUNT, timeZone: 'UTC', redis, keyPrefix }));
    // Each worker, finding no state, sends its system.current; the first answer (used 20, its own
    // request included) comes back before the other two requests reached the server.
    for (const worker of workers) expect(await worker.acquireGrant({ sync: true })).toMatchObject({ metered: false });
    await workers[0]?.sync({ used: 20, limit: 100, resetsInSeconds: nextMidnight });
    expect(await workers[0]?.status()).toMatchObject({ synced: true, usedToday: 22 });
    // The later answers count what the server saw: never lower, and the others are not counted twice.
    await workers[1]?.sync({ used: 22, limit: 100, resetsInSeconds: nextMidnight });
    await workers[2]?.sync({ used: 22, limit: 100, resetsInSeconds: nextMidnight });
    expect(await workers[2]?.acquireGrant()).toMatchObject({ usedToday: 23, metered: true });
  });

  it('distrusts a state written under another Redis run_id (restart with persistence, failover)', async () => {
    const keyPrefix = keys.prefix();
    const limiter = createRedisLimiter({ account: ACCOUNT, timeZone: 'UTC', redis, keyPrefix });
    await limiter.sync({ used: 10, limit: 100, resetsInSeconds: toUtcMidnight() });
    await limiter.acquireGrant();
    await redis.hset(redisLimiterKey(ACCOUNT, keyPrefix), 'run', 'an-older-server');
    await expect(limiter.acquire({ priority: true })).rejects.toMatchObject({ code: 'needs-sync', message: expect.stringContaining('another run_id') });
    await limiter.sync({ used: 12, limit: 100, resetsInSeconds: toUtcMidnight() });
    expect(await limiter.acquireGrant()).toMatchObject({ usedToday: 13 });
  });

  it('rejects bad Redis options at construction', () => {
    const base = { account: 'a', timeZone: 'UTC', redis };
    expect(() => createRedisLimiter({ ...base, redis: {} as never })).toThrow('[limiter] option `redis` must be an ioredis connection, got an object');
    expect(() => createRedisLimiter({ ...base, pollMs: 0 })).toThrow('[limiter] option `pollMs` must be a whole number of ms ≥ 1, got 0');
    expect(() => createRedisLimiter({ ...base, timeSource: 'ntp' as never })).toThrow("[limiter] option `timeSource` must be 'redis' or 'clock', got \"ntp\"");
    expect(() => createRedisLimiter({ ...base, keyPrefix: 7 as never })).toThrow('[limiter] option `keyPrefix` must be a string, got 7');
  });

  it('two limiters in this process and one in a child process, each with its own connection, never pass the quota together', async () => {
    const keyPrefix = keys.prefix();
    const daySeconds = 2;
    const common = { account: 'hammer', timeZone: 'UTC', daySeconds, burst: 8, reservePercent: 10, keyPrefix, pollMs: 50 };
    const limit = 40;
    const connections = [new Redis({ host: '127.0.0.1', port: 6379 }), new Redis({ host: '127.0.0.1', port: 6379 })];
    try {
      const [a, b] = connections.map((connection) => createRedisLimiter({ ...common, redis: connection })) as [GrantingQuotaLimiter, GrantingQuotaLimiter];
      await a.sync({ used: 0, limit, resetsInSeconds: Math.ceil(((Math.floor(Date.now() / 2000) + 1) * 2000 - Date.now()) / 1000) });
      const startAt = Date.now() + 1500;
      const durationMs = 5000;
      const child = promisify(execFile)(
        process.execPath,
        ['--import', fileURLToPath(new URL('./test-ts-loader.mjs', import.meta.url)), fileURLToPath(new URL('./test-hammer-child.ts', import.meta.url)), JSON.stringify({ ...common, port: 6379, startAt, durationMs })],
        { timeout: 30_000 },
      );
      const local = await Promise.all([hammer(a, 'a', startAt, durationMs), hammer(b, 'b', startAt, durationMs)]);
      const { stdout } = await child;
      const grants: HammerGrant[] = [...local.flat(), ...(JSON.parse(stdout.trim()) as HammerGrant[])];
      for (const source of ['a', 'b', 'child']) expect(grants.some((g) => g.source === source)).toBe(true);

      const perWindow = new Map<number, HammerGrant[]>();
      for (const grant of grants) {
        expect(grant.windowStart).toBe(Math.floor(grant.at / 2000) * 2000); // the grant's Redis TIME is inside its window
        perWindow.set(grant.windowStart, [...(perWindow.get(grant.windowStart) ?? []), grant]);
      }
      const full = [...perWindow.keys()].filter((start) => start >= startAt && start + 2000 <= startAt + durationMs);
      expect(full.length).toBeGreaterThanOrEqual(1);
      for (const [start, inWindow] of perWindow) {
        expect(inWindow.length).toBeLessThanOrEqual(limit);
        expect(inWindow.filter((g) => !g.priority).length).toBeLessThanOrEqual(limit - 4);
        if (full.includes(start)) {
          // The day's quota is used, not left over (a margin for timers late under load)...
          expect(inWindow.length).toBeGreaterThanOrEqual(limit * 0.75);
          // ...and paced over the window, not spent at its start.
          const lastNormal = Math.max(...inWindow.filter((g) => !g.priority).map((g) => g.at));
          expect(lastNormal - start).toBeGreaterThan(1000);
        }
      }
    } finally {
      for (const connection of connections) connection.disconnect();
    }
  });
});
