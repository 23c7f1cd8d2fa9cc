import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client } from '../src/client-types.js';
import { isUploadError } from '../src/errors.js';
import { createMemoryLimiter, createRedisLimiter } from '../src/limiter/index.js';
import type { QuotaLimiter } from '../src/limiter/index.js';
import { uploadWorkout } from '../src/upload.js';
import type { UploadResult } from '../src/upload.js';
import { countedPerWindow, expectNoTokenWritten, keep, startKit, testWorkout, TIME_ZONE } from './kit.js';
import type { Kit } from './kit.js';

/**
 * The quota, end to end: the sandbox with a short quota "day" (`daySeconds`), a batch larger than
 * a day allows, and the client with no limiter, the memory limiter or the Redis limiter.
 */
const DAY_SECONDS = 2;
const QUOTA = 6;

const kits: Kit[] = [];
const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 2 });
const keyPrefix = `optimo-test:quota:${randomUUID()}:`;
afterAll(async () => {
  await Promise.all(kits.map((kit) => kit.close()));
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  expectNoTokenWritten();
});

async function quotaKit(): Promise<Kit> {
  const kit = await startKit({ timeZone: TIME_ZONE, quota: QUOTA, daySeconds: DAY_SECONDS });
  kits.push(kit);
  return kit;
}

/** Uploads every workout; a quota-spent refusal waits until the reset it names, as the queue would. */
async function batchThroughQuota(client: Client, tag: string, count: number): Promise<{ results: UploadResult[]; quotaStops: number }> {
  const results: UploadResult[] = [];
  let quotaStops = 0;
  for (let i = 0; i < count; i += 1) {
    for (;;) {
      try {
        results.push(await uploadWorkout(client, testWorkout(i, { tag }), { athleteId: 1, timeZone: TIME_ZONE, reconcileDelayMs: 0 }));
        break;
      } catch (error) {
        keep(error);
        if (!isUploadError(error) || error.code !== 'quota-spent' || error.resetAt === undefined) throw error;
        quotaStops += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, error.resetAt! - Date.now()) + 20));
      }
    }
  }
  return { results, quotaStops };
}

async function expectAllOnce(kit: Kit, tag: string, count: number): Promise<void> {
  const ids = (await kit.allWorkouts(1)).map((workout) => workout.externalId).filter((id) => id?.startsWith(`test:${tag}:`));
  expect(ids.sort()).toEqual(Array.from({ length: count }, (_, i) => `test:${tag}:${i}`).sort());
}

async function limitedBatch(kit: Kit, limiter: QuotaLimiter, tag: string): Promise<void> {
  const client = kit.client({ limiter });
  const { results, quotaStops } = await batchThroughQuota(client, tag, 14);
  const seen = [...kit.requests];
  expect(seen.filter((entry) => entry.status === 429)).toEqual([]);
  expect(quotaStops).toBe(0);
  expect(seen.filter((entry) => entry.method === 'system.current').length).toBeGreaterThanOrEqual(1);
  const windows = countedPerWindow(seen, DAY_SECONDS);
  expect(windows.size).toBeGreaterThanOrEqual(3);
  for (const count of windows.values()) expect(count).toBeLessThanOrEqual(QUOTA);
  expect(results.reduce((sum, result) => sum + result.requests, 0)).toBe(seen.length);
  expect(new Set(results.map((result) => result.workoutId)).size).toBe(14);
  await expectAllOnce(kit, tag, 14);
  await limiter.close();
}

describe('quota spent mid-batch', () => {
  it('without a limiter: the 429 stops the account, nothing is sent until the reset, then the batch resumes', async () => {
    const kit = await quotaKit();
    const { results, quotaStops } = await batchThroughQuota(kit.client(), 'nolimiter', 14);
    const seen = [...kit.requests];
    const refusals = seen.filter((entry) => entry.status === 429);
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    expect(quotaStops).toBeGreaterThanOrEqual(refusals.length);
    // after each 429, the next request comes in a later quota window: none was sent while stopped
    for (const refusal of refusals) {
      const next = seen[seen.indexOf(refusal) + 1];
      if (next === undefined) continue;
      expect(Math.floor(Date.parse(next.time) / (DAY_SECONDS * 1000))).toBeGreaterThan(Math.floor(Date.parse(refusal.time) / (DAY_SECONDS * 1000)));
    }
    for (const count of countedPerWindow(seen, DAY_SECONDS).values()) expect(count).toBeLessThanOrEqual(QUOTA);
    expect(results).toHaveLength(14);
    await expectAllOnce(kit, 'nolimiter', 14);
  });

  it('with the memory limiter: no request past the limit, the batch resumes after each reset', async () => {
    const kit = await quotaKit();
    const limiter = createMemoryLimiter({ account: 'demo', timeZone: TIME_ZONE, daySeconds: DAY_SECONDS });
    await limitedBatch(kit, limiter, 'memory');
  });

  it('with the Redis limiter: no request past the limit, the batch resumes after each reset', async () => {
    const kit = await quotaKit();
    const limiter = createRedisLimiter({ redis, keyPrefix, account: 'demo', timeZone: TIME_ZONE, daySeconds: DAY_SECONDS, pollMs: 50 });
    await limitedBatch(kit, limiter, 'redis');
  });
});
