import { describe, expect, it } from 'vitest';
import { createMemoryLimiter } from './memory-limiter.js';
import { HOUR, ZONE, describeLimiterConformance, lisbon } from './test-conformance.js';
import { createFakeClock, settleAll, timed } from './test-fake-clock.js';

describeLimiterConformance('memory limiter', async (options) => createMemoryLimiter(options));

describe('memory limiter', () => {
  it('rejects bad options at construction with one message form', () => {
    const base = { account: 'a', timeZone: ZONE };
    expect(() => createMemoryLimiter({ ...base, account: ' ' })).toThrow(/^\[limiter\] option `account` must be a non-blank name/);
    expect(() => createMemoryLimiter({ ...base, timeZone: 'Mars/Base' })).toThrow('[limiter] option `timeZone` must be an IANA time zone Intl knows (`Europe/Lisbon`), got "Mars/Base"');
    expect(() => createMemoryLimiter({ ...base, burst: 0 })).toThrow('[limiter] option `burst` must be a whole number ≥ 1, got 0');
    expect(() => createMemoryLimiter({ ...base, dailyQuota: 1.5 })).toThrow('[limiter] option `dailyQuota` must be a whole number ≥ 0, got 1.5');
    expect(() => createMemoryLimiter({ ...base, reservePercent: 100 })).toThrow('[limiter] option `reservePercent` must be a number from 0 up to (not including) 100, got 100');
    expect(() => createMemoryLimiter({ ...base, daySeconds: 0 })).toThrow('[limiter] option `daySeconds` must be a whole number ≥ 1, got 0');
    expect(() => createMemoryLimiter({ ...base, maxClockSkewSeconds: -1 })).toThrow('[limiter] option `maxClockSkewSeconds` must be a whole number ≥ 0, got -1');
    expect(() => createMemoryLimiter({ ...base, clock: { now: () => 0 } as never })).toThrow('[limiter] option `clock` must be an object with now() and sleep(ms, signal), got an object');
    expect(() => createMemoryLimiter(undefined as never)).toThrow('[limiter] option `options` must be an object, got undefined');
  });

  it('rejects bad acquire options with the same message form', async () => {
    const limiter = createMemoryLimiter({ account: 'a', timeZone: ZONE, clock: createFakeClock(0) });
    await expect(limiter.acquire({ priority: 'yes' as never })).rejects.toThrow('[limiter] option `priority` must be a boolean, got "yes"');
    await expect(limiter.acquire({ signal: {} as never })).rejects.toThrow('[limiter] option `signal` must be an AbortSignal, got an object');
  });

  it('serves one lane first in, first out, and priority work beside it, not behind it', async () => {
    const clock = createFakeClock(lisbon('2026-06-15 12:00:00'));
    const limiter = createMemoryLimiter({ account: 'a', timeZone: ZONE, clock, burst: 1 });
    await limiter.sync({ used: 0, limit: 5000, resetsInSeconds: 12 * 3600 });
    await limiter.acquireGrant();
    const order: string[] = [];
    const normal = ['n1', 'n2', 'n3'].map((name) => limiter.acquireGrant().then(() => order.push(name)));
    const priority = limiter.acquireGrant({ priority: true }).then(() => order.push('p'));
    await settleAll(clock, [...normal, priority]);
    expect(order).toEqual(['p', 'n1', 'n2', 'n3']);
  });

  it('fixed window, not sliding: a day idle all morning spends its allowance over the afternoon', async () => {
    const clock = createFakeClock(lisbon('2026-06-15 00:00:00'));
    const limiter = createMemoryLimiter({ account: 'a', timeZone: ZONE, clock });
    await limiter.sync({ used: 0, limit: 5000, resetsInSeconds: 24 * 3600 });
    clock.set(lisbon('2026-06-15 12:00:00'));
    for (let i = 0; i < 20; i++) await limiter.acquireGrant();
    // The bucket held only 20 of the morning's allowance: the other 4730 go over the 12 hours left.
    expect((await timed(clock, () => limiter.acquireGrant())).waitedMs).toBe(Math.ceil((12 * HOUR - 1) / 4730));
    // At midnight the count starts again from zero, whatever the last 24 hours sent.
    clock.set(lisbon('2026-06-16 00:00:00'));
    expect(await limiter.status()).toMatchObject({ usedToday: 0, tokens: 20, windowStart: lisbon('2026-06-16') });
  });

  it('uses the sandbox-style test windows with daySeconds', async () => {
    const clock = createFakeClock(Date.UTC(2026, 5, 15, 12, 0, 30));
    const limiter = createMemoryLimiter({ account: 'a', timeZone: ZONE, clock, daySeconds: 60, burst: 100 });
    await limiter.sync({ used: 0, limit: 10, resetsInSeconds: 30 });
    for (let i = 0; i < 9; i++) await limiter.acquireGrant();
    const next = await timed(clock, () => limiter.acquireGrant());
    expect(next).toMatchObject({ waitedMs: 30_000, value: { windowStart: Date.UTC(2026, 5, 15, 12, 1, 0), usedToday: 1 } });
  });
});
