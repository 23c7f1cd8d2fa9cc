/**
 * The limiter in front of the real API server (the sandbox over HTTPS, Europe/Lisbon, 60 requests
 * a day), both on one fake clock, used the way the uploader uses it: acquire before every
 * request, sync from `system.current` on needs-sync, drain on a 429. Run for both limiters.
 */
import { Agent, request } from 'node:https';
import { buildStaffCurrent, buildSystemCurrent, readResponse, readSystemCurrent } from '@optimo-import/mapper';
import { startSandbox } from '@optimo-import/sandbox';
import type { RequestLogEntry, Sandbox } from '@optimo-import/sandbox';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isLimiterError } from './errors.js';
import { createMemoryLimiter } from './memory-limiter.js';
import type { AcquireOptions, QuotaLimiter } from './quota-limiter.js';
import { quotaStateOf } from './quota-state.js';
import { createRedisLimiter } from './redis-limiter.js';
import { ZONE, lisbon } from './test-conformance.js';
import { createFakeClock, settle } from './test-fake-clock.js';
import type { FakeClock } from './test-fake-clock.js';
import { createKeyTracker } from './test-redis.js';

const QUOTA = 60; // reserve 3: normal work stops at 57
const ACCOUNT = 'demo';
const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
const keys = createKeyTracker(redis);
const opened: Array<() => Promise<void>> = [];

beforeAll(async () => {
  await redis.connect();
});
afterEach(async () => {
  for (const close of opened.splice(0)) await close();
  await keys.cleanup(ACCOUNT);
});
afterAll(() => {
  redis.disconnect();
});

interface Answer {
  status: number;
  body: string;
  retryAfter: string | undefined;
}

interface Api {
  clock: FakeClock;
  sandbox: Sandbox;
  log: RequestLogEntry[];
  post(body: string): Promise<Answer>;
}

async function startApi(start: string): Promise<Api> {
  const clock = createFakeClock(lisbon(start));
  const log: RequestLogEntry[] = [];
  const sandbox = await startSandbox({ timeZone: ZONE, quota: QUOTA, now: () => clock.now(), onLog: (entry) => log.push(entry) });
  const agent = new Agent({ ca: sandbox.certPem, keepAlive: true });
  opened.push(async () => {
    agent.destroy();
    await sandbox.close();
  });
  const token = sandbox.accounts[0]?.tokens.admin ?? '';
  const post = (body: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(sandbox.url, { method: 'POST', agent, auth: `${token}:X`, headers: { 'Content-Type': 'application/xml', 'User-Agent': 'optimo-import-limiter-test' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: res.headers['retry-after'] }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return { clock, sandbox, log, post };
}

/** What the uploader does around every request: a token first, a sync when asked, a drain on 429. */
function createClient(api: Api, limiter: QuotaLimiter): { send(body: string, options?: AcquireOptions): Promise<Answer>; sent: Array<{ at: number; status: number }> } {
  const sent: Array<{ at: number; status: number }> = [];
  const exchange = async (body: string): Promise<Answer> => {
    const answer = await api.post(body);
    sent.push({ at: api.clock.now(), status: answer.status });
    if (answer.status === 429) await limiter.drain(answer.retryAfter === undefined ? undefined : Number(answer.retryAfter));
    return answer;
  };
  const resync = async (): Promise<void> => {
    for (;;) {
      await settle(api.clock, limiter.acquire({ sync: true }));
      const answer = await exchange(buildSystemCurrent());
      if (answer.status === 429) continue;
      const read = readResponse(answer.body, { status: answer.status });
      if (read.kind !== 'ok') throw new Error(`system.current failed: ${answer.body}`);
      await limiter.sync(quotaStateOf(readSystemCurrent(read)));
      return;
    }
  };
  const send = async (body: string, options: AcquireOptions = {}): Promise<Answer> => {
    for (;;) {
      try {
        await settle(api.clock, limiter.acquire(options));
      } catch (error) {
        if (isLimiterError(error) && error.code === 'needs-sync') {
          await resync();
          continue;
        }
        throw error;
      }
      const answer = await exchange(body);
      if (answer.status !== 429) return answer;
    }
  };
  return { send, sent };
}

const limiters: Array<[string, (clock: FakeClock) => QuotaLimiter]> = [
  ['memory limiter', (clock) => createMemoryLimiter({ account: ACCOUNT, timeZone: ZONE, clock })],
  ['Redis limiter', (clock) => createRedisLimiter({ account: ACCOUNT, timeZone: ZONE, clock, redis, keyPrefix: keys.prefix(), timeSource: 'clock', pollMs: 86_400_000 })],
];

for (const [name, make] of limiters) {
  describe(`${name} in front of the sandbox`, () => {
    it('stops a batch at limit − reserve on the 23-hour day and resumes it at the local reset, without a 429', async () => {
      const api = await startApi('2026-03-29 20:00:00');
      for (let i = 0; i < 40; i++) expect((await api.post(buildStaffCurrent())).status).toBe(200); // another tool, earlier today
      const client = createClient(api, make(api.clock));
      for (let i = 0; i < 30; i++) expect((await client.send(buildStaffCurrent())).status).toBe(200);

      const reset = lisbon('2026-03-30 00:00:00');
      expect(reset).toBe(Date.parse('2026-03-29T23:00:00Z'));
      expect(client.sent.filter((s) => s.status === 429)).toEqual([]);
      expect(api.log.filter((entry) => entry.status === 429)).toEqual([]);
      // 40 + the sync request + 16 of the batch = 57 on the old day; the other 14 at the reset.
      expect(client.sent).toHaveLength(31);
      expect(api.log.filter((entry) => Date.parse(entry.time) < reset)).toHaveLength(57);
      expect(client.sent.filter((s) => s.at < reset)).toHaveLength(17);
      expect(client.sent.slice(17).every((s) => s.at === reset)).toBe(true);
      const check = await client.send(buildSystemCurrent(), { priority: true });
      expect(check.body).toContain('<requests>15</requests>');
    });

    it('drains on a 429 it did not foresee (another client spent the day) and sends again at the reset of the 25-hour day', async () => {
      const api = await startApi('2026-10-25 22:00:00');
      const client = createClient(api, make(api.clock));
      expect((await client.send(buildStaffCurrent())).status).toBe(200);
      let status = 200;
      while (status === 200) status = (await api.post(buildStaffCurrent())).status; // someone else spends the rest
      expect(status).toBe(429);
      const answer = await client.send(buildStaffCurrent());
      expect(answer.status).toBe(200);
      const reset = lisbon('2026-10-26 00:00:00');
      expect(reset - lisbon('2026-10-25 00:00:00')).toBe(25 * 3_600_000);
      expect(client.sent.map((s) => s.status)).toEqual([200, 200, 429, 200]); // system.current, staff.current, the 429, the retry
      expect(client.sent.at(-2)?.at).toBe(lisbon('2026-10-25 22:00:00'));
      expect(client.sent.at(-1)?.at).toBe(reset);
    });
  });
}
