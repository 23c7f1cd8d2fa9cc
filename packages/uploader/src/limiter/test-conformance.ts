/**
 * The behaviour both limiters share, on a fake clock, in the account zone Europe/Lisbon. The
 * memory test runs it on the in-process limiter, the Redis test on the Lua script (with
 * `timeSource: 'clock'`, so the script reads the fake clock instead of Redis TIME).
 */
import { parseLocalDateTime } from '@optimo-import/workout';
import { describe, expect, it } from 'vitest';
import type { LimiterOptions } from './options.js';
import type { GrantingQuotaLimiter } from './quota-limiter.js';
import { createFakeClock, settle, timed } from './test-fake-clock.js';
import type { FakeClock } from './test-fake-clock.js';

export const ZONE = 'Europe/Lisbon';
export const HOUR = 3_600_000;

/** The instant of a Lisbon wall-clock time. */
export function lisbon(text: string): number {
  const instant = parseLocalDateTime(text, ZONE);
  if (instant === undefined) throw new Error(`bad time ${text}`);
  return instant;
}

export type MakeLimiter = (options: LimiterOptions & { clock: FakeClock }) => Promise<GrantingQuotaLimiter>;

const needsSync = { name: 'LimiterError', code: 'needs-sync' };

async function setup(make: MakeLimiter, start: string, options: Partial<Omit<LimiterOptions, 'clock'>> = {}): Promise<{ clock: FakeClock; limiter: GrantingQuotaLimiter }> {
  const clock = createFakeClock(lisbon(start));
  const limiter = await make({ account: 'riverside-tri', timeZone: ZONE, clock, ...options });
  return { clock, limiter };
}

/** `sync` with the server's numbers at the clock's instant, `resets_in` computed for Lisbon's next midnight. */
async function syncAt(limiter: GrantingQuotaLimiter, clock: FakeClock, used: number, limit: number, nextMidnight: string): Promise<void> {
  await limiter.sync({ used, limit, resetsInSeconds: Math.ceil((lisbon(nextMidnight) - clock.now()) / 1000) });
}

export function describeLimiterConformance(name: string, make: MakeLimiter): void {
  describe(`${name}: shared semantics`, () => {
    it('grants nothing before the first sync but the unmetered sync request itself', async () => {
      const { limiter } = await setup(make, '2026-06-15 09:00:00');
      await expect(limiter.acquire()).rejects.toMatchObject(needsSync);
      await expect(limiter.acquire({ priority: true })).rejects.toMatchObject(needsSync);
      expect(await limiter.acquire({ sync: true })).toBeUndefined(); // the QuotaLimiter face resolves with nothing
      const grant = await limiter.acquireGrant({ sync: true });
      expect(grant).toMatchObject({ metered: false, usedToday: 0 });
      expect(await limiter.status()).toMatchObject({ synced: false, usedToday: 0, limit: 5000, reserve: 250, available: 0, resetAt: lisbon('2026-06-16 00:00:00') });
    });

    it('counts an earlier unanswered sync request of the same day in the bucket the answer makes, once', async () => {
      const { clock, limiter } = await setup(make, '2026-06-15 09:00:00');
      await limiter.acquireGrant({ sync: true }); // sent, no answer (a reset), so sent again:
      await limiter.acquireGrant({ sync: true });
      await syncAt(limiter, clock, 7, 5000, '2026-06-16'); // its answer holds itself, perhaps not the first
      expect(await limiter.status()).toMatchObject({ synced: true, usedToday: 8 });
      await syncAt(limiter, clock, 8, 5000, '2026-06-16');
      expect(await limiter.status()).toMatchObject({ usedToday: 8 });
    });

    it('does not count a sync request of an earlier day', async () => {
      const { clock, limiter } = await setup(make, '2026-06-15 23:59:59');
      await limiter.acquireGrant({ sync: true });
      clock.set(clock.now() + 2000);
      await limiter.acquireGrant({ sync: true });
      await syncAt(limiter, clock, 1, 5000, '2026-06-17');
      expect(await limiter.status()).toMatchObject({ synced: true, usedToday: 1 });
    });

    it('starts a day with the burst, then paces one token every 18.27 s (5000 a day, 5% reserve)', async () => {
      const { clock, limiter } = await setup(make, '2026-06-15 00:00:00');
      await syncAt(limiter, clock, 1, 5000, '2026-06-16');
      for (let i = 0; i < 20; i++) expect((await timed(clock, () => limiter.acquireGrant())).waitedMs).toBe(0);
      // (4750 − 21) tokens left to spread over 86,400 s: one every 86,399,999 / 4729 = 18,270.25 ms
      // (waits are whole ms, the part of a ms waited too long counts towards the next token).
      const waits: number[] = [];
      for (let i = 0; i < 8; i++) waits.push((await timed(clock, () => limiter.acquireGrant())).waitedMs);
      expect(waits).toEqual([18_271, 18_270, 18_270, 18_270, 18_271, 18_270, 18_270, 18_270]);
      expect(await limiter.status()).toMatchObject({ usedToday: 29, limit: 5000, reserve: 250, available: 4721, synced: true });
    });

    it('paces one token every 17.35 s without a reserve', async () => {
      const { clock, limiter } = await setup(make, '2026-06-15 00:00:00', { reservePercent: 0 });
      await syncAt(limiter, clock, 1, 5000, '2026-06-16');
      for (let i = 0; i < 20; i++) await limiter.acquireGrant();
      expect((await timed(clock, () => limiter.acquireGrant())).waitedMs).toBe(17_353);
    });

    for (const [date, next, hours] of [
      ['2026-03-29', '2026-03-30', 23],
      ['2026-10-25', '2026-10-26', 25],
      ['2026-06-15', '2026-06-16', 24],
    ] as const) {
      it(`spreads a ${hours}-hour local day (${date}) over the whole day and never passes limit − reserve in it`, async () => {
        const { clock, limiter } = await setup(make, `${date} 00:00:00`, { burst: 10 });
        const dayStart = lisbon(date);
        const dayEnd = lisbon(next);
        expect(dayEnd - dayStart).toBe(hours * HOUR);
        await limiter.sync({ used: 0, limit: 200, resetsInSeconds: hours * 3600 });
        const times: number[] = [];
        for (;;) {
          const grant = await settle(clock, limiter.acquireGrant());
          if (grant.windowStart !== dayStart) {
            // The first grant of the next day comes at its first instant, with a fresh bucket.
            expect(grant).toMatchObject({ windowStart: dayEnd, at: dayEnd, usedToday: 1 });
            break;
          }
          expect(grant.windowEnd).toBe(dayEnd);
          times.push(grant.at);
        }
        expect(times).toHaveLength(190);
        const day = dayEnd - dayStart;
        expect(times.at(-1)).toBe(dayEnd - 1);
        // After the burst of 10, 180 tokens at an even pace: the 100th at half the day.
        expect(Math.abs((times[99] as number) - (dayStart + day / 2)) / day).toBeLessThan(0.01);
        expect(await limiter.status()).toMatchObject({ usedToday: 1, windowStart: dayEnd });
      });
    }

    it('keeps the reserve for priority work, then waits for the reset', async () => {
      const { clock, limiter } = await setup(make, '2026-06-15 12:00:00', { burst: 200 });
      await syncAt(limiter, clock, 0, 100, '2026-06-16');
      for (let i = 0; i < 95; i++) await limiter.acquireGrant();
      expect(await limiter.status()).toMatchObject({ usedToday: 95, reserve: 5, available: 0 });
      for (let i = 0; i < 5; i++) expect((await timed(clock, () => limiter.acquireGrant({ priority: true }))).waitedMs).toBe(0);
      const late = await timed(clock, () => limiter.acquireGrant({ priority: true }));
      expect(late.waitedMs).toBe(12 * HOUR);
      expect(late.value).toMatchObject({ windowStart: lisbon('2026-06-16'), usedToday: 1 });
      expect((await timed(clock, () => limiter.acquireGrant())).waitedMs).toBe(0);
    });

    it('stops a batch at the limit mid-day and resumes it after the reset', async () => {
      const { clock, limiter } = await setup(make, '2026-06-15 18:00:00');
      await syncAt(limiter, clock, 4740, 5000, '2026-06-16');
      const waits: number[] = [];
      const grants = [];
      for (let i = 0; i < 15; i++) {
        const { value, waitedMs } = await timed(clock, () => limiter.acquireGrant());
        waits.push(waitedMs);
        grants.push(value);
      }
      expect(waits).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6 * HOUR, 0, 0, 0, 0]);
      expect(grants.filter((g) => g.windowStart === lisbon('2026-06-15')).map((g) => g.usedToday)).toEqual([4741, 4742, 4743, 4744, 4745, 4746, 4747, 4748, 4749, 4750]);
      expect(grants.slice(10).map((g) => [g.windowStart, g.usedToday])).toEqual([1, 2, 3, 4, 5].map((n) => [lisbon('2026-06-16'), n]));
    });

    it('drains on a 429: nothing goes until Retry-After, priority and sync requests included', async () => {
      const { clock, limiter } = await setup(make, '2026-06-15 10:00:00');
      await limiter.drain(30);
      expect((await timed(clock, () => limiter.acquireGrant({ sync: true }))).waitedMs).toBe(30_000);
      await syncAt(limiter, clock, 10, 5000, '2026-06-16');
      await limiter.drain(60);
      expect(await limiter.status()).toMatchObject({ available: 0, drainUntil: clock.now() + 60_000 });
      expect((await timed(clock, () => limiter.acquireGrant({ priority: true }))).waitedMs).toBe(60_000);
      await limiter.drain(10);
      await limiter.drain(5); // a shorter drain never shortens the one in force
      expect((await timed(clock, () => limiter.acquireGrant())).waitedMs).toBe(10_000);
      await limiter.drain(); // no Retry-After: until the reset
      expect((await timed(clock, () => limiter.acquireGrant())).value).toMatchObject({ at: lisbon('2026-06-16'), windowStart: lisbon('2026-06-16') });
    });

    it('never lowers used on sync, raises it, and takes the server limit', async () => {
      const { clock, limiter } = await setup(make, '2026-06-15 10:00:00');
      await syncAt(limiter, clock, 100, 5000, '2026-06-16');
      for (let i = 0; i < 3; i++) await limiter.acquireGrant();
      await syncAt(limiter, clock, 50, 5000, '2026-06-16');
      expect(await limiter.status()).toMatchObject({ usedToday: 103 });
      await syncAt(limiter, clock, 400, 6000, '2026-06-16');
      expect(await limiter.status()).toMatchObject({ usedToday: 400, limit: 6000, reserve: 300, available: 5300 });
    });

    it('wakes an acquire waiting for the reset when a sync raises the limit: the new allowance is paced', async () => {
      const { clock, limiter } = await setup(make, '2026-06-15 10:00:00');
      await syncAt(limiter, clock, 95, 100, '2026-06-16');
      const start = clock.now();
      const waiting = limiter.acquireGrant();
      await clock.whenSleeping();
      await syncAt(limiter, clock, 95, 200, '2026-06-16');
      expect(await settle(clock, waiting)).toMatchObject({ usedToday: 96, limit: 200 });
      // 95 more today (190 − 95) over the 14 hours left: one every 530.5 s, not a wait of 14 hours.
      expect(clock.now() - start).toBe(Math.ceil((14 * HOUR - 1) / 95));
    });

    it('refuses a sync whose resets_in does not end at a local midnight of the zone', async () => {
      const { clock, limiter } = await setup(make, '2026-06-15 12:00:00');
      const newYorkMidnight = Date.parse('2026-06-16T04:00:00Z');
      const resetsInSeconds = (newYorkMidnight - clock.now()) / 1000;
      await expect(limiter.sync({ used: 5, limit: 5000, resetsInSeconds })).rejects.toMatchObject({ name: 'LimiterError', code: 'zone-mismatch' });
      await expect(limiter.acquire()).rejects.toMatchObject(needsSync);
      // A server clock two minutes off is fine.
      await limiter.sync({ used: 5, limit: 5000, resetsInSeconds: 12 * 3600 - 120 });
      expect(await limiter.status()).toMatchObject({ synced: true, usedToday: 5, resetAt: lisbon('2026-06-16') });
    });

    it('refuses numbers that cannot be a quota', async () => {
      const { limiter } = await setup(make, '2026-06-15 12:00:00');
      await expect(limiter.sync({ used: -1, limit: 5000, resetsInSeconds: 60 })).rejects.toMatchObject({ code: 'invalid-state' });
      await expect(limiter.sync({ used: 1.5, limit: 5000, resetsInSeconds: 60 })).rejects.toMatchObject({ code: 'invalid-state' });
      await expect(limiter.drain(Number.NaN)).rejects.toMatchObject({ code: 'invalid-state' });
    });

    it('aborts a waiting acquire and a queued one with the signal reason, taking no token', async () => {
      const { clock, limiter } = await setup(make, '2026-06-15 12:00:00', { burst: 1 });
      await syncAt(limiter, clock, 0, 5000, '2026-06-16');
      await limiter.acquireGrant();
      const head = new AbortController();
      const queued = new AbortController();
      const first = limiter.acquireGrant({ signal: head.signal });
      const second = limiter.acquireGrant({ signal: queued.signal });
      const third = limiter.acquireGrant();
      await clock.whenSleeping();
      queued.abort(new Error('queued stop'));
      head.abort(new Error('head stop'));
      await expect(first).rejects.toThrow('head stop');
      await expect(second).rejects.toThrow('queued stop');
      expect(await settle(clock, third)).toMatchObject({ usedToday: 2 });
      await expect(limiter.acquire({ signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
    });

    it('rejects pending and later acquires once closed', async () => {
      const { clock, limiter } = await setup(make, '2026-06-15 12:00:00');
      await syncAt(limiter, clock, 0, 5000, '2026-06-16');
      await limiter.drain(60);
      const pending = limiter.acquireGrant();
      await clock.whenSleeping();
      await limiter.close();
      await expect(pending).rejects.toMatchObject({ name: 'LimiterError', code: 'closed' });
      await expect(limiter.acquire()).rejects.toMatchObject({ code: 'closed' });
    });
  });
}
