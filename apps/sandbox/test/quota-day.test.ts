import { describe, expect, it } from 'vitest';
import { startTestSandbox, textAt } from './helpers.js';
import type { TestSandbox } from './helpers.js';

/**
 * The quota day is the account's local calendar day (optimo-api.md 2.2, 2.5): it resets at the
 * first instant of each local date, so around daylight-saving changes it lasts 23 or 25 hours.
 * The clock is injected: no test sleeps.
 */
async function withSandbox(options: { timeZone?: string; quota?: number; daySeconds?: number; clockStart: string }, run: (t: TestSandbox) => Promise<void>): Promise<void> {
  const t = await startTestSandbox(options);
  try {
    await run(t);
  } finally {
    await t.close();
  }
}

async function api(t: TestSandbox) {
  const answer = await t.call(t.admin, 'system.current');
  return {
    status: answer.status,
    code: answer.code,
    retryAfter: answer.headers['retry-after'],
    requests: Number(textAt(answer.root, 'system', 'api', 'requests')),
    resetsIn: Number(textAt(answer.root, 'system', 'api', 'resets_in')),
  };
}

async function spend(t: TestSandbox, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await t.call(t.coach, 'staff.current');
}

describe('quota reset at local midnight across daylight-saving changes', () => {
  it('Europe/Lisbon, spring: resets at 00:00 WET; the next day lasts 23 hours', async () => {
    await withSandbox({ timeZone: 'Europe/Lisbon', quota: 3, clockStart: '2026-03-28T23:59:00Z' }, async (t) => {
      expect((await api(t)).resetsIn).toBe(60);
      await spend(t, 2);
      const refused = await api(t);
      expect(refused).toMatchObject({ status: 429, code: 42900, retryAfter: '60' });
      t.clock.set('2026-03-28T23:59:59.500Z');
      expect((await api(t)).retryAfter).toBe('1');
      t.clock.set('2026-03-29T00:00:00Z');
      const fresh = await api(t);
      expect(fresh).toMatchObject({ status: 200, requests: 1 });
      // 2026-03-29 runs from 00:00 WET (00:00Z) to 00:00 WEST on the 30th (23:00Z): 23 hours.
      expect(fresh.resetsIn).toBe(23 * 3600);
      await spend(t, 2);
      t.clock.set('2026-03-29T22:59:59Z');
      expect((await api(t)).retryAfter).toBe('1');
      t.clock.set('2026-03-29T23:00:00Z');
      expect(await api(t)).toMatchObject({ status: 200, requests: 1, resetsIn: 24 * 3600 });
    });
  });

  it('Europe/Lisbon, autumn: the day of the change lasts 25 hours', async () => {
    await withSandbox({ timeZone: 'Europe/Lisbon', quota: 2, clockStart: '2026-10-24T23:00:00Z' }, async (t) => {
      // 2026-10-25 runs from 00:00 WEST (24th 23:00Z) to 00:00 WET on the 26th (26th 00:00Z).
      expect(await api(t)).toMatchObject({ requests: 1, resetsIn: 25 * 3600 });
      t.clock.set('2026-10-25T01:30:00Z'); // the second 01:30 local
      expect(await api(t)).toMatchObject({ requests: 2 });
      expect((await api(t)).status).toBe(429);
      t.clock.set('2026-10-25T23:59:59Z'); // 23:59:59 WET, still the 25th
      expect(await api(t)).toMatchObject({ status: 429, retryAfter: '1' });
      t.clock.set('2026-10-26T00:00:00Z');
      expect(await api(t)).toMatchObject({ status: 200, requests: 1, resetsIn: 24 * 3600 });
    });
  });

  it('America/Santiago, where local midnight itself is skipped: the day starts at its first instant (01:00)', async () => {
    // On 2026-09-06 clocks go from 00:00 (-04) to 01:00 (-03): the date begins at 04:00Z.
    await withSandbox({ timeZone: 'America/Santiago', quota: 1, clockStart: '2026-09-06T03:59:00Z' }, async (t) => {
      expect(await api(t)).toMatchObject({ status: 200, requests: 1, resetsIn: 60 });
      expect((await api(t)).status).toBe(429);
      t.clock.set('2026-09-06T04:00:00Z');
      // The 6th is a 23-hour day: it ends at 00:00 -03 on the 7th, 03:00Z.
      expect(await api(t)).toMatchObject({ status: 200, requests: 1, resetsIn: 23 * 3600 });
    });
  });

  it('a zone east of UTC (Australia/Sydney, autumn change): resets at local midnight, not UTC midnight', async () => {
    // 2026-04-05: clocks go back from 03:00 AEDT to 02:00 AEST; the day lasts 25 hours.
    await withSandbox({ timeZone: 'Australia/Sydney', quota: 1, clockStart: '2026-04-04T12:59:59Z' }, async (t) => {
      expect(await api(t)).toMatchObject({ status: 200, resetsIn: 1 });
      t.clock.set('2026-04-04T13:00:00Z'); // 00:00 AEDT on the 5th
      expect(await api(t)).toMatchObject({ status: 200, requests: 1, resetsIn: 25 * 3600 });
    });
  });
});

describe('--day-seconds', () => {
  it('windows of N seconds aligned on the Unix epoch, whatever the zone', async () => {
    await withSandbox({ timeZone: 'Asia/Kolkata', quota: 2, daySeconds: 60, clockStart: '2026-06-15T10:00:45Z' }, async (t) => {
      expect(await api(t)).toMatchObject({ requests: 1, resetsIn: 15 });
      expect(await api(t)).toMatchObject({ requests: 2 });
      expect(await api(t)).toMatchObject({ status: 429, retryAfter: '15' });
      t.clock.set('2026-06-15T10:01:00Z');
      expect(await api(t)).toMatchObject({ status: 200, requests: 1, resetsIn: 60 });
    });
  });
});
